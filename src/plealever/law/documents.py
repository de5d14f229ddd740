"""Typed shapes of the law-data documents that are not guideline sections: the mitigation rubric, the
negotiation policy, the consequences of conviction, the outcome model and the facts vocabulary.

Every document is validated against its model when the rulebook loads, so a typo'd key or a value of
the wrong kind fails at load with the file and the key, never later inside an engine. The engines read
the validated documents as plain mappings (``Rulebook.documents``); the models exist to refuse what
the engines would otherwise misread.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Band = Literal["absent", "weak", "moderate", "strong"]
LeverName = str
Certainty = Literal["verified", "unverified", "contested"]


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)


# --- the facts vocabulary -----------------------------------------------------------------------


class FactSpec(_Doc):
    """One offense fact a provision's `when` may test, with the values it can take."""

    values: list[bool | str]
    note: str | None = None


class FactsVocabulary(_Doc):
    facts: dict[str, FactSpec]


# --- mitigation rubric --------------------------------------------------------------------------


class Criterion(_Doc):
    weight: int
    label: str
    authorities: list[str]
    per_item: bool = False
    max: int | None = None
    alternative_of: str | None = None


class Cap(_Doc):
    """Lowers the best band reachable: `unless` a criterion is met, `if_any` of some criteria are met, or
    when an element of a trial defense is defeated (`element_false`)."""

    max_band: Band
    reason: str
    unless: str | None = None
    if_any: list[str] | None = None
    element_false: list[str] | None = None
    authorities: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_condition(self) -> Cap:
        given = [x for x in (self.unless, self.if_any, self.element_false) if x is not None]
        if len(given) != 1:
            raise ValueError("a cap needs exactly one of `unless`, `if_any` or `element_false`")
        return self


class LookFor(_Doc):
    what: str
    unless: list[str] = Field(min_length=1)  # criteria or elements that, once shown, make it moot


class FactorSpec(_Doc):
    """A factor scored on criteria (sentencing factors) or on the elements of a trial defense
    (`weights`, one per element in circuit-law.yaml's vocabulary)."""

    title: str
    criteria: dict[str, Criterion] = Field(default_factory=dict)
    weights: dict[str, int] | None = None
    trial_defense: Literal["duress", "entrapment", "insanity", "knowledge"] | None = None
    caps: list[Cap] = Field(default_factory=list)
    look_for: list[LookFor]

    @model_validator(mode="after")
    def _criteria_named(self) -> FactorSpec:
        if (self.weights is None) == (not self.criteria):
            raise ValueError("a factor is scored on criteria or on element weights, exactly one")
        for cap in self.caps:
            names = [cap.unless] if cap.unless else cap.if_any or []
            for name in names:
                if name not in self.criteria:
                    raise ValueError(f"a cap names criterion {name!r}, which the factor does not have")
            for name in cap.element_false or []:
                if name not in (self.weights or {}):
                    raise ValueError(f"a cap names element {name!r}, which the factor does not weigh")
        for name, c in self.criteria.items():
            if c.alternative_of and c.alternative_of not in self.criteria:
                raise ValueError(f"criterion {name} is an alternative of unknown {c.alternative_of!r}")
        known = set(self.criteria) | set(self.weights or {})
        for item in self.look_for:
            if not set(item.unless) <= known:
                raise ValueError(
                    f"look_for {item.what!r} names unknown criteria {sorted(set(item.unless) - known)}"
                )
        # One scale for every factor: the most a factor can earn is 100.
        if self.weights is not None:
            total = sum(self.weights.values())
        else:
            total = sum(
                (c.max if c.per_item else c.weight)
                for c in self.criteria.values()
                if c.weight > 0 and not c.alternative_of
            )
        if total != 100:
            raise ValueError(f"the positive weights sum to {total}, not 100 (one scale for every factor)")
        return self


class Provability(_Doc):
    levels: list[Band]
    complete_at: Band
    incomplete_max_band: Band
    source: dict[str, Literal["weak", "moderate", "strong"]]

    @model_validator(mode="after")
    def _levels(self) -> Provability:
        if self.levels != ["absent", "weak", "moderate", "strong"]:
            raise ValueError("levels must be absent, weak, moderate, strong")
        return self


class ChecklistRow(_Doc):
    id: str
    label: str
    kinds: list[str]
    at_least: int = Field(ge=1)


class Package(_Doc):
    checklist: list[ChecklistRow]


class FactorLever(_Doc):
    lever: LeverName
    min_band: Band
    how: str
    authorities: list[str]
    requires: Literal["complete_defense"] | None = None


class Stage(_Doc):
    label: str
    deadlines: list[str]


class ProtectionSpec(_Doc):
    text: str
    still_protected: str
    derivative_use: Literal["permitted", "barred", "not_addressed"]
    authorities: list[str] = Field(default_factory=list)


class Exposure(_Doc):
    text: str
    authorities: list[str]


class FactorDisclosure(_Doc):
    stage: str
    protect_under: str
    risk: str
    protection: str
    authorities: list[str]


class DisclosureRules(_Doc):
    stages: dict[str, Stage]
    protections: dict[
        Literal["none", "proffer_agreement", "rule_11f_410", "kastigar_letter", "court_order"], ProtectionSpec
    ]
    exposures: dict[str, Exposure]
    factors: dict[str, FactorDisclosure]

    @model_validator(mode="after")
    def _named(self) -> DisclosureRules:
        if len(self.protections) != 5:
            raise ValueError(
                "every protection (none, proffer_agreement, rule_11f_410, kastigar_letter, court_order) needs its text"
            )
        for name, f in self.factors.items():
            if f.stage not in self.stages:
                raise ValueError(f"factors.{name}.stage names unknown stage {f.stage!r}")
            if f.protect_under not in self.protections:
                raise ValueError(f"factors.{name}.protect_under names unknown protection {f.protect_under!r}")
        return self


class MitigationRubric(_Doc):
    bands: dict[Literal["strong", "moderate"], int]
    provability: Provability
    factors: dict[str, FactorSpec]
    package: Package
    levers: dict[LeverName, str]
    factor_levers: dict[str, list[FactorLever]]
    disclosure: DisclosureRules

    @model_validator(mode="after")
    def _consistent(self) -> MitigationRubric:
        for factor, specs in self.factor_levers.items():
            if factor not in self.factors:
                raise ValueError(f"factor_levers names unknown factor {factor!r}")
            for spec in specs:
                if spec.lever not in self.levers:
                    raise ValueError(f"factor_levers.{factor} names unknown lever {spec.lever!r}")
                if spec.requires and not self.factors[factor].trial_defense:
                    raise ValueError(
                        f"factor_levers.{factor}: only a trial defense can require a complete defense"
                    )
        if set(self.disclosure.factors) != set(self.factors):
            raise ValueError("disclosure.factors must name every factor, and only those")
        return self


# --- negotiation policy -------------------------------------------------------------------------


class Era(_Doc):
    label: str
    start: dt.date = Field(alias="from")
    charge_bargains: Literal["open", "approval_required"]
    note: str
    authorities: list[str]


class OfficeRule(_Doc):
    """What an office rule forbids: whole levers (`closes`, `limits`), or, more narrowly, a plea whose
    counts of conviction carry a statutory minimum below `closes_pleas_with_minimum_below` months."""

    label: str
    closes: list[LeverName] = Field(default_factory=list)
    limits: list[LeverName] = Field(default_factory=list)
    closes_pleas_with_minimum_below: int | None = Field(None, ge=1)
    note: str | None = None


class Concern(_Doc):
    label: str
    limits: list[LeverName] = Field(default_factory=list)


class NegotiationPolicy(_Doc):
    eras: dict[str, Era]
    office_rules: dict[str, OfficeRule]
    public_safety: dict[str, Concern]

    @model_validator(mode="after")
    def _eras_in_order(self) -> NegotiationPolicy:
        starts = [e.start for e in self.eras.values()]
        if starts != sorted(starts):
            raise ValueError("eras must be listed in the order they took effect")
        return self


# --- consequences of conviction -------------------------------------------------------------------


class PerCount(_Doc):
    per_felony_count: int
    authorities: list[str]
    certainty: Certainty


class AssessmentVersion(_Doc):
    start: dt.date = Field(alias="from")
    to: dt.date | None
    certainty: Certainty
    note: str


class Additional3014(_Doc):
    per_count: int
    applies_if: str
    chapters: list[str]
    dated_by: Literal["sentencing_date"]  # the assessment is imposed at sentencing
    versions: list[AssessmentVersion]
    authorities: list[str]


class Avaa(_Doc):
    maximum_by_class: dict[str, int]
    start: dt.date = Field(alias="from")
    note: str
    authorities: list[str]
    certainty: Certainty


class Restitution(_Doc):
    trafficking_minimum_per_victim: int
    trafficking_classes: list[str]
    start: dt.date = Field(alias="from")
    note: str
    authorities: list[str]
    certainty: Certainty


class Forfeiture(_Doc):
    text: str
    authorities: list[str]
    certainty: Certainty


class Tier(_Doc):
    tier: str
    years: int | str
    note: str | None = None
    certainty: Certainty | None = None


class PriorRise(_Doc):
    note: str
    authorities: list[str]


class Registration(_Doc):
    by_class: dict[str, Tier]
    by_prong: dict[Literal["receipt", "distribution"], Tier]  # receipt-or-distribution statutes
    years_by_tier: dict[Literal["I", "II", "III"], int | Literal["life"]]
    after_prior_sex_offense: PriorRise
    note: str
    authorities: list[str]
    certainty: Certainty


class Consequences(_Doc):
    special_assessment_3013: PerCount
    additional_assessment_3014: Additional3014
    avaa_assessment_2259A: Avaa
    restitution_2259: Restitution
    forfeiture_2253: Forfeiture
    registration: Registration


# --- outcome model ------------------------------------------------------------------------------


class Fitted(_Doc):
    years: list[int]
    authorities: list[str]
    n: int
    shares: dict[Literal["within", "above", "below_government", "below_other"], float]
    reduction_pct_below_other: list[float] = Field(min_length=11, max_length=11)
    reduction_pct_below_government: list[float] = Field(min_length=11, max_length=11)
    increase_pct_above: list[float] = Field(min_length=11, max_length=11)


class Parameter(_Doc):
    """One parameter of the outcome model: what it is (`kind`), its value, and, for an assumption, the
    range it is varied over (`low`, `high`: numbers, or tables with the value's keys) and why."""

    value: Any
    kind: Literal["assumption", "setting", "fitted", "measured", "published"]
    note: str | None = None
    authorities: list[str] = Field(default_factory=list)
    low: float | dict[str, float] | None = None
    high: float | dict[str, float] | None = None
    spread: float | None = None
    source: str | None = None  # the data or publication a measured or published value comes from
    n: int | None = None
    years: list[int] | None = None
    bounds: tuple[float, float] | None = None  # what a case file's override may be (default -1 to 1.5)

    @model_validator(mode="after")
    def _range(self) -> Parameter:
        if (self.low is None) != (self.high is None):
            raise ValueError("give both `low` and `high`, or neither")
        numeric = isinstance(self.value, int | float) and not isinstance(self.value, bool)
        table = isinstance(self.value, dict) and all(isinstance(v, int | float) for v in self.value.values())
        if self.kind == "assumption" and self.low is None:
            raise ValueError("an assumption needs `low` and `high` (the range it is varied over)")
        if self.kind in ("measured", "published") and not (self.source or self.authorities):
            raise ValueError(f"a {self.kind} value needs its `source` or `authorities`")
        if self.low is None:
            return self
        if numeric:
            if not isinstance(self.low, int | float) or not isinstance(self.high, int | float):
                raise ValueError("`low` and `high` must be numbers like the value")
            if self.low > self.high:
                raise ValueError("`low` is above `high`")
            if not self.low <= self.value <= self.high:
                raise ValueError(f"the value {self.value} is outside `low`-`high` ({self.low}-{self.high})")
        elif table:
            for bound in (self.low, self.high):
                if not isinstance(bound, dict) or set(bound) != set(self.value):
                    raise ValueError("`low` and `high` must be tables with the value's keys")
            for key, v in self.value.items():
                if not self.low[key] <= v <= self.high[key]:
                    raise ValueError(f"{key}: the value {v} is outside `low`-`high`")
        else:
            raise ValueError("only a number or a table of numbers can have `low` and `high`")
        return self


class PublishedCell(_Doc):
    offense: str
    level: int
    category: str
    range: list[int] = Field(min_length=2, max_length=2)
    minimum: int
    mean: float
    below_pct: float
    grade: str
    note: str | None = None


class Published(_Doc):
    fy2019_cells: list[PublishedCell]
    authorities: list[str]


class OutcomeModel(_Doc):
    fitted: Fitted
    parameters: dict[str, Parameter]
    published: Published


# --- investigation checklist -----------------------------------------------------------------------


class ChecklistRequest(_Doc):
    """A discovery or investigation request the memo lists when its conditions hold."""

    id: str
    request: str
    from_: str = Field(alias="from")
    why: str
    classes: list[str] = Field(default_factory=list)
    kinds: list[str] = Field(default_factory=list)
    no_kinds: list[str] = Field(default_factory=list)
    have_kinds: list[str] = Field(default_factory=list)
    missing: list[str] = Field(default_factory=list)  # "factor.criterion" or "factor.element"
    authorities: list[str]


class Investigation(_Doc):
    rows: list[ChecklistRequest]

    @model_validator(mode="after")
    def _unique(self) -> Investigation:
        ids = [r.id for r in self.rows]
        if len(ids) != len(set(ids)):
            raise ValueError("checklist ids must be unique")
        return self


DOCUMENT_MODELS: dict[str, type[_Doc]] = {
    "facts": FactsVocabulary,
    "mitigation-rubric": MitigationRubric,
    "negotiation-policy": NegotiationPolicy,
    "consequences": Consequences,
    "outcome-model": OutcomeModel,
    "investigation": Investigation,
}


def lever_names(documents: dict[str, dict[str, Any]]) -> set[str]:
    return set(documents["mitigation-rubric"]["levers"])


def check_levers(documents: dict[str, dict[str, Any]]) -> list[str]:
    """Lever names the policy uses that the rubric does not define (cross-document check)."""
    known = lever_names(documents)
    policy = documents["negotiation-policy"]
    bad = []
    for group in ("office_rules", "public_safety"):
        for key, spec in policy[group].items():
            for lever in spec.get("closes", []) + spec.get("limits", []):
                if lever not in known:
                    bad.append(f"{group}.{key} names unknown lever {lever!r}")
    return bad
