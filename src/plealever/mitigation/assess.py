"""The mitigation assessment: per-factor strength and reasons, the elements of each trial defense,
levers (after the profile), gaps, risks, the package's completeness and a disclosure plan. Pure
function of the case file and the law data; the legal frames come from law/data/circuit-law.yaml."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from plealever.case.model import Case
from plealever.errors import EditionError
from plealever.guidelines.trace import NOTICE
from plealever.law.editions import edition_in_force
from plealever.law.rulebook import Rulebook, rulebook
from plealever.law.statutes import find_statute
from plealever.mitigation.evaluators import EVALUATORS, LEVELS, Context, Element, Findings
from plealever.mitigation.levers import (
    LeverStatus,
    era,
    lever_statuses,
    sentenced_under_2G2_2,
    sentencing_entrapment_stance,
    variance_stance,
)
from plealever.mitigation.timing import disclosure_plan

BANDS = ["absent", "weak", "moderate", "strong"]
CIRCUIT_NAMES = {
    "1": "First",
    "2": "Second",
    "3": "Third",
    "4": "Fourth",
    "5": "Fifth",
    "6": "Sixth",
    "7": "Seventh",
    "8": "Eighth",
    "9": "Ninth",
    "10": "Tenth",
    "11": "Eleventh",
    "DC": "D.C.",
}


@dataclass
class Statement:
    """A sentence of the assessment and the registry ids that support it."""

    text: str
    authorities: list[str] = field(default_factory=list)


@dataclass
class Lever:
    lever: str
    label: str
    how: str
    status: str
    why: list[str]
    authorities: list[str]


@dataclass
class Factor:
    factor: str
    title: str
    band: str
    score: int
    reasons: list[Statement]
    levers: list[Lever]
    missing: list[Statement]
    risks: list[Statement]
    frame: list[Statement]
    items: list[str]
    # The trial defenses (entrapment, coercion_duress, knowledge, and the insanity limb of
    # mental_health) list their elements; complete_defense is every element met and corroborated.
    elements: list[Element] = field(default_factory=list)
    complete_defense: bool = False
    criteria: list[str] = field(default_factory=list)  # the rubric criteria met, by id

    @property
    def authorities(self) -> list[str]:
        ids: list[str] = []
        for group in (self.reasons, self.missing, self.risks, self.frame):
            for s in group:
                ids += [a for a in s.authorities if a not in ids]
        for lever in self.levers:
            ids += [a for a in lever.authorities if a not in ids]
        for e in self.elements:
            ids += [a for a in e.authorities if a not in ids]
        return ids


@dataclass
class Assessment:
    factors: list[Factor]
    package: dict[str, Any]
    levers: dict[str, LeverStatus]
    plan: list[dict[str, Any]]
    warnings: list[str]
    edition: dt.date | None
    empty: bool
    era: dict[str, Any] | None = None  # the charging memorandum in force (negotiation-policy.yaml)
    book: Rulebook = field(repr=False, compare=False, default=None)  # type: ignore[assignment]
    frame: list[Statement] = field(default_factory=list)  # case-level law (the §2G2.2 policy variance)
    circuit: str | None = None

    def to_dict(self) -> dict[str, Any]:
        book = self.book
        cited = []
        for f in self.factors:
            cited += [a for a in f.authorities if a not in cited]
        for s in self.levers.values():
            cited += [a for a in s.authorities if a not in cited]
        for s in self.frame:
            cited += [a for a in s.authorities if a not in cited]
        for step in self.plan:
            cited += [a for a in step["authorities"] if a not in cited]
        return {
            "edition": self.edition.isoformat() if self.edition else None,
            "empty": self.empty,
            "circuit": self.circuit,
            "factors": [{**asdict(f), "authorities": f.authorities} for f in self.factors],
            "package": self.package,
            "levers": {k: asdict(v) for k, v in self.levers.items()},
            "frame": [asdict(s) for s in self.frame],
            "disclosure_plan": self.plan,
            "warnings": self.warnings,
            "authorities": {
                a: {
                    "cite": book.authorities[a].cite,
                    "url": book.authorities[a].url,
                    "year": book.authorities[a].year,
                    "verified": book.authorities[a].verified,
                }
                for a in cited
            },
            "notice": NOTICE,
        }


def score(
    rubric: dict[str, Any], bands: dict[str, int], findings: Findings
) -> tuple[int, str, list[Statement]]:
    """Weights from the rubric applied to the criteria met; caps applied; reasons for every point."""
    criteria = rubric.get("criteria", {})
    met = {h.criterion: h for h in findings.hits}
    total = 0
    reasons: list[Statement] = []
    for name, hit in met.items():
        spec = criteria[name]
        weight = spec["weight"]
        points = min(weight * hit.count, spec["max"]) if spec.get("per_item") else weight
        total += points
        sign = "+" if points >= 0 else ""
        reasons.append(
            Statement(f"{sign}{points}: {spec['label']} ({'; '.join(hit.facts)})", list(spec["authorities"]))
        )
    total = max(0, min(100, total))
    band = _band(total, bands, findings)
    if band == "absent":
        reasons.append(_absent(findings))
    elif not met:
        reasons.append(
            Statement(
                f"the items in hand ({', '.join(i for i in findings.items if i not in findings.pending)}) "
                "meet no criterion of the rubric"
            )
        )
    for cap in rubric.get("caps", []):
        applies = ("unless" in cap and cap["unless"] not in met) or (
            "if_any" in cap and any(c in met for c in cap["if_any"])
        )
        if applies and BANDS.index(band) > BANDS.index(cap["max_band"]):
            band = cap["max_band"]
            reasons.append(
                Statement(f"capped at {band}: {cap['reason']}", list(_cap_authorities(rubric, cap)))
            )
    return total, band, reasons


def score_elements(
    rubric: dict[str, Any], rub: dict[str, Any], findings: Findings
) -> tuple[int, str, list[Statement], bool]:
    """A trial defense scored on its elements: each earns its weight times its provability (of 3),
    scaled to 100 over the elements the governing law states; then the element caps.

    Where the evidence holds several candidate episodes (duress: one per threat), each is judged whole,
    since the elements must hold together; the factor takes the candidate with the best band (then a
    complete defense, then the score) for its elements, and the best score of any candidate, so that
    strengthening one item can never lower either."""
    candidates = findings.candidates or [findings.elements]
    judged = [_judge(rubric, rub, findings, els) for els in candidates]
    best = max(range(len(judged)), key=lambda i: (BANDS.index(judged[i][1]), judged[i][3], judged[i][0]))
    total, band, reasons, complete = judged[best]
    findings.elements = candidates[best]
    top = max(j[0] for j in judged)
    if top > total:
        reasons.append(
            Statement(
                f"another episode scores {top} on its elements but is not the strongest defense as a whole"
            )
        )
    return top, band, reasons, complete


def _judge(rubric: dict[str, Any], rub: dict[str, Any], findings: Findings, elements: list[Element]):
    weights = rubric["weights"]
    total_weight = sum(weights[e.element] for e in elements) or 1
    raw = sum(weights[e.element] * e.level for e in elements)
    total = round(100 * raw / (3 * total_weight))
    reasons: list[Statement] = []
    usable = [i for i in findings.items if i not in findings.pending]
    for e in elements if usable else []:
        points = round(100 * weights[e.element] * e.level / (3 * total_weight))
        state = {True: "met", False: "not met", None: "not shown"}[e.met]
        reasons.append(
            Statement(
                f"+{points}: {e.label}: {state}, {e.provability} ({'; '.join(e.reasons)})",
                list(e.authorities),
            )
        )
    band = _band(total, rub["bands"], findings)
    if band == "absent":
        reasons.append(_absent(findings))
    complete = _complete(elements, rub)
    for cap in rubric.get("caps", []):
        failed = [e for e in elements if e.element in cap.get("element_false", []) and e.met is False]
        if failed and BANDS.index(band) > BANDS.index(cap["max_band"]):
            band = cap["max_band"]
            reasons.append(Statement(f"capped at {band}: {cap['reason']}", list(cap.get("authorities", []))))
    limit = rub["provability"]["incomplete_max_band"]
    if not complete and band != "absent" and BANDS.index(band) > BANDS.index(limit):
        band = limit
        missing = [e.label for e in elements if e.met is not True or e.level < _complete_at(rub)]
        reasons.append(
            Statement(
                f"capped at {band}: an element is missing or uncorroborated ({'; '.join(missing)}), so it is not a "
                "complete defense; the sentencing levers remain"
            )
        )
    if complete:
        shown_by = sorted({i for e in elements for i in e.items})
        reasons.append(
            Statement(
                f"every element is met and corroborated ({', '.join(shown_by)}): a complete defense the government "
                "must price"
            )
        )
    return total, band, reasons, complete


def _complete_at(rub: dict[str, Any]) -> int:
    return LEVELS.index(rub["provability"]["complete_at"])


def _complete(elements: list[Element], rub: dict[str, Any]) -> bool:
    return bool(elements) and all(e.met is True and e.level >= _complete_at(rub) for e in elements)


def _band(total: int, bands: dict[str, int], findings: Findings) -> str:
    if not findings.items or len(findings.pending) == len(findings.items):
        return "absent"
    return "strong" if total >= bands["strong"] else "moderate" if total >= bands["moderate"] else "weak"


def _absent(findings: Findings) -> Statement:
    return Statement(
        "absent: nothing in hand for this factor"
        + (f" (still sought: {', '.join(findings.pending)})" if findings.pending else "")
    )


def _cap_authorities(rubric: dict[str, Any], cap: dict[str, Any]) -> list[str]:
    names = [cap["unless"]] if "unless" in cap else cap["if_any"]
    out: list[str] = []
    for n in names:
        out += [a for a in rubric["criteria"][n]["authorities"] if a not in out]
    return out


def _edition(book: Rulebook, case: Case, today: dt.date) -> dt.date | None:
    day = case.manual or case.sentencing_date or today
    try:
        return edition_in_force(book, day, field="manual")
    except EditionError:  # an edition outside the data only drops the edition-specific frame
        return None


def assess(case: Case, *, book: Rulebook | None = None, today: dt.date | None = None) -> Assessment:
    """The mitigation assessment of `case` under the law data `book` (the bundled rulebook if omitted)."""
    book = book if book is not None else rulebook()
    today = today or dt.date.today()
    rub = book.documents["mitigation-rubric"]
    levers = lever_statuses(book, case, today)
    edition = _edition(book, case, today)
    ctx = Context.build(book, case)
    factors: list[Factor] = []
    warnings: list[str] = []
    for name, fn in EVALUATORS.items():
        spec = rub["factors"][name]
        findings = fn(case, ctx)
        complete = False
        if "weights" in spec:
            total, band, reasons, complete = score_elements(spec, rub, findings)
        else:
            total, band, reasons = score(spec, rub["bands"], findings)
            # The insanity limb decides the lever, not the score; it is explained once there is evidence of it.
            if (
                findings.elements
                and band != "absent"
                and any(e.met is not None or e.level for e in findings.elements)
            ):
                complete = _complete(findings.elements, rub)
                reasons += _insanity_reasons(findings, complete)
        reasons += [Statement(n) for n in findings.notes]
        factor = Factor(
            factor=name,
            title=spec["title"],
            band=band,
            score=total,
            reasons=reasons,
            levers=_levers(rub, name, band, complete, levers),
            missing=_missing(spec, findings, rub),
            risks=_risks(rub, name, case, findings) if findings.items else [],
            frame=_frame(book, case, name, edition),
            items=findings.items,
            elements=findings.elements,
            complete_defense=complete,
            criteria=[h.criterion for h in findings.hits],
        )
        factors.append(factor)
    package = _package(rub, case)
    empty = not case.mitigation
    if empty:
        warnings.append(
            "No mitigation evidence is recorded. Nothing is scored; each factor lists what to look for."
        )
    plan, plan_warnings = disclosure_plan(book, case, factors, today)
    warnings += plan_warnings
    return Assessment(
        factors,
        package,
        levers,
        plan,
        warnings,
        edition,
        empty,
        era(book, case, today)[1],
        book,
        _case_frame(book, case),
        case.court.circuit,
    )


def _insanity_reasons(findings: Findings, complete: bool) -> list[Statement]:
    out = []
    for e in findings.elements:
        state = {True: "met", False: "not met", None: "not shown"}[e.met]
        out.append(
            Statement(
                f"insanity, {e.label}: {state}, {e.provability} ({'; '.join(e.reasons)})", list(e.authorities)
            )
        )
    if complete:
        out.append(
            Statement(
                "insanity: both elements are met and corroborated, so the defense can be raised at trial"
            )
        )
    return out


def _levers(rub, name: str, band: str, complete: bool, statuses: dict[str, LeverStatus]) -> list[Lever]:
    out: list[Lever] = []
    for spec in rub["factor_levers"].get(name, []):
        if BANDS.index(band) < BANDS.index(spec["min_band"]) or band == "absent":
            continue
        if spec.get("requires") == "complete_defense" and not complete:
            continue
        st = statuses[spec["lever"]]
        out.append(
            Lever(
                lever=spec["lever"],
                label=rub["levers"][spec["lever"]],
                how=spec["how"],
                status=st.status,
                why=list(st.reasons),
                authorities=list(dict.fromkeys(spec["authorities"] + st.authorities)),
            )
        )
    return out


def _missing(spec: dict[str, Any], findings: Findings, rub: dict[str, Any]) -> list[Statement]:
    out = [Statement(f"still being sought: {label}") for label in findings.pending]
    # Only what the governing law asks for: a look-for tied to elements the circuit does not state is dropped.
    stated = {e.element for e in findings.elements}
    look_for = [
        x
        for x in spec["look_for"]
        if "weights" not in spec or set(x["unless"]) & stated or not findings.elements
    ]
    if len(findings.pending) == len(findings.items):
        return out + [Statement(f"look for {item['what']}") for item in look_for]
    done = {h.criterion for h in findings.hits}
    done |= {e.element for e in findings.elements if e.met is True and e.level >= _complete_at(rub)}
    if "weights" in spec:
        for e in findings.elements:
            if e.met is None:
                out.append(Statement(f"not shown: {e.label}", list(e.authorities)))
            elif e.met and e.level < _complete_at(rub):
                out.append(Statement(f"not corroborated: {e.label}", list(e.authorities)))
    else:
        for name, c in spec["criteria"].items():
            if c["weight"] > 0 and name not in done and "alternative_of" not in c:
                out.append(Statement(f"not shown: {c['label']}", list(c["authorities"])))
    out += [Statement(f"next step: {item['what']}") for item in look_for if not set(item["unless"]) <= done]
    return out


def _risks(rub, name: str, case: Case, findings: Findings) -> list[Statement]:
    d = rub["disclosure"]["factors"][name]
    in_hand = [i for i in case.mitigation if i.label in findings.items and i.status != "sought"]
    if in_hand and all(i.status == "disclosed" for i in in_hand):
        return [
            Statement(
                f"already disclosed ({', '.join(i.label for i in in_hand)}): the disclosure plan says what that "
                "cost and what is still protected",
                list(d["authorities"]),
            )
        ]
    return [
        Statement(f"disclosing it risks: {d['risk']}", list(d["authorities"])),
        Statement(f"protection: {d['protection']}", list(d["authorities"])),
    ]


def _classes(book: Rulebook, case: Case) -> list[str]:
    out = []
    for count in case.counts:
        s = find_statute(book, count.statute)
        if s is not None and s.offense_class not in out:
            out.append(s.offense_class)
    return out


def _frame(book: Rulebook, case: Case, name: str, edition: dt.date | None) -> list[Statement]:
    """The legal frame for the factor at trial and at sentencing: the general law, the case's circuit
    (or that no rule of it was found), by the edition in use and the offense's mental state."""
    law = book.circuit_law
    g = law.general
    circuit = case.court.circuit
    own = law.circuits[circuit] if circuit else None
    out: list[Statement] = []

    def frame(f) -> None:
        out.append(Statement(f.text, list(f.authorities)))

    def circuit_rule(topic: str) -> None:
        rule = getattr(own, topic) if own else None
        if rule is not None and rule.status == "settled":
            out.append(Statement(rule.text, list(rule.authorities)))
        else:
            out.append(Statement(law.unsettled(circuit, topic)))

    post_2025 = edition is not None and book.at("5K2.0", edition) is None
    if name in ("mental_health", "personal_history", "coercion_duress"):
        frame(g.departures_removed if post_2025 else g.departures_limited)
        stance, _ = variance_stance(book, case)
        if name != "coercion_duress" and stance == "skeptical" and sentenced_under_2G2_2(book, case):
            frame(g.individualized_variance)
    if name == "mental_health":
        frame(g.insanity)
        frame(g.mental_condition)
        classes = _classes(book, case)
        knowing = law.mental_state["knowing"]
        specific = law.mental_state["specific_intent"]
        for cls in classes:
            if cls in specific.classes:
                out.append(
                    Statement(specific.text.format(what=specific.what[cls]), list(specific.authorities))
                )
        if any(c in knowing.classes for c in classes):
            out.append(Statement(knowing.text, list(knowing.authorities)))
        circuit_rule("mental_condition")
    if name == "coercion_duress":
        frame(g.duress)
        circuit_rule("duress")
        _, is_own = law.duress_elements(circuit)
        if not is_own:
            out.append(
                Statement(
                    "the elements applied are the general statement (threat, fear, no reasonable legal alternative, "
                    "not recklessly placing oneself there)",
                    list(g.duress.authorities),
                )
            )
    if name == "entrapment":
        frame(g.entrapment)
        circuit_rule("entrapment")
        stance, cites = sentencing_entrapment_stance(book, case)
        position = own.sentencing_entrapment if own else None
        if position is not None and stance != "unsettled":
            out.append(Statement(f"sentencing: {position.text}", cites))
        else:
            out.append(Statement("sentencing: " + law.unsettled(circuit, "sentencing_entrapment")))
    if name == "knowledge":
        frame(g.knowledge)
    if name == "cooperation":
        frame(g.cooperation)
    return out


def _case_frame(book: Rulebook, case: Case) -> list[Statement]:
    """The §2G2.2 policy-variance law, for cases with a count sentenced under §2G2.2 only."""
    if not sentenced_under_2G2_2(book, case):
        return []
    law = book.circuit_law
    out = [Statement(law.general.policy_variance.text, list(law.general.policy_variance.authorities))]
    circuit = case.court.circuit
    position = law.circuits[circuit].policy_variance_2G2_2 if circuit else None
    if position is not None and position.text:
        out.append(Statement(f"sentencing: {position.text}", list(position.authorities)))
    if position is None or position.stance == "unsettled":
        out.append(Statement("sentencing: " + law.unsettled(circuit, "policy_variance_2G2_2")))
    if case.court.policy_disagreement_2G2_2:
        out.append(Statement(f"the court's own stance, as given: {case.court.policy_disagreement_2G2_2}"))
    return out


def _package(rub, case: Case) -> dict[str, Any]:
    usable = [i for i in case.mitigation if i.status != "sought"]
    rows = []
    for row in rub["package"]["checklist"]:
        have = [i.label for i in usable if i.kind in row["kinds"]]
        sought = [i.label for i in case.mitigation if i.kind in row["kinds"] and i.status == "sought"]
        rows.append(
            {
                "id": row["id"],
                "label": row["label"],
                "complete": len(have) >= row["at_least"],
                "have": have,
                "sought": sought,
                "need": row["at_least"],
            }
        )
    done = sum(r["complete"] for r in rows)
    return {
        "complete": done,
        "of": len(rows),
        "checklist": rows,
        "next": [r["label"] for r in rows if not r["complete"]],
    }
