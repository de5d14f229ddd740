"""One evaluator per mitigation factor: which rubric criteria the evidence meets, and on what facts.

Evaluators only read the case file; weights, caps and bands live in law/data/mitigation-rubric.yaml.
Evidence still being sought is not scored: it is listed as pending corroboration instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import get_args

from plealever.case.evidence import PROFESSIONAL, History
from plealever.case.model import Case


@dataclass
class Hit:
    """A criterion met: `count` for per-item criteria, `facts` the items or facts that met it."""

    criterion: str
    facts: list[str]
    count: int = 1


@dataclass
class Findings:
    hits: list[Hit] = field(default_factory=list)
    items: list[str] = field(default_factory=list)  # every item that bears on the factor
    pending: list[str] = field(default_factory=list)  # items still sought
    flags: set[str] = field(default_factory=set)  # e.g. insanity_opinion

    def add(self, criterion: str, *facts: str, count: int = 1) -> None:
        self.hits.append(Hit(criterion, list(facts), count))


EVALUATORS: dict[str, Callable[[Case], Findings]] = {}

FACTOR_KINDS = {
    "mental_health": {"psych_evaluation", "treatment_records", "risk_assessment", "sex_offense_treatment"},
    "coercion_duress": {"coercion_duress"},
    "entrapment": {"entrapment"},
    "knowledge": {"knowledge_forensic"},
    "cooperation": {"cooperation"},
    # Letters plus every history kind the evidence model defines, so a new kind cannot be forgotten here.
    "personal_history": {"support_letter", *get_args(History.model_fields["kind"].annotation)},
}


def evaluator(factor: str):
    def register(fn: Callable[[Case], Findings]) -> Callable[[Case], Findings]:
        EVALUATORS[factor] = fn
        return fn

    return register


def _split(case: Case, factor: str) -> tuple[Findings, list]:
    f = Findings()
    usable = []
    for item in case.mitigation:
        if item.kind not in FACTOR_KINDS[factor]:
            continue
        f.items.append(item.label)
        if item.status == "sought":
            f.pending.append(item.label)
        else:
            usable.append(item)
    return f, usable


@evaluator("mental_health")
def mental_health(case: Case) -> Findings:
    f, items = _split(case, "mental_health")
    for item in items:
        if item.kind == "psych_evaluation":
            if item.source in PROFESSIONAL:
                f.add("professional_evaluation", f"{item.label} ({item.source.replace('_', ' ')})")
            if item.nexus_to_conduct == "explained":
                f.add("nexus_explained", item.label)
            elif item.nexus_to_conduct == "asserted":
                f.add("nexus_asserted", item.label)
            if item.recidivism_opinion == "low":
                f.add("favorable_prognosis", item.label)
            if item.insanity_opinion:
                f.flags.add("insanity_opinion")
        elif item.kind == "treatment_records":
            if item.period == "before_arrest":
                f.add("pre_arrest_corroboration", item.label)
            else:
                f.add("treatment_engaged", f"{item.label} (treatment after arrest)")
        elif item.kind == "risk_assessment" and item.validated_for_offense:
            if item.risk_band == "low":
                f.add("validated_low_risk", f"{item.label}: {item.instrument} low")
            elif item.risk_band == "moderate":
                f.add("validated_moderate_risk", f"{item.label}: {item.instrument} moderate")
        elif item.kind == "sex_offense_treatment" and item.progress in ("engaged", "completed"):
            f.add("treatment_engaged", f"{item.label} ({item.progress})")
    _once(f)
    return f


@evaluator("coercion_duress")
def coercion(case: Case) -> Findings:
    f, items = _split(case, "coercion_duress")
    for item in items:
        if item.threat in ("death_or_serious_injury", "sexual_violence"):
            f.add("serious_threat", f"{item.label}: {item.threat.replace('_', ' ')} by {item.made_by}")
        if item.immediate:
            f.add("immediacy", item.label)
        if not item.reasonable_escape:
            f.add("no_escape", item.label)
        if item.independent_corroboration:
            f.add("independent_corroboration", f"{item.label}: {', '.join(item.independent_corroboration)}")
        if item.reported_at_the_time:
            f.add("reported", item.label)
    _once(f)
    return f


@evaluator("entrapment")
def entrapment(case: Case) -> Findings:
    f, items = _split(case, "entrapment")
    inducements: set[str] = set()
    for item in items:
        if item.initiated_by == "government":
            f.add("government_initiated", item.label)
        if item.government_approaches >= 3:
            f.add("repeated_approaches", f"{item.label}: {item.government_approaches} approaches")
        inducements |= set(item.inducements)
        if item.defendant_reluctance:
            f.add("reluctance", item.label)
        if item.prior_interest_or_collection:
            f.add("prior_interest", item.label)
        if item.prior_related_conviction:
            f.add("prior_related_conviction", item.label)
        if item.ready_response:
            f.add("ready_response", item.label)
    if inducements:
        f.add(
            "inducement", ", ".join(sorted(i.replace("_", " ") for i in inducements)), count=len(inducements)
        )
    _once(f)
    return f


@evaluator("knowledge")
def knowledge(case: Case) -> Findings:
    f, items = _split(case, "knowledge")
    for item in items:
        for issue in item.issues:
            f.add(issue if issue != "timestamps_inconsistent" else "timestamps_inconsistent", item.label)
        if item.defense_examiner:
            f.add("defense_examiner", item.label)
    _once(f)
    return f


@evaluator("cooperation")
def cooperation(case: Case) -> Findings:
    f, items = _split(case, "cooperation")
    for item in items:
        if item.value == "high":
            f.add("valuable_information", item.label)
        elif item.value == "moderate":
            f.add("moderate_information", item.label)
        if item.early:
            f.add("early", item.label)
        if not item.safety_risk:
            f.add("safe", item.label)
    _once(f)
    return f


@evaluator("personal_history")
def personal_history(case: Case) -> Findings:
    f, items = _split(case, "personal_history")
    letters = [i.label for i in items if i.kind == "support_letter" and i.knows_of_offense]
    if letters:
        f.add("support_letters", *letters, count=len(letters))
    history = [
        i.label
        for i in items
        if i.kind not in ("support_letter", "post_offense_rehabilitation") and i.corroborated_by_records
    ]
    if history:
        f.add("corroborated_history", *history, count=len(history))
    rehab = [i.label for i in items if i.kind == "post_offense_rehabilitation" and i.corroborated_by_records]
    if rehab:
        f.add("rehabilitation", *rehab)
    return f


# Where two criteria grade the same thing, the better one replaces the lesser.
SUPERSEDES = {
    "nexus_explained": "nexus_asserted",
    "validated_low_risk": "validated_moderate_risk",
    "valuable_information": "moderate_information",
}


def _once(f: Findings) -> None:
    """A boolean criterion counts once however many items meet it; keep every item as a fact."""
    merged: dict[str, Hit] = {}
    for hit in f.hits:
        if hit.criterion in merged and hit.count == 1:
            merged[hit.criterion].facts += hit.facts
        else:
            merged.setdefault(hit.criterion, hit)
    for better, lesser in SUPERSEDES.items():
        if better in merged:
            merged.pop(lesser, None)
    f.hits = list(merged.values())
