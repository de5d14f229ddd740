"""Every scenario side by side: exposure, availability, the likelihood the government agrees, the
sentence distribution, months saved, dominance, the break-even probability of conviction, and the
sensitivity of the expected sentence to each stipulation or mitigation item."""

from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from plealever.case.model import Case
from plealever.errors import PlealeverError
from plealever.guidelines.trace import NOTICE, Result
from plealever.law.rulebook import Rulebook, rulebook
from plealever.mitigation.assess import Assessment, assess
from plealever.mitigation.levers import sentenced_under_2G2_2, variance_stance
from plealever.negotiation import scenarios as sc_mod
from plealever.negotiation.outcomes import (
    Judge,
    Params,
    conviction_probability,
    months,
    sentence_draws,
    summarize,
)
from plealever.negotiation.practice import PLEA_OF_SCENARIO, cell_for, load_params

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
    practice_basis: dict[str, Any] = field(default_factory=dict)  # the years and rows the sentences rest on

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenarios": self.rows,
            "sensitivity": self.sensitivity,
            "parameters": self.parameters,
            "warnings": self.warnings,
            "practice_model": self.practice_basis,
            "notice": NOTICE,
        }


def _seed(base: int, text: str) -> int:
    return (base + zlib.crc32(text.encode())) % (2**32)


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
    for the (C) cap, the image-tier stipulation and the sensitivity base."""
    book = book if book is not None else rulebook()
    today = today or dt.date.today()
    params = Params(book, case.outcome_parameters)
    n = int(draws or params["draws"])
    base_seed = int(params["seed"] if seed is None else seed)
    statuses = assessment.levers
    stance, _ = variance_stance(book, case)
    if not sentenced_under_2G2_2(book, case):  # the same rule the lever status uses
        stance = "not_applicable"
    band, defenses, profile_why = profile(assessment)
    same = charged is not None and sc_mod.overlay(case, sc_mod.AS_CHARGED) == case.model_copy(update={"scenarios": []})
    base = sc_mod.evaluate(book, case, sc_mod.AS_CHARGED, True, statuses, today, result=charged if same else None)
    specs = [(s, True) for s in sc_mod.generate(book, case, as_charged=base.result)]
    user_ids = {s.id for s in case.scenarios}
    specs = [(s, g) for s, g in specs if s.id not in user_ids] + [(s, False) for s in case.scenarios]
    evaluated = [
        base if spec is sc_mod.AS_CHARGED else sc_mod.evaluate(book, case, spec, generated, statuses, today)
        for spec, generated in specs
    ]
    distinct = ([] if same else [base]) + [sc for sc in evaluated if sc is not base]
    calculations = sum(sc.result.calculations for sc in distinct if sc.result is not None)
    rows = [_row(book, case, sc, params, n, base_seed, band, stance, defenses, today) for sc in evaluated]
    _compare_rows(rows)
    sensitivity, extra = _sensitivity(book, case, base, params, n, base_seed, band, stance, today)
    draws_by_id = {r["id"]: r.pop("_draws") for r in rows if "_draws" in r}
    for values in draws_by_id.values():
        values.setflags(write=False)  # the analysis is a value: charts read these, nobody writes them
    return Comparison(
        rows,
        sensitivity,
        params.describe(),
        list(profile_why),
        draws_by_id,
        {sc.spec.id: sc for sc in evaluated},
        calculations + extra,
        load_params().basis(today),
    )


def _row(book, case, sc, params, n, base_seed, band, stance, defenses, today) -> dict[str, Any]:
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
    }
    if sc.result is None:
        row["error"] = sc.error
        row["availability"] = "closed"
        return row
    c = sc.result.calculation
    judge = Judge(
        range_min=months(c.effective_range.min),
        range_max=months(c.effective_range.max),
        statutory_min=months(c.statutory_range.min),
        statutory_max=months(c.statutory_range.max),
        mitigation_band=band,
        circuit=stance,
        judge=case.court.judge_tendency or "typical",
        recommendation=spec.recommendation if spec.kind == "plea" else "none",
        government_motion=spec.government_motion,
        binding=(spec.agreed_range.min, spec.agreed_range.max) if spec.agreed_range else None,
        trial=spec.kind == "trial",
        practice=cell_for(
            case, c, plea="trial" if spec.kind == "trial" else PLEA_OF_SCENARIO[spec.plea_type], today=today
        ),
    )
    seed = _seed(base_seed, spec.id)
    draws = sentence_draws(params, judge, n, seed)
    row.update(
        {
            "edition": c.edition.isoformat(),
            "total_offense_level": c.total_offense_level,
            "criminal_history_category": c.criminal_history_category,
            "guideline_range": c.guideline_range.to_dict(),
            "statutory_range": c.statutory_range.to_dict(),
            "effective_range": c.effective_range.to_dict(),
            "mandatory_minimum": c.statutory_range.min,
            "supervised_release": c.supervised_release.to_dict(),
            "counts": [x.statute for x in c.counts],
            "consequences": sc_mod.consequences(book, sc, case.offense_date, case.sentencing_date or today),
            "warnings": list(dict.fromkeys(sc.result.warnings + c.warnings)),
        }
    )
    row["_draws"] = draws
    if spec.kind == "trial":
        rng = np.random.default_rng(seed + 1)
        p, why = conviction_probability(params, case.prosecutor.evidence_strength, defenses, rng, n)
        acquitted = rng.uniform(0, 1, n) > p
        row["_draws"] = np.where(acquitted, 0.0, draws)
        row["outcome"] = summarize(draws, judge.statutory_min, acquitted)
        row["conviction_probability"] = {"mean": round(float(p.mean()), 3), "basis": why}
        row["agreement_probability"] = None
    else:
        row["outcome"] = summarize(draws, judge.statutory_min)
        row["agreement_probability"] = _agreement(params, sc, band, case.prosecutor.evidence_strength)
    return row


def _agreement(params: Params, sc, band: str, evidence: str) -> float:
    if sc.spec.id == "plea-as-charged":
        return params["agreement_probability"]["as_charged"]
    base = params["agreement_probability"][sc.availability]
    if base == 0:
        return 0.0
    p = base + params["agreement_mitigation_shift"][band] + params["agreement_evidence_shift"][evidence]
    return round(float(min(max(p, 0.0), 1.0)), 2)


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


def _sensitivity(
    book, case, base: sc_mod.Scenario, params, n, base_seed, band, stance, today
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
            practice=cell_for(case, calc, plea=PLEA_OF_SCENARIO[sc_mod.AS_CHARGED.plea_type], today=today),
        )
        return float(sentence_draws(params, judge, n, _seed(base_seed, "sensitivity")).mean())

    base_mean = mean_for(base.result, band)
    out = []
    calculations = 0
    for step in base.result.calculation.steps:
        provision = book.provisions.get(step.pin)
        if step.status != "applied" or step.levels <= 0 or not step.pin.startswith("2G"):
            continue
        if provision is not None and provision.kind == "base":
            continue
        spec = sc_mod.AS_CHARGED.model_copy(update={"not_applicable": [step.pin]})
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
