"""The outcome model: a seeded Monte Carlo distribution of the sentence for a plea or a trial.

Where the scenario carries a practice cell (the range as found, category, district, plea type,
custody), the position relative to the range and the sentence within each part are drawn from the
practice model fitted to the Commission's offender rows (negotiation/practice.py). Without one, the
older national shares and reduction deciles (FY2014-2015 supplemental files, law/data/outcome-model.yaml)
are used. Either way, mitigation, the circuit's stance, the judge's known tendency and a government
recommendation shift the below-range share by parameters stated as assumptions; a government motion
is the supplemental files' reduction. The sentence is then floored by the mandatory minimum (unless a
§ 3553(e) motion is made), capped by the statutory maximum, and held inside a binding (C) range.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import numpy as np

from plealever.law.parameters import LIFE_MONTHS, Params, months  # noqa: F401 - re-exported


@dataclass
class Judge:
    """What the sentencing court is likely to do within one scenario."""

    range_min: float
    range_max: float
    statutory_min: float
    statutory_max: float
    mitigation_band: str = "absent"
    circuit: str = "unsettled"
    judge: str = "typical"
    recommendation: str = "none"
    government_motion: str = "none"  # none | 5K1.1 | 3553(e)
    binding: tuple[float, float] | None = None
    trial: bool = False
    practice: Any = None  # a practice.PracticeCell: draw from the offender-row model


def _inverse_cdf(u: np.ndarray, deciles: list[float]) -> np.ndarray:
    return np.interp(u * 100, list(range(0, 101, 10)), deciles)


def shares(params: Params, judge: Judge, rng: np.random.Generator) -> dict[str, float]:
    if judge.practice is not None:
        from plealever.negotiation import practice

        p = practice.shares(judge.practice)
        s = {"within": p["within"], "above": p["above"], "below_other": p["below"]}
    else:
        s = dict(params.fitted["shares"])
        s.pop("below_government")
        total = sum(s.values())
        s = {k: v / total for k, v in s.items()}  # without a government motion, its mass is spread
    shift = (
        params["mitigation_below_shift"][judge.mitigation_band]
        # The practice model measures the circuit's and district's own practice; the stance assumption
        # stands in for that only when there is no practice cell, so the two never count twice.
        + (0.0 if judge.practice is not None else params["circuit_below_shift"].get(judge.circuit, 0.0))
        + params["judge_below_shift"].get(judge.judge, 0.0)
        + params["recommendation_below_shift"].get(judge.recommendation, 0.0)
    )
    shift = max(-s["below_other"], min(shift, s["within"]))
    s["within"] -= shift
    s["below_other"] += shift
    if judge.trial and (judge.practice is None or "trial_below_factor" in params.overridden):
        # The practice model measures trials (DSPLEA 8); the factor then applies only if the case sets it.
        spec = params.spec["trial_below_factor"]
        factor = params["trial_below_factor"]
        if "trial_below_factor" not in params.overridden:
            factor = float(rng.uniform(spec["low"], spec["high"]))
        moved = s["below_other"] * (1 - factor)
        s["below_other"] -= moved
        s["within"] += moved
    s["below_government"] = 0.0
    if judge.government_motion != "none":
        granted = params["government_motion_granted"]  # usually, not always, followed by a reduction
        s = {k: v * (1 - granted) for k, v in s.items()}
        s["below_government"] = granted
    return s


def sentence_draws(params: Params, judge: Judge, n: int, seed: int, memo: dict | None = None) -> np.ndarray:
    """`n` sentences in months for one scenario, reproducible for a given seed.

    Every draw gets its own uniform numbers for the bucket and for each bucket's value (common random
    numbers), and the buckets are laid out above | within | below (other) | below (government), so a
    shift of share from within range to below range can only move draws down: more mitigation never
    raises a sentence, draw by draw.

    `memo` (one per comparison) keeps the practice model's values by cell and uniforms: re-pricing under
    another assumption redraws the buckets, but the values in each part of the range are the same numbers.
    """
    rng = np.random.default_rng(seed)
    sh = shares(params, judge, rng)
    u_bucket, u_within, u_above, u_other, u_gov = rng.uniform(0, 1, (5, n))
    lo, hi = judge.range_min, judge.range_max
    scale = params["mitigation_reduction_scale"][judge.mitigation_band]
    red_gov = np.clip(_inverse_cdf(u_gov, params.fitted["reduction_pct_below_government"]), 0, 100)
    if judge.practice is not None:
        below, within, above = _practice_values(judge.practice, u_within, u_above, scale, memo)
    else:
        # A mean position m in the range: u ** (1/m - 1) has mean m, rises with u (common random
        # numbers hold) and is uniform at m = 0.5.
        m = float(params["within_range_position"])
        within = lo + u_within ** (1 / m - 1) * (hi - lo)
        above = hi * (1 + _inverse_cdf(u_above, params.fitted["increase_pct_above"]) / 100)
        red_other = np.clip(_inverse_cdf(u_other, params.fitted["reduction_pct_below_other"]) * scale, 0, 100)
        below = lo * (1 - red_other / 100)
    edges = np.cumsum([sh["above"], sh["within"], sh["below_other"]])
    edges = edges / (edges[-1] + sh["below_government"])
    out = np.select(
        [u_bucket < edges[0], u_bucket < edges[1], u_bucket < edges[2]],
        [above, within, below],
        default=lo * (1 - red_gov / 100),
    )
    if judge.government_motion != "3553(e)":
        out = np.maximum(out, judge.statutory_min)
    out = np.minimum(out, min(judge.statutory_max, LIFE_MONTHS))
    if judge.binding is not None:
        out = np.clip(out, judge.binding[0], judge.binding[1])
    return out


def _practice_values(cell, u_val: np.ndarray, u_anchor: np.ndarray, scale: float, memo: dict | None = None):
    """The practice model's sentence in each part of the range for these uniforms; a stronger
    mitigation scale deepens a below-range reduction (a named assumption)."""
    from plealever.negotiation import practice

    key = None
    if memo is not None:
        key = (repr(cell), hashlib.blake2b(u_val.tobytes() + u_anchor.tobytes(), digest_size=16).digest())
    if key in (memo or {}):
        below, within, above, to_within = memo[key]
    else:
        params = practice.load_params()
        rows = practice.rows_from_cells([cell], params)
        parts = practice.components(params, rows)
        below, within, above, to_within = practice.values(params, rows, parts, u_val[None, :], u_anchor[None, :])
        if key is not None:
            for part in (below, within, above, to_within):
                part.setflags(write=False)
            memo[key] = (below, within, above, to_within)
    below = cell.range_min - (cell.range_min - below[0]) * scale
    above = np.where(to_within[0], within[0], above[0])
    return np.maximum(below, 0.0), within[0], above


def summarize(draws: np.ndarray, statutory_min: float, acquitted: np.ndarray | None = None) -> dict[str, Any]:
    served = draws if acquitted is None else np.where(acquitted, 0.0, draws)
    out = {
        "mean": round(float(served.mean()), 1),
        "median": round(float(np.median(served)), 1),
        "p10": round(float(np.percentile(served, 10)), 1),
        "p90": round(float(np.percentile(served, 90)), 1),
        "p_at_or_above_minimum": round(float((served >= statutory_min - 1e-9).mean()), 3)
        if statutory_min
        else None,
    }
    if acquitted is not None:
        out["p_acquittal"] = round(float(acquitted.mean()), 3)
        out["mean_if_convicted"] = round(float(draws.mean()), 1)
    return out
