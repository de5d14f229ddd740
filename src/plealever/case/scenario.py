"""Plea and trial scenarios as overlays on the case (case-file input)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from plealever.case.model_base import Acceptance, Count, Distribution


class AgreedRange(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, defer_build=True)

    min: int = Field(ge=0)
    max: int = Field(ge=0)

    @model_validator(mode="after")
    def _order(self) -> AgreedRange:
        if self.max < self.min:
            raise ValueError(f"max {self.max} is below min {self.min}")
        return self


class StipulatedFacts(BaseModel):
    """Facts a scenario stipulates, replacing the case's (omitted ones are unchanged)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, defer_build=True)

    image_count: int | None = Field(None, ge=0)
    still_images: int | None = Field(None, ge=0)
    videos: int | None = Field(None, ge=0)
    distribution: Distribution | None = None
    sadistic_or_violent: bool | None = None
    infant_or_toddler: bool | None = None
    pattern_of_activity: bool | None = None
    receipt_only_no_intent_to_distribute: bool | None = None


class ScenarioSpec(BaseModel):
    """A disposition to compare: the counts of conviction and what the agreement says."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, defer_build=True)

    id: str = Field(min_length=1, pattern=r"^[a-z0-9_-]+$")
    label: str = Field(min_length=1)
    kind: Literal["plea", "trial"] = "plea"
    counts: list[Count] | None = Field(None, description="Counts of conviction; omitted: as charged.")
    findings: list[str] = Field(default_factory=list, description="Stipulated findings added to the case's.")
    not_applicable: list[str] = Field(
        default_factory=list, description="Stipulated not-applicable provisions."
    )
    facts: StipulatedFacts = Field(default_factory=StipulatedFacts)
    acceptance: Acceptance | None = Field(None, description="Default: three_level for a plea, none at trial.")
    plea_type: Literal["open", "A", "B", "C"] = "B"
    recommendation: Literal["none", "low_end", "range", "variance"] = "low_end"
    agreed_range: AgreedRange | None = Field(None, description="The (C) agreement's range or cap (min 0).")
    government_motion: Literal["none", "5K1.1", "3553(e)"] = "none"
    appeal_waiver: bool = True

    @model_validator(mode="after")
    def _consistent(self) -> ScenarioSpec:
        if self.plea_type == "C" and self.agreed_range is None:
            raise ValueError("a Rule 11(c)(1)(C) scenario needs agreed_range")
        if self.kind == "trial" and (
            self.plea_type != "B" or self.government_motion != "none" or self.agreed_range
        ):
            raise ValueError("a trial scenario has no plea type, agreed range or government motion")
        return self
