"""How likely the government is to agree to a scenario, term by term.

A scenario asks for concessions (terms): dismissing counts, a lesser statute, a stipulated fact, a
binding (C) range, a variance recommendation, a substantial-assistance motion. Each term starts from
its base chance (measured where the Commission's records measure it, otherwise a named assumption),
its odds moved by the mitigation, the government's evidence and the trial risk the defenses create,
then multiplied by what the lever's status leaves of it: open 1, approval required `approval_obtained`,
limited the lesser of `limited_factor` and `approval_obtained`, closed 0. Every term must be agreed, so
the scenario's chance is their product; a plea needing no concession needs no agreement.

The directions are the law's, and tests hold them: a public-safety concern or an office rule only
tightens a lever, so it never raises any likelihood; stronger mitigation only lifts the odds; the
statuses order availability one way (closed < limited < approval required < open).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

STATUS_ORDER = ("closed", "limited", "approval_required", "open")  # least to most available
MITIGATION_WEIGHT = {"absent": 0.0, "weak": 0.25, "moderate": 0.5, "strong": 1.0}
# Each term: the parameter holding its base chance, and the lever whose status gates it.
TERMS = {
    "dismiss_counts": ("agree_dismiss_counts", "count_reduction"),
    "lesser_statute": ("agree_lesser_statute", "count_reduction"),
    "fact_stipulation": ("agree_fact_stipulation", "fact_stipulation"),
    "binding_plea": ("agree_binding_plea", "binding_plea"),
    "variance_recommendation": ("agree_variance_recommendation", "government_recommendation"),
    "substantial_assistance": ("agree_substantial_assistance", "substantial_assistance"),
}
TERM_LABELS = {
    "dismiss_counts": "dismissing the other counts",
    "lesser_statute": "a plea to a lesser statute",
    "fact_stipulation": "a stipulated guideline fact",
    "binding_plea": "a binding Rule 11(c)(1)(C) range",
    "variance_recommendation": "a government recommendation below the range",
    "substantial_assistance": "a substantial-assistance motion",
}
PARAMETERS = (
    *(spec[0] for spec in TERMS.values()),
    "approval_obtained",
    "limited_factor",
    "agreement_mitigation_lift",
    "agreement_evidence_odds_weak",
    "agreement_evidence_odds_strong",
    "agreement_trial_risk_lift",
)


@dataclass
class Agreement:
    probability: float
    terms: list[dict[str, Any]] = field(default_factory=list)
    basis: list[str] = field(default_factory=list)


def status_factor(values: Mapping[str, Any], status: str) -> float:
    """What a lever's status leaves of a term's chance; monotone in the order of STATUS_ORDER."""
    approval = float(values["approval_obtained"])
    if status == "open":
        return 1.0
    if status == "approval_required":
        return approval
    if status == "limited":
        return min(float(values["limited_factor"]), approval)
    return 0.0


def odds_factor(values: Mapping[str, Any], band: str, evidence: str, trial_risk: float) -> float:
    """The multiplier on a term's odds: mitigation (never below 1, rising with the band), the
    government's evidence, and the acquittal chance the defenses add (never below 1)."""
    factor = 1 + MITIGATION_WEIGHT[band] * float(values["agreement_mitigation_lift"])
    if evidence == "weak":
        factor *= float(values["agreement_evidence_odds_weak"])
    elif evidence == "strong":
        factor *= float(values["agreement_evidence_odds_strong"])
    return factor * (1 + max(0.0, trial_risk) * float(values["agreement_trial_risk_lift"]))


def agreement(
    values: Mapping[str, Any],
    terms: list[str],
    statuses: Mapping[str, str],
    *,
    band: str,
    evidence: str,
    trial_risk: float,
    cooperation_band: str = "absent",
) -> Agreement:
    """The chance the government agrees to every one of `terms`, with the lever `statuses` (lever ->
    open / approval_required / limited / closed) of the profile."""
    if not terms:
        return Agreement(1.0, [], ["no concession is asked: a plea on these terms needs no agreement"])
    p = 1.0
    out, basis = [], []
    for term in terms:
        parameter, lever = TERMS[term]
        base = float(values[parameter])
        # Cooperation, not mitigation, is what a substantial-assistance motion answers to.
        b = cooperation_band if term == "substantial_assistance" else band
        odds = base / (1 - base) * odds_factor(values, b, evidence, trial_risk) if base < 1 else float("inf")
        moved = odds / (1 + odds) if odds != float("inf") else 1.0
        status = statuses.get(lever, "open")
        gate = status_factor(values, status)
        chance = moved * gate
        p *= chance
        out.append(
            {
                "term": term,
                "lever": lever,
                "status": status,
                "base": round(base, 3),
                "parameter": parameter,
                "probability": round(chance, 3),
            }
        )
        basis.append(
            f"{TERM_LABELS[term]}: base {base:.0%} ({parameter}), {moved:.0%} after mitigation, evidence and "
            f"trial risk, x{gate:.2f} for the lever ({status.replace('_', ' ')}) = {chance:.0%}"
        )
    return Agreement(p, out, basis)
