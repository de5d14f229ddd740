"""The case model. Unknown keys are rejected; every field is documented (docs/case-file.md).

A fact left out is unknown, not false: the calculator does not apply a characteristic on an unknown
fact, and it says so in the worksheet and the warnings.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Distribution = Literal[
    "none",
    "knowing",
    "thing_of_value",
    "to_minor",
    "to_minor_inducement",
    "to_minor_sexual_conduct",
    "pecuniary",
]
Acceptance = Literal["none", "two_level", "three_level"]
Category = Literal["I", "II", "III", "IV", "V", "VI"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Count(_Model):
    """Counts of conviction under one statute (a plea or a verdict), or the charges being modelled."""

    statute: str = Field(
        description='The statute of conviction, e.g. "18 U.S.C. § 2252A(a)(2)(A)", "18 USC 2252A(a)(2)" '
        'or "2252A(a)(2)".'
    )
    count: int = Field(1, ge=1, description="How many counts under this statute.")
    minor: str | None = Field(
        None,
        description="For production and enticement counts: a label for the minor involved. Counts with "
        "the same label group together (§3D1.2(a)/(b)); each distinct minor is a separate group "
        "(§2G2.1(d)(1), §2G1.3(d)(1)). Without labels each such count is treated as a separate minor.",
    )
    findings: list[str] = Field(
        default_factory=list,
        description="Provisions found to apply to this count's group only (pins, e.g. 2G2.1(b)(1)(A)).",
    )
    not_applicable: list[str] = Field(
        default_factory=list, description="Provisions found not to apply to this count's group only."
    )


class Facts(_Model):
    """Offense facts as the user states them. Omitted means unknown."""

    still_images: int | None = Field(None, ge=0, description="Still images (each counts as one).")
    videos: int | None = Field(
        None, ge=0, description="Videos or similar depictions (each counts as 75 images, §2G2.2 n.6)."
    )
    image_count: int | None = Field(
        None, ge=0, description="The already-counted image total (instead of still_images and videos)."
    )
    prepubescent: bool | None = Field(
        None, description="Material involved a prepubescent minor or a minor under 12."
    )
    sadistic_or_violent: bool | None = Field(
        None, description="Material portrays sadistic or masochistic conduct or other violence."
    )
    infant_or_toddler: bool | None = Field(
        None, description="Material portrays the sexual abuse or exploitation of an infant or toddler."
    )
    distribution: Distribution | None = Field(
        None, description="The most serious kind of distribution (§2G2.2(b)(3) limbs)."
    )
    distribution_retail_value: float | None = Field(
        None, ge=0, description="Retail value in dollars of material distributed for pecuniary gain."
    )
    receipt_only_no_intent_to_distribute: bool | None = Field(
        None,
        description="Conduct limited to receipt or solicitation, with no intent to traffic or "
        "distribute (§2G2.2(b)(1)).",
    )
    pattern_of_activity: bool | None = Field(
        None,
        description="Two or more separate instances of sexual abuse or exploitation of a minor "
        "(§2G2.2(b)(5)).",
    )
    computer: bool | None = Field(
        None, description="A computer or interactive computer service was used (§2G2.2(b)(6))."
    )
    obstruction: bool | None = Field(None, description="Obstruction of justice (§3C1.1).")
    prior_sex_offense_conviction: bool | None = Field(
        None,
        description="A prior conviction that triggers the statutes' recidivist tiers. A legal finding: "
        "whether a prior qualifies turns on the statute's list and the categorical approach.",
    )
    pattern_of_prohibited_sexual_conduct: bool | None = Field(
        None,
        description="Two or more separate occasions of prohibited sexual conduct with a minor "
        "(§4B1.5(b)); only matters for covered sex crimes.",
    )
    early_disposition_levels: int | None = Field(
        None,
        ge=0,
        le=4,
        description="Levels of an early disposition decrease moved for by the government (§3F1.1, "
        "Manuals from Nov. 2025).",
    )


class CriminalHistory(_Model):
    """Criminal history given directly: a category or a point total (not both)."""

    category: Category | None = None
    points: int | None = Field(None, ge=0)

    @model_validator(mode="after")
    def _one_of(self) -> CriminalHistory:
        if (self.category is None) == (self.points is None):
            raise ValueError("give exactly one of category (I-VI) or points (a whole number >= 0)")
        return self


class Case(_Model):
    """A case file: the counts, facts, findings, acceptance and criminal history to compute."""

    name: str | None = Field(None, description="A label for the case (not a client's name).")
    manual: dt.date | None = Field(
        None,
        description="Guidelines Manual edition to use (its effective date or any date it was in "
        "force). Otherwise chosen from offense_date and sentencing_date under §1B1.11.",
    )
    offense_date: dt.date | None = Field(
        None, description="Last date of the offense of conviction (controls ex post facto)."
    )
    sentencing_date: dt.date | None = Field(None, description="Date of sentencing, actual or expected.")
    counts: list[Count] = Field(min_length=1, description="Counts of conviction.")
    facts: Facts = Field(default_factory=Facts)
    findings: list[str] = Field(
        default_factory=list, description="Provisions found to apply (pins, optionally with limb)."
    )
    not_applicable: list[str] = Field(
        default_factory=list, description="Provisions found not to apply (pins)."
    )
    acceptance: Acceptance | None = Field(
        None,
        description="none, two_level (§3E1.1(a)) or three_level (the government also moves under §3E1.1(b)).",
    )
    criminal_history: CriminalHistory = Field(description="Category or points.")

    @model_validator(mode="after")
    def _dates(self) -> Case:
        if self.offense_date and self.sentencing_date and self.sentencing_date < self.offense_date:
            raise ValueError(
                f"sentencing_date {self.sentencing_date} is before offense_date {self.offense_date}"
            )
        return self
