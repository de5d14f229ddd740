"""The profile's effect on each lever: open, approval required, limited, or closed, and why.

Reads law/data/negotiation-policy.yaml. A closed lever stays closed whatever the evidence: the
assessment may say a factor *could* move it, never that it is open. The mitigation assessment owns
the lever statuses; the negotiation layer reads them from the assessment.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from plealever.case.model import Case
from plealever.law.dated import in_force
from plealever.law.rulebook import Rulebook

ORDER = ["open", "approval_required", "limited", "closed"]


@dataclass
class LeverStatus:
    lever: str
    status: str = "open"
    reasons: list[str] = field(default_factory=list)
    authorities: list[str] = field(default_factory=list)

    def tighten(self, status: str, reason: str, authorities: list[str] | None = None) -> None:
        if ORDER.index(status) > ORDER.index(self.status):
            self.status = status
        self.reasons.append(reason)
        self.authorities += [a for a in authorities or [] if a not in self.authorities]


def era(book: Rulebook, case: Case, today: dt.date) -> tuple[str | None, dict | None]:
    """The Attorney General's charging memorandum in force: as the case file names it, else on `today`."""
    eras = book.documents["negotiation-policy"]["eras"]
    if case.prosecutor.policy_era:
        return case.prosecutor.policy_era, eras[case.prosecutor.policy_era]
    found = in_force(list(eras), today, start=lambda key: eras[key]["from"])
    return found, eras.get(found) if found else None


def lever_statuses(book: Rulebook, case: Case, today: dt.date) -> dict[str, LeverStatus]:
    policy = book.documents["negotiation-policy"]
    levers = {name: LeverStatus(name) for name in book.documents["mitigation-rubric"]["levers"]}
    key, current = era(book, case, today)
    if current and current["charge_bargains"] == "approval_required":
        if case.prosecutor.supervisory_approval_obtained:
            levers["count_reduction"].reasons.append(f"{current['label']}: supervisory approval obtained")
        else:
            levers["count_reduction"].tighten(
                "approval_required",
                f"{current['label']}: {current['note']}",
                current["authorities"],
            )
    for rule in case.prosecutor.office_rules:
        spec = policy["office_rules"][rule]
        for lever in spec.get("closes", []):
            levers[lever].tighten(
                "closed", f"office rule: {spec['label']}" + (f" ({spec['note']})" if spec.get("note") else "")
            )
        for lever in spec.get("limits", []):
            levers[lever].tighten("limited", f"office rule: {spec['label']}")
        if spec.get("closes_pleas_with_minimum_below"):
            # A narrow rule: it closes the scenarios it names (negotiation/scenarios.py), not the lever.
            levers["count_reduction"].reasons.append(
                f"office rule: {spec['label']}" + (f" ({spec['note']})" if spec.get("note") else "")
            )
    for concern in case.prosecutor.public_safety:
        spec = policy["public_safety"][concern]
        for lever in spec.get("limits", []):
            levers[lever].tighten(
                "limited", f"public-safety concern the government will raise: {spec['label']}"
            )
    # The circuit's stance on §2G2.2 policy disagreement bears on a policy variance only; a variance on
    # the defendant's own history, condition or treatment needs is not limited by it.
    stance, cites = variance_stance(book, case)
    policy = levers["policy_variance"]
    if not sentenced_under_2G2_2(book, case):
        policy.tighten(
            "closed", "no count is sentenced under §2G2.2, so the policy critique of §2G2.2 does not apply"
        )
    elif stance == "skeptical":
        policy.tighten(
            "limited", "the court or circuit is skeptical of varying from §2G2.2 on policy grounds", cites
        )
    elif stance == "accepted":
        policy.reasons.append(
            "the court or circuit accepts policy disagreement with §2G2.2 as a ground to vary"
        )
        policy.authorities += [c for c in cites if c not in policy.authorities]
    else:
        policy.reasons.append("no settled rule of the circuit on policy variances from §2G2.2 was found")
        policy.authorities += [c for c in cites if c not in policy.authorities]
    return levers


def sentenced_under_2G2_2(book: Rulebook, case: Case) -> bool:
    from plealever.law.statutes import find_statute

    return any(
        (s := find_statute(book, c.statute)) is not None and s.guideline == "2G2.2" for c in case.counts
    )


def variance_stance(book: Rulebook, case: Case) -> tuple[str, list[str]]:
    """The court's stance on policy disagreement with §2G2.2: as given, else the circuit's, else unsettled.

    The authorities are the circuit's cases (law/data/circuit-law.yaml) and the general ones (Kimbrough,
    Spears and the Commission's reports), never another circuit's.
    """
    law = book.circuit_law
    general = list(law.general.policy_variance.authorities)
    circuit = case.court.circuit
    own = law.circuits[circuit].policy_variance_2G2_2 if circuit else None
    cites = list(own.authorities) if own else []
    if case.court.policy_disagreement_2G2_2:
        return case.court.policy_disagreement_2G2_2, cites + general
    if own and own.stance in ("accepted", "skeptical"):
        return own.stance, cites + (general if own.stance == "accepted" else [])
    return "unsettled", cites + general


def sentencing_entrapment_stance(book: Rulebook, case: Case) -> tuple[str, list[str]]:
    circuit = case.court.circuit
    if not circuit:
        return "unsettled", []
    own = book.circuit_law.circuits[circuit].sentencing_entrapment
    return own.stance, list(own.authorities)
