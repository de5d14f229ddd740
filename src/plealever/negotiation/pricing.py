"""Pricing a scenario: its sentence distribution (mixing what the court may do with a stipulation or a
(C) agreement), the chance the government agrees, the chance of conviction at trial, and the
expected months of pursuing it. One `Pricer` holds every scenario's inputs, so the comparison, the
robustness check and the value-of-investigation estimate price the same things the same way, under
other parameter values or another mitigation profile, without recalculating a guideline range.

The decision rule: pursuing a plea yields its sentence if the government agrees and the plea as
charged (always open to the defendant) if it does not; trial yields the sentence on conviction times
the chance of conviction. The recommended option is the one with the fewest expected months."""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from plealever.law.parameters import Params, with_values
from plealever.negotiation import agreement as agreement_mod
from plealever.negotiation import odds
from plealever.negotiation.outcomes import Judge, sentence_draws

# The parameters that change a simulated sentence (the others only reweigh or reprice).
SENTENCE_PARAMETERS = frozenset(
    {
        "mitigation_below_shift",
        "mitigation_reduction_scale",
        "circuit_below_shift",
        "judge_below_shift",
        "recommendation_below_shift",
        "trial_below_factor",
        "government_motion_granted",
        "within_range_position",
    }
)
AS_CHARGED = "plea-as-charged"
TRIAL = "trial-all"


def seed_for(base: int, text: str) -> int:
    return (base + zlib.crc32(text.encode())) % (2**32)


@dataclass
class Priced:
    """What pricing needs of one scenario. `judges` holds the court's possible sentencing positions:
    "main" (the plea as agreed), "unstipulated" (the court does not follow a stipulation) and "unbound"
    (the court rejects a (C) agreement and the plea stands without it)."""

    id: str
    kind: str  # plea | trial
    open: bool  # not closed
    terms: list[str]
    statuses: dict[str, str]
    judges: dict[str, Judge]
    stipulated: bool = False
    binding: bool = False
    offered: bool = False  # the government's own open (or accepted) offer


@dataclass
class Price:
    """Prices of one scenario under one set of values."""

    means: dict[str, float]
    weights: dict[str, float]
    mean: float
    agreement: agreement_mod.Agreement | None
    expected: float


@dataclass
class Pricer:
    params: Params
    n: int
    base_seed: int
    evidence: str
    band: str
    cooperation_band: str
    defenses: list[odds.Defense]
    scenarios: dict[str, Priced] = field(default_factory=dict)
    _cache: dict[tuple, np.ndarray] = field(default_factory=dict, repr=False)
    _values: dict[tuple, tuple] = field(default_factory=dict, repr=False)  # the practice model's, see sentence_draws

    # --- the pieces ----------------------------------------------------------------------------

    def weights(self, p: Priced, values: Mapping[str, Any]) -> dict[str, float]:
        if p.binding:
            # Once accepted, a (C) agreement binds, stipulated guideline facts included (Rule
            # 11(c)(1)(C)); if the court rejects it the plea stands without the range (§6B1.3).
            r = float(values["binding_rejected"])
            return {"main": 1 - r, "unbound": r}
        if p.stipulated:
            q = float(values["stipulation_followed"])
            return {"main": q, "unstipulated": 1 - q}
        return {"main": 1.0}

    def draws(self, p: Priced, tag: str, params: Params, band: str) -> np.ndarray:
        sentence_values = tuple(
            (k, repr(params[k])) for k in sorted(SENTENCE_PARAMETERS) if k in params.values
        )
        # Draws depend only on the sentencing situation (the Judge) and the sentence parameters, so two
        # scenarios the court would sentence alike share them (and are compared on common random numbers).
        judge = replace(p.judges[tag], mitigation_band=band)
        situation = repr(judge)
        key = (situation, sentence_values)
        if key not in self._cache:
            out = sentence_draws(params, judge, self.n, seed_for(self.base_seed, situation), self._values)
            out.setflags(write=False)
            self._cache[key] = out
        return self._cache[key]

    def conviction(self, values: Mapping[str, Any], defenses: list[odds.Defense] | None = None) -> odds.Conviction:
        return odds.conviction(values, self.evidence, self.defenses if defenses is None else defenses)

    # --- a whole comparison --------------------------------------------------------------------

    def price(
        self,
        overrides: Mapping[str, Any] | None = None,
        *,
        band: str | None = None,
        cooperation_band: str | None = None,
        defenses: list[odds.Defense] | None = None,
    ) -> tuple[dict[str, Price], odds.Conviction]:
        params = with_values(self.params, dict(overrides)) if overrides else self.params
        values = params.values
        band = band or self.band
        conv = self.conviction(values, defenses)
        trial_risk = conv.base - conv.probability
        out: dict[str, Price] = {}
        for p in self.scenarios.values():
            w = self.weights(p, values)
            means = {tag: float(self.draws(p, tag, params, band).mean()) for tag in w}
            mean = sum(w[t] * means[t] for t in w)
            if p.kind == "trial":
                out[p.id] = Price(means, w, mean, None, conv.probability * mean)
                continue
            if p.offered or p.id == AS_CHARGED:
                a = agreement_mod.Agreement(1.0, [], [])
            else:
                a = agreement_mod.agreement(
                    values,
                    p.terms,
                    p.statuses,
                    band=band,
                    evidence=self.evidence,
                    trial_risk=trial_risk,
                    cooperation_band=cooperation_band or self.cooperation_band,
                )
            out[p.id] = Price(means, w, mean, a, mean)
        fallback = out[AS_CHARGED].mean if AS_CHARGED in out else None
        for pid, pr in out.items():
            p = self.scenarios[pid]
            if p.kind == "plea" and pr.agreement is not None and fallback is not None:
                a = pr.agreement.probability
                pr.expected = a * pr.mean + (1 - a) * fallback
        return out, conv

    def options(self) -> list[str]:
        """The choices open to the defense: every plea not closed, and trial on every count."""
        return [p.id for p in self.scenarios.values() if p.open and (p.kind == "plea" or p.id == TRIAL)]

    def choose(self, overrides: Mapping[str, Any] | None = None, **profile: Any) -> tuple[str, dict[str, float]]:
        """The recommended option and every option's expected months."""
        priced, _ = self.price(overrides, **profile)
        expected = {pid: priced[pid].expected for pid in self.options() if pid in priced}
        best = min(expected, key=lambda k: (round(expected[k], 6), k != AS_CHARGED, k))
        return best, expected

    def mixture(self, p: Priced, weights: dict[str, float]) -> np.ndarray:
        """Simulated sentences mixing the court's positions by their weights (common random numbers)."""
        parts = {t: self.draws(p, t, self.params, self.band) for t in weights}
        if len(parts) == 1:
            return next(iter(parts.values()))
        u = np.random.default_rng(seed_for(self.base_seed, f"{p.id}/mix")).uniform(0, 1, self.n)
        out = np.empty(self.n)
        edge = 0.0
        chosen = np.zeros(self.n, dtype=bool)
        for tag, w in weights.items():
            edge += w
            pick = ~chosen & (u < edge)
            out[pick] = parts[tag][pick]
            chosen |= pick
        last = list(parts)[-1]
        out[~chosen] = parts[last][~chosen]
        return out
