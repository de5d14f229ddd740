"""Every scenario side by side: exposure, availability, the likelihood the government agrees (term by
term, with its source), the chance of conviction at trial (defense by defense), the sentence
distribution (mixing what the court may do with a stipulation or a (C) agreement), months saved,
dominance, the break-even probability of conviction, the recommended option and whether it survives
every assumption's range, the offers on file, the value of each missing piece of mitigation, and the
sensitivity of the expected sentence to each stipulation or mitigation item."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from plealever.case.model import Case
from plealever.errors import PlealeverError
from plealever.guidelines.trace import NOTICE, Result
from plealever.law.rulebook import Rulebook, rulebook
from plealever.mitigation.assess import Assessment, assess
from plealever.mitigation.levers import sentenced_under_2G2_2, variance_stance
from plealever.negotiation import odds
from plealever.negotiation import scenarios as sc_mod
from plealever.negotiation.assumptions import assumption_list, robustness
from plealever.negotiation.outcomes import Judge, Params, months, sentence_draws, summarize
from plealever.negotiation.practice import PLEA_OF_SCENARIO, cell_for, load_params
from plealever.negotiation.pricing import AS_CHARGED, TRIAL, Priced, Pricer, seed_for

BANDS = ["absent", "weak", "moderate", "strong"]
SENTENCING_FACTORS = ("mental_health", "personal_history", "coercion_duress")


@dataclass
class Comparison:
    rows: list[dict[str, Any]]
    sensitivity: list[dict[str, Any]]
    parameters: list[dict[str, Any]]
    warnings: list[str]
    draws: dict[str, Any] = field(default_factory=dict)  # scenario id -> simulated months (for charts)
    scenarios: dict[str, sc_mod.Scenario] = field(default_factory=dict)  # id -> scenario with its Result
    calculations: int = 0  # per-Manual guideline calculations this comparison ran
    assumptions: list[dict[str, Any]] = field(default_factory=list)  # every parameter, measured or assumed
    recommended: str | None = None  # the option with the fewest expected months
    robust: dict[str, Any] = field(default_factory=dict)  # recommended id -> True, or what flips it
    robustness: dict[str, Any] = field(default_factory=dict)  # the check in full (assumptions varied)
    offers: list[dict[str, Any]] = field(default_factory=list)  # every offer on file, priced
    investigation: list[dict[str, Any]] = field(default_factory=list)  # missing evidence, ranked by value
    conviction: dict[str, Any] = field(default_factory=dict)  # the trial model: base, lines of defense
    practice_basis: dict[str, Any] = field(default_factory=dict)  # the years and rows the sentences rest on

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenarios": self.rows,
            "sensitivity": self.sensitivity,
            "parameters": self.parameters,
            "warnings": self.warnings,
            "assumptions": self.assumptions,
            "recommended": self.recommended,
            "robust": self.robust,
            "robustness": self.robustness,
            "offers": self.offers,
            "investigation": self.investigation,
            "conviction": self.conviction,
            "practice_model": self.practice_basis,
            "notice": NOTICE,
        }


def profile(assessment: Assessment) -> tuple[str, dict[str, str], list[str]]:
    """The mitigation band that bears on sentence, the trial defenses found, and what produced them."""
    factors = {f.factor: f for f in assessment.factors}
    band = max((factors[k].band for k in SENTENCING_FACTORS), key=BANDS.index)
    defenses: dict[str, str] = {}
    for name in ("entrapment", "coercion_duress", "knowledge"):
        if factors[name].band in ("moderate", "strong"):
            defenses[name] = factors[name].band
    if any(lv.lever == "acquittal_risk" for lv in factors["mental_health"].levers):
        defenses["mental_health_insanity"] = "strong"
    why = [f"mitigation bearing on sentence: {band}"] + [
        f"defense found: {k} ({v})" for k, v in defenses.items()
    ]
    return band, defenses, why


def cooperation_band(assessment: Assessment) -> str:
    return next((f.band for f in assessment.factors if f.factor == "cooperation"), "absent")


def compare(
    case: Case,
    *,
    assessment: Assessment,
    charged: Result | None = None,
    book: Rulebook | None = None,
    today: dt.date | None = None,
    draws: int | None = None,
    seed: int | None = None,
) -> Comparison:
    """Every scenario of `case` side by side, reading the mitigation `assessment` already made.

    Each scenario is calculated once; the plea as charged is calculated first (or taken from `charged`,
    the calculation of the charges, when the overlay leaves the case unchanged) and its result reused
    for the (C) cap, the image-tier stipulation and the sensitivity base. A stipulation's unstipulated
    counterpart reuses any scenario with the same overlay."""
    book = book if book is not None else rulebook()
    today = today or dt.date.today()
    params = Params(book, case.outcome_parameters)
    n = int(draws or params["draws"])
    base_seed = int(params["seed"] if seed is None else seed)
    statuses = assessment.levers
    stance, _ = variance_stance(book, case)
    if not sentenced_under_2G2_2(book, case):  # the same rule the lever status uses
        stance = "not_applicable"
    band, _, _ = profile(assessment)
    warnings: list[str] = []  # what a reader must not miss; the band itself is in the assessment
    late = sc_mod.late_notice(case, today)
    if late:
        warnings.append("Acceptance: " + late + ".")
    as_charged = _late(sc_mod.AS_CHARGED, late)
    same = charged is not None and sc_mod.overlay(case, as_charged) == case.model_copy(update={"scenarios": []})
    base = sc_mod.evaluate(book, case, as_charged, True, statuses, today, result=charged if same else None)
    specs = [(_late(s, late), True) for s in sc_mod.generate(book, case, as_charged=base.result) if s is not sc_mod.AS_CHARGED]
    specs = [(as_charged, True)] + specs
    offers_on_file = case.negotiation.offers
    live = [o for o in offers_on_file if o.status_on(today) in ("open", "accepted")]
    offer_specs = {sc_mod.offer_spec(o).id: o for o in live}
    user_ids = {s.id for s in case.scenarios} | set(offer_specs)
    specs = [(s, g) for s, g in specs if s.id not in user_ids] + [(_late(s, late), False) for s in case.scenarios]
    specs += [(_late(sc_mod.offer_spec(o), late), False) for o in live]
    cache: dict[str, Result] = {}
    if base.result is not None:
        cache[_overlay_key(case, as_charged)] = base.result
    evaluated = []
    for spec, generated in specs:
        if spec is as_charged:
            evaluated.append(base)
            continue
        key = _overlay_key(case, spec)
        sc = sc_mod.evaluate(book, case, spec, generated, statuses, today, result=cache.get(key))
        if sc.result is not None:
            cache.setdefault(key, sc.result)
        evaluated.append(sc)
    for sc in evaluated:
        if sc.spec.id in offer_specs:
            _as_offer(sc, offer_specs[sc.spec.id])
        if sc.spec.kind == "plea" and sc_mod.stipulates(sc.spec) and sc.result is not None:
            key = _overlay_key(case, sc_mod.unstipulated(sc.spec))
            if key not in cache:
                try:
                    cache[key] = sc_mod.calculate(sc_mod.overlay(case, sc_mod.unstipulated(sc.spec)), book=book, today=today)
                except PlealeverError as exc:
                    sc.notes.append(f"the plea without the stipulation cannot be computed: {exc.one_line()}")
            sc.unstipulated = cache.get(key)
        if late and sc.spec.kind == "plea" and sc.spec.acceptance == "two_level":
            sc.notes.append("two acceptance levels: " + late)
    calculations = sum(r.calculations for k, r in cache.items() if not (same and r is charged))
    pricer = Pricer(
        params,
        n,
        base_seed,
        case.prosecutor.evidence_strength,
        band,
        cooperation_band(assessment),
        odds.defenses_from(assessment, case),
    )
    context = _Context(book, case, stance, params, today)
    for sc in evaluated:
        priced = _priced(context, sc)
        if priced is not None:
            pricer.scenarios[sc.spec.id] = priced
    prices, conv = pricer.price()
    rows = [_row(context, pricer, prices, conv, sc) for sc in evaluated]
    _compare_rows(rows)
    # The offender-row model measures trial sentences and local practice itself (outcomes.shares), so the
    # older supplemental-file adjustments for them are not used and not varied.
    unused = {
        "trial_below_factor": "the practice model measures sentences after trial (DSPLEA 8) at the same range",
        "circuit_below_shift": "the practice model measures the district's and circuit's practice",
        "within_range_position": "the practice model draws a within-range sentence from the FY2019-2023 rows",
    }
    recommended, robust, check = _recommend(pricer, params, rows, set(unused))
    sensitivity, extra = _sensitivity(book, case, base, as_charged, params, n, base_seed, band, stance, today)
    offer_records, offer_calcs = _offer_records(context, pricer, statuses, evaluated, rows, recommended, today, late)
    from plealever.negotiation.investigation import rank

    investigation = rank(case, assessment, pricer, book=book, today=today) if recommended else []
    draws_by_id = {r["id"]: r.pop("_draws") for r in rows if "_draws" in r}
    for values in draws_by_id.values():
        values.setflags(write=False)  # the analysis is a value: charts read these, nobody writes them
    warnings += [w for rec in offer_records for w in rec["warnings"]]
    return Comparison(
        rows,
        sensitivity,
        params.describe(),
        list(dict.fromkeys(warnings)),
        draws_by_id,
        {sc.spec.id: sc for sc in evaluated},
        calculations + extra + offer_calcs,
        assumption_list(params, unused),
        recommended,
        robust,
        check,
        offer_records,
        investigation,
        {
            "probability": round(conv.probability, 3),
            "base": round(conv.base, 3),
            "defense_gain": round(conv.defense_gain, 3),
            "lines": conv.lines,
            "basis": conv.basis,
        },
        load_params().basis(today),
    )


@dataclass
class _Context:
    book: Rulebook
    case: Case
    stance: str
    params: Params
    today: dt.date


def _late(spec, late: str | None):
    """A plea's acceptance when the §3E1.1(b) date has passed: two levels unless the scenario says."""
    if not late or spec.kind != "plea" or spec.acceptance is not None:
        return spec
    return spec.model_copy(update={"acceptance": "two_level"})


def _overlay_key(case: Case, spec) -> str:
    return sc_mod.overlay(case, spec).model_dump_json()


def _as_offer(sc: sc_mod.Scenario, offer) -> None:
    """An open or accepted offer is the government's own: available, whatever the lever statuses."""
    sc.offer = offer.id
    sc.generated = False
    sc.availability = "available"
    when = f"until {offer.expires.isoformat()}" if offer.expires else "with no expiry set"
    sc.reasons = [
        f"offered by the government on {offer.date.isoformat()} ({offer.status}, {when})"
    ]


def _judge(context: _Context, result: Result, spec, *, binding: bool = True) -> Judge:
    c = result.calculation
    plea = "trial" if spec.kind == "trial" else PLEA_OF_SCENARIO[spec.plea_type]
    return Judge(
        range_min=months(c.effective_range.min),
        range_max=months(c.effective_range.max),
        statutory_min=months(c.statutory_range.min),
        statutory_max=months(c.statutory_range.max),
        mitigation_band="absent",  # the pricer sets the band
        circuit=context.stance,
        judge=context.case.court.judge_tendency or "typical",
        recommendation=spec.recommendation if spec.kind == "plea" else "none",
        government_motion=spec.government_motion,
        binding=(spec.agreed_range.min, spec.agreed_range.max) if (spec.agreed_range and binding) else None,
        trial=spec.kind == "trial",
        practice=cell_for(context.case, c, plea=plea, today=context.today),
    )


def _priced(context: _Context, sc: sc_mod.Scenario) -> Priced | None:
    if sc.result is None:
        return None
    spec = sc.spec
    judges = {"main": _judge(context, sc.result, spec)}
    stipulated = spec.kind == "plea" and sc.unstipulated is not None
    binding = spec.kind == "plea" and spec.plea_type == "C" and spec.agreed_range is not None
    if binding:
        judges["unbound"] = _judge(context, sc.unstipulated or sc.result, spec, binding=False)
    elif stipulated:
        judges["unstipulated"] = _judge(context, sc.unstipulated, spec)
    statuses = _statuses(sc)
    return Priced(
        spec.id,
        spec.kind,
        sc.availability != "closed",
        list(sc.terms),
        statuses,
        judges,
        stipulated=stipulated,
        binding=binding,
        offered=sc.offer is not None,
    )


def _statuses(sc: sc_mod.Scenario) -> dict[str, str]:
    """Each lever's status for this scenario; a closed scenario gets no agreement at all."""
    if sc.availability == "closed":
        return dict.fromkeys(sc.levers, "closed")
    return dict(sc.lever_statuses)


def _row(context: _Context, pricer: Pricer, prices, conv: odds.Conviction, sc: sc_mod.Scenario) -> dict[str, Any]:
    book, case = context.book, context.case
    spec = sc.spec
    row: dict[str, Any] = {
        "id": spec.id,
        "label": spec.label,
        "kind": spec.kind,
        "generated": sc.generated,
        "plea_type": spec.plea_type if spec.kind == "plea" else None,
        "availability": sc.availability,
        "availability_reasons": sc.reasons,
        "levers": sc.levers,
        "notes": sc.notes,
        "offer": sc.offer,
    }
    if sc.result is None:
        row["error"] = sc.error
        row["availability"] = "closed"
        return row
    c = sc.result.calculation
    priced = pricer.scenarios[spec.id]
    price = prices[spec.id]
    draws = pricer.mixture(priced, price.weights)
    row.update(
        {
            "edition": c.edition.isoformat(),
            "total_offense_level": c.total_offense_level,
            "criminal_history_category": c.criminal_history_category,
            "acceptance": sc.case.acceptance if sc.case is not None else None,
            "guideline_range": c.guideline_range.to_dict(),
            "statutory_range": c.statutory_range.to_dict(),
            "effective_range": c.effective_range.to_dict(),
            "mandatory_minimum": c.statutory_range.min,
            "supervised_release": c.supervised_release.to_dict(),
            "counts": [x.statute for x in c.counts],
            "consequences": sc_mod.consequences(book, sc, case.offense_date, case.sentencing_date or context.today),
            "warnings": list(dict.fromkeys(sc.result.warnings + c.warnings)),
        }
    )
    row["_draws"] = draws
    statutory_min = months(c.statutory_range.min)
    if spec.kind == "trial":
        rng = np.random.default_rng(seed_for(pricer.base_seed, spec.id) + 1)
        acquitted = rng.uniform(0, 1, pricer.n) > conv.probability
        row["_draws"] = np.where(acquitted, 0.0, draws)
        row["outcome"] = summarize(draws, statutory_min, acquitted)
        row["conviction_probability"] = {
            "mean": round(conv.probability, 3),
            "base": round(conv.base, 3),
            "basis": conv.basis,
            "lines": conv.lines,
        }
        row["agreement_probability"] = None
        row["expected_if_pursued"] = round(price.expected, 1)
        return row
    row["outcome"] = summarize(draws, statutory_min)
    a = price.agreement
    row["agreement_probability"] = round(a.probability, 2)
    if sc.offer is not None:
        basis = [f"the government's own offer ({sc.offer}); it needs only acceptance while open"]
    elif spec.id == AS_CHARGED:
        basis = ["an open plea to every count needs no agreement"]
    else:
        basis = a.basis
    row["agreement"] = {"probability": round(a.probability, 3), "terms": a.terms, "basis": basis}
    row["expected_if_pursued"] = round(price.expected, 1)
    values = pricer.params.values
    if priced.binding:
        r = float(values["binding_rejected"])
        row["binding"] = {
            "rejected_probability": r,
            "mean_if_accepted": round(price.means["main"], 1),
            "mean_if_rejected": round(price.means["unbound"], 1),
        }
        row["notes"] = row["notes"] + [
            "a Rule 11(c)(1)(C) agreement binds the court once it accepts it, stipulated guideline facts "
            f"included; the court may reject it (assumed {r:.0%}: binding_rejected), and the defendant may "
            "then withdraw the plea (§6B1.3); the sentence shown mixes the two"
        ]
    elif priced.stipulated:
        q = float(values["stipulation_followed"])
        row["stipulation"] = {
            "followed_probability": q,
            "mean_if_followed": round(price.means["main"], 1),
            "mean_if_not_followed": round(price.means["unstipulated"], 1),
        }
        row["notes"] = row["notes"] + _stipulation_notes(context, q)
    return row


def _stipulation_notes(context: _Context, q: float) -> list[str]:
    from plealever.mitigation.levers import era

    book, case = context.book, context.case
    notes = [
        "the court and probation are not bound by a stipulation (§6B1.4(d)): the presentence report scores "
        "what the material shows, and relevant conduct (§1B1.3) may restore the stipulated fact; the sentence "
        f"shown mixes the stipulated and unstipulated results at a {q:.0%} chance the court follows it "
        "(stipulation_followed, an assumption)",
        "a stipulation must not contain misleading facts (§6B1.4(a)(2)); a fact the material shows cannot "
        "honestly be stipulated away, only disputed",
    ]
    _, current = era(book, case, context.today)
    if current:
        notes.append(f"charging policy: {current['label']}: {current['note']}")
    if "no_stipulations_against_facts" in case.prosecutor.office_rules:
        notes.append("the office does not stipulate to facts it believes it can prove")
    return notes
def _compare_rows(rows: list[dict[str, Any]]) -> None:
    ok = [r for r in rows if "outcome" in r]
    as_charged = next((r for r in ok if r["id"] == "plea-as-charged"), None)
    trial = next((r for r in ok if r["id"] == "trial-all"), None)
    for r in ok:
        mean = r["outcome"]["mean"]
        if as_charged and r is not as_charged:
            r["months_saved_vs_plea_as_charged"] = round(as_charged["outcome"]["mean"] - mean, 1)
        if trial and r is not trial:
            r["months_saved_vs_trial"] = round(trial["outcome"]["mean"] - mean, 1)
        if r["kind"] == "plea" and trial and trial["outcome"].get("mean_if_convicted"):
            r["break_even_conviction_probability"] = round(
                min(1.0, mean / trial["outcome"]["mean_if_convicted"]), 3
            )
    for r in ok:
        if r["kind"] != "plea" or r["availability"] == "closed":
            continue
        better = [
            o["id"]
            for o in ok
            if o is not r
            and o["kind"] == "plea"
            and o["availability"] != "closed"
            and o["outcome"]["mean"] <= r["outcome"]["mean"]
            and o["outcome"]["p90"] <= r["outcome"]["p90"]
            and (o["outcome"]["mean"] < r["outcome"]["mean"] or o["outcome"]["p90"] < r["outcome"]["p90"])
            and (o["agreement_probability"] or 0) >= (r["agreement_probability"] or 0)
        ]
        r["dominated_by"] = better


def _recommend(
    pricer: Pricer, params: Params, rows: list[dict[str, Any]], skip: set[str]
) -> tuple[str | None, dict, dict]:
    """The option with the fewest expected months, and whether it holds over every assumption's range."""
    if not pricer.options() or AS_CHARGED not in pricer.scenarios:
        return None, {}, {}
    best, expected = pricer.choose()
    check = robustness(params, lambda overrides: pricer.choose(overrides), best, skip)
    ranked = sorted(expected, key=expected.get)
    if len(ranked) > 1:
        runner = ranked[1] if ranked[0] == best else ranked[0]
        check["runner_up"] = runner
        check["margin"] = round(expected[runner] - expected[best], 1)
    check["expected"] = {k: round(v, 1) for k, v in expected.items()}
    for r in rows:
        r["recommended"] = r["id"] == best
    if check["holds"]:
        robust = {best: True}
    else:
        first, *others = check["flips"]
        robust = {
            best: {
                **first,
                "also": sorted({f["assumption"] for f in others} - {first["assumption"]}),
                "margin": check.get("margin"),
            }
        }
    return best, robust, check


def _offer_records(context, pricer, statuses, evaluated, rows, recommended, today, late):
    """Every offer on file with its status today, its terms, its exposure and its expected sentence
    beside the recommended option: the history a lawyer keeps (Missouri v. Frye; Lafler v. Cooper)."""
    book, case = context.book, context.case
    by_id = {r["id"]: r for r in rows}
    best = by_id.get(recommended) if recommended else None
    out, calculations = [], 0
    for offer in case.negotiation.offers:
        now = offer.status_on(today)
        spec = _late(sc_mod.offer_spec(offer), late)
        warnings = []
        if now == "expired" and offer.status == "open":
            warnings.append(
                f"offer {offer.id} expired on {offer.expires.isoformat()}: it is shown as history, not as an option"
            )
        if offer.conveyed is None:
            warnings.append(
                f"offer {offer.id} has no conveyed date: counsel must convey every formal offer to the client "
                "and should record when (Missouri v. Frye)"
            )
        row = by_id.get(spec.id) if now in ("open", "accepted") else None
        if row is None:
            sc = sc_mod.evaluate(book, case, spec, False, statuses, today)
            if sc.result is not None:
                calculations += sc.result.calculations
                _as_offer(sc, offer)
                if sc_mod.stipulates(spec):
                    try:
                        sc.unstipulated = sc_mod.calculate(
                            sc_mod.overlay(case, sc_mod.unstipulated(spec)), book=book, today=today
                        )
                        calculations += sc.unstipulated.calculations
                    except PlealeverError:
                        sc.unstipulated = None
                pricer_copy = Pricer(
                    pricer.params, pricer.n, pricer.base_seed, pricer.evidence, pricer.band,
                    pricer.cooperation_band, pricer.defenses,
                )
                pricer_copy.scenarios = {spec.id: _priced(context, sc)}
                prices, conv = pricer_copy.price()
                row = _row(context, pricer_copy, prices, conv, sc)
                row.pop("_draws", None)
            else:
                row = {"error": sc.error}
        record = {
            "id": offer.id,
            "date": offer.date.isoformat(),
            "conveyed": offer.conveyed.isoformat() if offer.conveyed else None,
            "expires": offer.expires.isoformat() if offer.expires else None,
            "decided": offer.decided.isoformat() if offer.decided else None,
            "status": offer.status,
            "status_today": now,
            "option": now in ("open", "accepted"),
            "scenario": spec.id if now in ("open", "accepted") else None,
            "summary": sc_mod.offer_summary(offer),
            "terms": offer.terms.model_dump(mode="json"),
            "advice": offer.advice,
            "history": [e.model_dump(mode="json") for e in offer.history],
            "warnings": warnings,
        }
        if "outcome" in row:
            record["exposure"] = {
                k: row[k]
                for k in (
                    "total_offense_level",
                    "criminal_history_category",
                    "guideline_range",
                    "statutory_range",
                    "effective_range",
                    "mandatory_minimum",
                    "supervised_release",
                    "counts",
                    "consequences",
                )
            }
            record["outcome"] = row["outcome"]
            record["notes"] = row["notes"]
            if best is not None and "outcome" in best:
                record["versus_recommended"] = {
                    "id": best["id"],
                    "label": best["label"],
                    "mean": best["outcome"]["mean"],
                    "expected_if_pursued": best.get("expected_if_pursued"),
                    # The offer is certain while open; pursuing the recommended option is not.
                    "difference": round(row["outcome"]["mean"] - (best.get("expected_if_pursued") or best["outcome"]["mean"]), 1),
                }
            trial = by_id.get(TRIAL)
            if trial is not None and "outcome" in trial:
                record["versus_trial"] = {
                    "mean": trial["outcome"]["mean"],
                    "mean_if_convicted": trial["outcome"].get("mean_if_convicted"),
                    "conviction_probability": trial["conviction_probability"]["mean"],
                }
        else:
            record["error"] = row.get("error")
        out.append(record)
    return out, calculations


def _sensitivity(
    book, case, base: sc_mod.Scenario, as_charged, params, n, base_seed, band, stance, today
) -> tuple[list[dict[str, Any]], int]:
    """How much the expected sentence of the plea as charged moves with each single change, and the
    number of guideline calculations that took (removing a mitigation item changes no calculation)."""
    if base.result is None:
        return [], 0

    def mean_for(result: Result, b: str) -> float:
        calc = result.calculation
        judge = Judge(
            months(calc.effective_range.min),
            months(calc.effective_range.max),
            months(calc.statutory_range.min),
            months(calc.statutory_range.max),
            b,
            stance,
            case.court.judge_tendency or "typical",
            practice=cell_for(case, calc, plea=PLEA_OF_SCENARIO[as_charged.plea_type], today=today),
        )
        return float(sentence_draws(params, judge, n, seed_for(base_seed, "sensitivity")).mean())

    base_mean = mean_for(base.result, band)
    out = []
    calculations = 0
    for step in base.result.calculation.steps:
        provision = book.provisions.get(step.pin)
        if step.status != "applied" or step.levels <= 0 or not step.pin.startswith("2G"):
            continue
        if provision is not None and provision.kind == "base":
            continue
        spec = as_charged.model_copy(update={"not_applicable": [step.pin]})
        try:
            result = sc_mod.calculate(sc_mod.overlay(case, spec), book=book, today=today)
        except PlealeverError:  # a change that makes the case incomputable has no sensitivity to show
            continue
        calculations += result.calculations
        out.append(
            {
                "change": f"stipulate {step.pin} does not apply",
                "kind": "stipulation",
                "delta_mean": round(mean_for(result, band) - base_mean, 1),
            }
        )
    for item in case.mitigation:
        reduced = case.model_copy(update={"mitigation": [i for i in case.mitigation if i is not item]})
        b, _, _ = profile(assess(reduced, book=book, today=today))
        out.append(
            {
                "change": f"without {item.label}",
                "kind": "mitigation",
                "delta_mean": round(mean_for(base.result, b) - base_mean, 1),
            }
        )
    out.sort(key=lambda r: -abs(r["delta_mean"]))
    return out, calculations
