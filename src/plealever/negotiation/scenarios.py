"""Scenarios: the plausible dispositions of a case, each an overlay of the case file, and what each
exposes the client to. Generated from the charges and facts; the case file can add its own."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from plealever.case.model import Case
from plealever.case.model_base import Count
from plealever.case.scenario import ScenarioSpec, StipulatedFacts
from plealever.errors import PlealeverError
from plealever.guidelines import images
from plealever.guidelines.engine import calculate
from plealever.guidelines.trace import Result
from plealever.law.dated import in_force
from plealever.law.rulebook import Rulebook
from plealever.law.statutes import find_statute, require_statute
from plealever.law.statutes import inchoate as inchoate_words
from plealever.mitigation.levers import LeverStatus

# A plea to a lesser statute: possession for receipt, distribution and other trafficking counts.
POSSESSION_FOR = {"2252": "2252(a)(4)", "2252A": "2252A(a)(5)", "1466A": "1466A(b)"}
LESSER_FOR_CONTACT = "2252A(a)(5)"  # enticement or production pleaded down where image facts support it
TRAFFICKING_FOR_CONTACT = "2252A(a)(2)"  # ... or to distribution where the facts show distribution
# A lever's status maps onto a scenario's availability one way: closed < limited < approval required
# < open (available). A scenario is as available as the least available lever it uses.
STATUS_TO_AVAILABILITY = {
    "open": "available",
    "approval_required": "approval_required",
    "limited": "limited",
    "closed": "closed",
}
AVAILABILITY_ORDER = ["available", "approval_required", "limited", "closed"]  # most to least available
CONTACT_CLASSES = ("production", "enticement", "transportation", "travel")
RECEIPT_FOR_CONTACT = "2252A(a)(2)"  # a receipt count where the image facts show no distribution
# Statutes a plea in an enticement or travel case lands on where the facts support them (no minimum).
LESSER_CONTACT_PLEAS = (
    ("sought_interstate_travel", "2422(a)", "plea-to-2422a", "persuading travel for sexual activity"),
    ("transmitted_minor_information", "2425", "plea-to-2425", "transmitting a minor's information"),
    ("obscene_matter_to_minor", "1470", "plea-to-1470", "transferring obscene matter to a minor"),
)


@dataclass
class Scenario:
    spec: ScenarioSpec
    generated: bool
    case: Case | None = None
    result: Result | None = None
    error: str | None = None
    availability: str = "available"
    reasons: list[str] = field(default_factory=list)
    levers: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    terms: list[str] = field(default_factory=list)  # the concessions the government must agree to
    lever_statuses: dict[str, str] = field(default_factory=dict)  # each lever used -> its status here
    offer: str | None = None  # the offer id, for a scenario that is the government's own offer
    # For a stipulation: the same plea without the stipulated facts (the court is not bound, §6B1.4(d)).
    unstipulated: Result | None = None


def _key(book: Rulebook, statute: str):
    return find_statute(book, inchoate_words(statute)[0])


AS_CHARGED = ScenarioSpec(
    id="plea-as-charged",
    label="Plea to every count as charged (open plea)",
    plea_type="open",
    recommendation="none",
)


def generate(book: Rulebook, case: Case, *, as_charged: Result | None) -> list[ScenarioSpec]:
    """The plausible dispositions: as charged, one count, a lesser statute, stipulations, (C), cooperation, trial.

    `as_charged` is the calculation of the plea as charged (AS_CHARGED overlaid on the case), which sets
    the (C) cap and the image tier a stipulation would step down from; None if it could not be computed."""
    out = [AS_CHARGED]
    statutes = [
        (c, require_statute(book, c.statute, field=f"counts[{i}].statute")) for i, c in enumerate(case.counts)
    ]
    total = sum(c.count for c in case.counts)
    most = max(statutes, key=lambda cs: _severity(book, cs[1]))
    if total > 1:
        out.append(
            ScenarioSpec(
                id="plea-one-count",
                label=f"Plea to one § {most[1].key} count, others dismissed",
                counts=[Count(statute=most[0].statute)],
            )
        )
    trafficking = [s for _, s in statutes if s.offense_class in ("receipt_or_distribution", "trafficking")]
    if trafficking:
        s = trafficking[0]
        base = s.key.split("(")[0]
        lesser = POSSESSION_FOR.get(base)
        if lesser:
            out.append(
                ScenarioSpec(
                    id="plea-possession",
                    label=f"Plea to possession (§ {lesser}) for § {s.key}",
                    counts=[Count(statute=lesser)],
                )
            )
    contact = [s for _, s in statutes if s.offense_class in CONTACT_CLASSES]
    f = case.facts
    images = any(v is not None for v in (f.image_count, f.still_images, f.videos))
    if contact and images:
        out.append(
            ScenarioSpec(
                id="plea-to-possession-count",
                label="Plea to a possession count for the contact count",
                counts=[Count(statute=LESSER_FOR_CONTACT)],
            )
        )
    if contact and images and f.distribution not in (None, "none"):
        out.append(
            ScenarioSpec(
                id="plea-to-trafficking-count",
                label="Plea to a distribution count for the contact count",
                counts=[Count(statute=TRAFFICKING_FOR_CONTACT)],
            )
        )
    if contact and images and f.distribution == "none":
        out.append(
            ScenarioSpec(
                id="plea-to-receipt-count",
                label=f"Plea to a receipt count (§ {RECEIPT_FOR_CONTACT}) for the contact count",
                counts=[Count(statute=RECEIPT_FOR_CONTACT)],
            )
        )
    enticement = [s for _, s in statutes if s.offense_class in ("enticement", "transportation", "travel")]
    if enticement:
        for fact, statute, sid, what in LESSER_CONTACT_PLEAS:
            if getattr(f, fact) is not True or book.statutes.get(statute) is None:
                continue
            out.append(
                ScenarioSpec(
                    id=sid,
                    label=f"Plea to § {statute} ({what}) for the § {enticement[0].key} count",
                    counts=[Count(statute=statute, findings=_obscenity_findings(case) if statute == "1470" else [])],
                )
            )
    stipulation = _image_stipulation(book, case, as_charged)
    if stipulation is not None:
        out.append(stipulation)
    if f.distribution not in (None, "none"):
        out.append(
            ScenarioSpec(
                id="plea-stipulate-no-distribution",
                label="Plea as charged, stipulating no distribution",
                not_applicable=["2G2.2(b)(3)"],
                counts=None,
            )
        )
    if f.sadistic_or_violent or f.infant_or_toddler:
        out.append(
            ScenarioSpec(
                id="plea-stipulate-no-b4",
                label="Plea as charged, no §2G2.2(b)(4) stipulated",
                not_applicable=["2G2.2(b)(4)"],
            )
        )
    cap = _binding_cap(as_charged)
    if cap is not None:
        out.append(
            ScenarioSpec(
                id="plea-binding-cap",
                label=f"Rule 11(c)(1)(C) plea capped at {cap[1]} months",
                plea_type="C",
                agreed_range={"min": cap[0], "max": cap[1]},
            )
        )
    out.append(
        ScenarioSpec(
            id="plea-variance-recommendation",
            label="Plea as charged, government recommends a variance",
            recommendation="variance",
        )
    )
    if any(i.kind == "cooperation" for i in case.mitigation):
        motion = "3553(e)" if _has_minimum(book, case) else "5K1.1"
        out.append(
            ScenarioSpec(
                id="plea-cooperation",
                label=f"Plea with a substantial-assistance motion ({motion})",
                government_motion=motion,
            )
        )
    out.append(ScenarioSpec(id="trial-all", label="Trial: conviction on every count", kind="trial"))
    if total > 1:
        out.append(
            ScenarioSpec(
                id="trial-most-serious",
                label=f"Trial: conviction only on § {most[1].key}",
                kind="trial",
                counts=[Count(statute=most[0].statute)],
            )
        )
    return out


def _obscenity_findings(case: Case) -> list[str]:
    """§2G3.1's characteristics for a § 1470 plea in an enticement case: the transfer was meant to
    entice the minor into prohibited sexual conduct ((b)(1)(E)); a computer was used ((b)(3)); and
    where the facts show child pornography sent to a minor, the cross reference to §2G2.2 ((c)(1))."""
    found = ["2G3.1(b)(1)(E)"]
    if case.facts.computer:
        found.append("2G3.1(b)(3)")
    if case.facts.distribution in ("to_minor", "to_minor_inducement", "to_minor_sexual_conduct"):
        found.append("2G3.1(c)(1)")
    return found


def offer_spec(offer) -> ScenarioSpec:
    """The scenario an offer describes (case/negotiation.py: Offer)."""
    t = offer.terms
    return ScenarioSpec(
        id=f"offer-{offer.id}",
        label=f"Government offer of {offer.date.isoformat()}: {offer_summary(offer)}",
        counts=t.counts,
        findings=t.findings,
        not_applicable=t.not_applicable,
        facts=t.facts,
        plea_type=t.plea_type,
        recommendation=t.recommendation,
        agreed_range=t.agreed_range,
        government_motion=t.cooperation,
        appeal_waiver=t.appeal_waiver,
    )


def offer_summary(offer) -> str:
    """The offer's terms in a few words."""
    t = offer.terms
    parts = []
    if t.counts is None:
        parts.append("plea as charged")
    else:
        from plealever.law.statutes import normalize

        parts.append(
            "plea to "
            + ", ".join(f"{c.count} x § {normalize(c.statute)}" if c.count > 1 else f"§ {normalize(c.statute)}" for c in t.counts)
        )
    stip = list(t.findings) + [f"no {p}" for p in t.not_applicable]
    stip += [f"{k.replace('_', ' ')} {v}" for k, v in t.facts.model_dump().items() if v is not None]
    if stip:
        parts.append("stipulating " + ", ".join(stip))
    if t.plea_type == "C" and t.agreed_range:
        parts.append(f"(C) range {t.agreed_range.min}-{t.agreed_range.max} months")
    elif t.recommendation != "none":
        parts.append(f"recommendation: {t.recommendation.replace('_', ' ')}")
    if t.cooperation != "none":
        parts.append(f"{t.cooperation} motion for cooperation")
    if t.appeal_waiver:
        parts.append("appeal waiver")
    return "; ".join(parts)


def _binding_cap(as_charged: Result | None) -> tuple[int, int] | None:
    """A (C) cap at the bottom of the plea-as-charged effective range (the statutory minimum below)."""
    if as_charged is None:
        return None
    c = as_charged.calculation
    lo = c.effective_range.min
    if lo == "life":
        return None
    floor = c.statutory_range.min
    return (int(floor), int(lo)) if floor != "life" else None


def _image_stipulation(book: Rulebook, case: Case, as_charged: Result | None) -> ScenarioSpec | None:
    """A stipulated image count one tier below the tier that applies (§2G2.2(b)(7)), only where the image
    table applies to the plea as charged and a lower tier changes the offense level."""
    if as_charged is None:
        return None
    applied = [
        s for s in as_charged.calculation.steps if s.pin.startswith(images.PIN + "(") and s.status == "applied"
    ]
    version = book.at(images.PIN, as_charged.calculation.edition)
    if not applied or version is None:
        return None
    counted = images.count_images(case.facts, version.images_per_video or 0)
    step = images.one_tier_down(counted.count, version)
    if step is None:
        return None
    count, below = step
    current = images.tier_for(counted.count, version)
    to = f"§{images.PIN}({below['limb']}), +{below['levels']}" if below else "no image enhancement"
    return ScenarioSpec(
        id="plea-stipulate-image-tier",
        label=f"Plea as charged, image count stipulated below {current['at_least']} ({to})",
        facts={"image_count": count, "still_images": None, "videos": None},
    )


def _severity(book: Rulebook, statute) -> tuple[float, float]:
    v = statute.penalties[-1].base
    return (float("inf") if v.max == "life" else v.max, v.min)


def _has_minimum(book: Rulebook, case: Case) -> bool:
    return any((s := _key(book, c.statute)) is not None and s.penalties[-1].base.min > 0 for c in case.counts)


def overlay(case: Case, spec: ScenarioSpec) -> Case:
    facts = case.facts.model_copy(update={k: v for k, v in spec.facts.model_dump().items() if v is not None})
    acceptance = spec.acceptance or ("none" if spec.kind == "trial" else "three_level")
    return case.model_copy(
        update={
            "counts": spec.counts if spec.counts is not None else case.counts,
            "facts": facts,
            "findings": case.findings + spec.findings,
            "not_applicable": case.not_applicable + spec.not_applicable,
            "acceptance": acceptance,
            "scenarios": [],
        }
    )


def stipulates(spec: ScenarioSpec) -> bool:
    return bool(spec.findings or spec.not_applicable or any(v is not None for v in spec.facts.model_dump().values()))


def terms_used(book: Rulebook, case: Case, spec: ScenarioSpec) -> list[str]:
    """The concessions a plea asks of the government (negotiation/agreement.py TERMS). A within-range
    recommendation is the ordinary term of a plea agreement, not a concession."""
    terms: list[str] = []
    if spec.kind == "trial":
        return terms
    if spec.counts is not None:
        charged = sorted((_key(book, c.statute).key, c.count) for c in case.counts)
        pleaded = sorted((_key(book, c.statute).key, c.count) for c in spec.counts if _key(book, c.statute))
        if charged != pleaded:
            terms.append("lesser_statute" if _lesser(book, case, spec.counts) else "dismiss_counts")
    if stipulates(spec):
        terms.append("fact_stipulation")
    if spec.plea_type == "C":
        terms.append("binding_plea")
    if spec.recommendation == "variance":
        terms.append("variance_recommendation")
    if spec.government_motion != "none":
        terms.append("substantial_assistance")
    return terms


def levers_used(book: Rulebook, case: Case, spec: ScenarioSpec) -> list[str]:
    from plealever.negotiation.agreement import TERMS

    return list(dict.fromkeys(TERMS[t][1] for t in terms_used(book, case, spec)))


def _penalty(book: Rulebook, case: Case, counts: list[Count]) -> tuple[float, float]:
    """The most serious (minimum, maximum) in months among `counts`, by the law on the offense date."""
    day = case.offense_date or dt.date.today()
    worst = (0.0, 0.0)
    for c in counts:
        s = _key(book, c.statute)
        version = s.at(day) if s is not None else None
        if version is None:
            continue
        mx = float("inf") if version.base.max == "life" else float(version.base.max)
        worst = max(worst, (float(version.base.min), mx))
    return worst


def _lesser(book: Rulebook, case: Case, pleaded: list[Count]) -> bool:
    """A plea to a statute with a lower minimum or maximum than the most serious charge."""
    return _penalty(book, case, pleaded) < _penalty(book, case, case.counts)


def availability(
    book: Rulebook, case: Case, sc: Scenario, statuses: dict[str, LeverStatus], policy: dict | None = None
) -> None:
    sc.terms = terms_used(book, case, sc.spec)
    sc.levers = levers_used(book, case, sc.spec)
    sc.availability = "available"
    for lever in sc.levers:
        st = statuses[lever]
        sc.lever_statuses[lever] = st.status
        avail = STATUS_TO_AVAILABILITY[st.status]
        if AVAILABILITY_ORDER.index(avail) > AVAILABILITY_ORDER.index(sc.availability):
            sc.availability = avail
        if st.reasons:
            sc.reasons.append(
                f"{lever.replace('_', ' ')} ({st.status.replace('_', ' ')}): {'; '.join(st.reasons)}"
            )
    _narrow_office_rules(book, case, sc, policy)
    if sc.spec.government_motion != "none" and not any(i.kind == "cooperation" for i in case.mitigation):
        sc.availability = "closed"
        sc.lever_statuses["substantial_assistance"] = "closed"
        sc.reasons.append("no possible cooperation is recorded; only the government can move for a reduction")
    if sc.spec.kind == "trial":
        sc.availability = "available"
        sc.reasons.append("trial needs no agreement")


def _narrow_office_rules(book: Rulebook, case: Case, sc: Scenario, policy: dict | None) -> None:
    """Office rules that forbid a kind of plea rather than a whole lever: a plea without the minimum."""
    if sc.spec.kind != "plea" or sc.spec.counts is None:
        return
    rules = (policy or book.documents["negotiation-policy"])["office_rules"]
    for rule in case.prosecutor.office_rules:
        floor = rules[rule].get("closes_pleas_with_minimum_below")
        if not floor:
            continue
        minimum = _penalty(book, case, sc.spec.counts)[0]
        if minimum < floor <= _penalty(book, case, case.counts)[0]:
            sc.availability = "closed"
            sc.lever_statuses["count_reduction"] = "closed"
            sc.reasons.append(
                f"office rule: {rules[rule]['label']}: these counts carry a minimum of {minimum:.0f} months"
            )


def evaluate(
    book: Rulebook,
    case: Case,
    spec: ScenarioSpec,
    generated: bool,
    statuses: dict[str, LeverStatus],
    today: dt.date,
    *,
    result: Result | None = None,
) -> Scenario:
    """One scenario: its availability under the lever statuses and its calculation (`result`, when the
    caller already computed this very overlay, is reused rather than calculated again)."""
    sc = Scenario(spec, generated)
    availability(book, case, sc, statuses)
    sc.case = overlay(case, spec)
    if result is not None:
        sc.result = result
    else:
        try:
            sc.result = calculate(sc.case, book=book, today=today)
        except PlealeverError as exc:
            sc.error = exc.one_line()
    if spec.kind == "plea" and spec.counts is not None and sc.result is not None:
        sc.notes.append(
            "conduct in dismissed counts still counts as relevant conduct (§1B1.3; §6B1.2(a)) "
            "unless the agreement stipulates otherwise; the facts are kept"
        )
    return sc


def unstipulated(spec: ScenarioSpec) -> ScenarioSpec:
    """The same plea without its stipulated facts: what the court sentences on if it does not follow
    the stipulation."""
    return spec.model_copy(update={"findings": [], "not_applicable": [], "facts": StipulatedFacts()})


def late_notice(case: Case, today: dt.date) -> str | None:
    """Why the third acceptance level is gone, if the government's timely-notice date (§3E1.1(b)) has
    passed with no notice of a plea given by then; None otherwise."""
    deadline = case.deadlines.acceptance_timeliness
    if deadline is None or deadline >= today:
        return None
    n = case.negotiation
    if n.plea_notice_given is not None and n.plea_notice_given <= deadline:
        return None
    if any(o.status == "accepted" and (o.decided or o.date) <= deadline for o in n.offers):
        return None
    return (
        f"the government's timely-notice date for §3E1.1(b) ({deadline.isoformat()}) has passed with no notice "
        "of a plea recorded (negotiation.plea_notice_given), so a plea now gets two levels for acceptance, not "
        "three: the government moves for the third only when the notice let it avoid preparing for trial"
    )


# A registration tier as the range of tiers it may be (0: perhaps none); "I or II" is (1, 2).
_TIER_SPAN = {
    "I (if any)": (0, 1),
    "I": (1, 1),
    "I or II": (1, 2),
    "II": (2, 2),
    "II or III": (2, 3),
    "III": (3, 3),
}
_SPAN_TIER = {span: tier for tier, span in _TIER_SPAN.items()}
_NUMERAL = {0: "I", 1: "I", 2: "II", 3: "III"}  # tier 0 ("if any") registers, if at all, as tier I


def _prior_sex_offense(case) -> bool | None:
    """Whether the file states an earlier sex-offense conviction (True), leaves it open (None) or not.
    A conviction entered after the offense is not earlier: the offense must follow it (§ 20911(3)(C))."""
    day = case.offense_date
    records = [
        r
        for r in case.criminal_history.records or []
        if day is None or (r.conviction_date or r.sentence_date) is None or (r.conviction_date or r.sentence_date) < day
    ]
    marks = [(r.statutory_sex_offense_prior, r.sex_offense_against_minor, r.prior_sex_offense_2426) for r in records]
    if case.facts.prior_sex_offense_conviction or any("yes" in m for m in marks):
        return True
    if any("undecided" in m for m in marks):
        return None
    return False


def _registration_tier(tiers: list[dict[str, Any]], reg: dict[str, Any], prior: bool | None = False) -> dict[str, Any]:
    """The tier of the whole conviction: the highest count's (34 U.S.C. § 20911). Where a count's tier is
    itself a range, the conviction's is the range from the highest lower end to the highest upper end:
    a tier II count makes the whole tier II whatever an "I or II" count turns out to be. A sex offense
    after the offender was already a sex offender rises a tier (§ 20911(3)(C), (4)(C)); the file does
    not say which tier the earlier one made him, so that rise is a range."""
    unsure = reg["certainty"]
    years = {n: reg["years_by_tier"][_NUMERAL[n]] for n in _NUMERAL}
    spans = [_TIER_SPAN[t["tier"]] for t in tiers]
    span = (max(lo for lo, _ in spans), max(hi for _, hi in spans))
    deciding = [t for t, sp in zip(tiers, spans, strict=True) if sp == span]
    notes = [t["note"] for t, sp in zip(tiers, spans, strict=True) if sp[1] == span[1] and t.get("note")]
    certain = bool(deciding) and all(t.get("certainty", unsure) == "verified" for t in deciding)
    if prior is not False:
        notes.append(
            ("a prior sex offense is stated: " if prior else "whether a prior is a sex offense is undecided: ")
            + reg["after_prior_sex_offense"]["note"]
        )
        span = (max(span[0], 2), 3) if prior else (span[0], max(span[1], 3))
        certain = False
    lo, hi = span
    return {
        "tier": _SPAN_TIER.get(span, f"{'I' * max(lo, 1)} to {'I' * hi}"),
        "years": years[hi] if max(lo, 1) == hi else f"{years[lo]} or {years[hi]}",
        "note": "; ".join(dict.fromkeys(notes)) or None,
        "certainty": "verified" if certain and lo == hi else unsure,
    }


def consequences(
    book: Rulebook, sc: Scenario, offense_date: dt.date | None, sentencing_date: dt.date | None = None
) -> dict[str, Any]:
    """Money, registration, forfeiture and appeal rights for the scenario's counts of conviction."""
    doc = book.documents["consequences"]
    if sc.case is None:
        raise PlealeverError(f"scenario {sc.spec.id} has no case to take consequences from")
    statutes, tiers = [], []
    for c in sc.case.counts:
        s = _key(book, c.statute)
        statutes += [s] * c.count
        by = doc["registration"]
        # 34 U.S.C. § 20911(3)(B)(iii): distribution is tier II; the prong pleaded decides a
        # receipt-or-distribution count, and an unstated prong leaves it "I or II".
        pleaded = c.prong if s.offense_class == "receipt_or_distribution" else None
        tiers.append(by["by_prong"][pleaded] if pleaded in by["by_prong"] else by["by_class"][s.offense_class])
    n = len(statutes)
    classes = [s.offense_class for s in statutes]
    reg = _registration_tier(tiers, doc["registration"], _prior_sex_offense(sc.case))
    a3014 = doc["additional_assessment_3014"]
    # The assessment is imposed at sentencing, so the sentencing date (or today) dates it.
    day = sentencing_date or dt.date.today()
    version = in_force(a3014["versions"], day, start="from", end="to")
    in_3014 = [s for s in statutes if s.chapter in a3014["chapters"]]
    avaa = doc["avaa_assessment_2259A"]["maximum_by_class"]
    restitution = doc["restitution_2259"]
    trafficking_case = any(k in restitution["trafficking_classes"] for k in classes)
    return {
        "special_assessment_3013": doc["special_assessment_3013"]["per_felony_count"] * n,
        "additional_assessment_3014": {
            "amount_if_non_indigent": a3014["per_count"] * len(in_3014) if version else 0,
            "status": (version or {}).get("note", "outside the assessment's period"),
            "certainty": (version or {}).get("certainty", "verified"),
            "dated_by": f"the sentencing date ({day}); the assessment is imposed at sentencing",
        },
        "avaa_assessment_2259A_max": sum(avaa[k] for k in classes if k in avaa),
        "restitution_minimum_per_victim": restitution["trafficking_minimum_per_victim"]
        if trafficking_case
        else None,
        "restitution_note": restitution["note"],
        "forfeiture": doc["forfeiture_2253"]["text"],
        "registration": {
            "tier": reg["tier"],
            "years": reg["years"],
            "note": reg.get("note"),
            "certainty": reg.get("certainty", doc["registration"]["certainty"]),
        },
        "appeal": "waived except as the law preserves (e.g. a miscarriage of justice)"
        if (sc.spec.kind == "plea" and sc.spec.appeal_waiver)
        else "kept",
        "authorities": [
            "usc-18-3013",
            "usc-18-3014",
            "usc-18-2259A",
            "usc-18-2259",
            "usc-18-2253",
            "usc-34-20911",
            "usc-34-20915",
        ],
    }
