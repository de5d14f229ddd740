"""Shared input types: counts of conviction and the enumerations several case-file parts use."""

from __future__ import annotations

import datetime as dt
import types
import typing
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError


@cache
def _kinds(annotation: Any) -> frozenset[type]:
    """The plain types a field admits: int | None -> {int, NoneType}."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return frozenset().union(*(_kinds(a) for a in typing.get_args(annotation)))
    return frozenset({annotation}) if isinstance(annotation, type) else frozenset()


# Errors raised for a whole model that belong to one of its fields; the field is in the error's ctx.
FIELD_ERRORS = ("date_not_text", "bool_not_number")


class _Model(BaseModel):
    # Unknown keys are errors; so are infinite or NaN numbers, which no sentence or fact can be.
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, defer_build=True)

    @model_validator(mode="before")
    @classmethod
    def _no_hidden_readings(cls, data: Any) -> Any:
        """Refuse the lax readings that change a fact: a number read as a date (0 is 1970-01-01 to
        pydantic), true or false read as a count or an amount."""
        if not isinstance(data, dict):
            return data
        for name, value in data.items():
            info = cls.model_fields.get(name) if isinstance(name, str) else None
            if info is None or not isinstance(value, int | float):
                continue
            kinds = _kinds(info.annotation)
            if dt.date in kinds:
                raise PydanticCustomError(
                    "date_not_text", "expected a date as text, YYYY-MM-DD", {"field": name}
                )
            if kinds & {int, float} and bool not in kinds and isinstance(value, bool):
                raise PydanticCustomError(
                    "bool_not_number", "expected a number, not true or false", {"field": name}
                )
        return data


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


class UnchargedMinor(_Model):
    """A minor exploited in the relevant conduct of a count but not named in any count (§2G2.1(d)(1),
    §2G1.3(d)(1) and their notes): treated as a separate count of conviction for grouping only."""

    minor: str = Field(min_length=1, description="A label for the minor (not a name).")
    findings: list[str] = Field(
        default_factory=list,
        description="Provisions found to apply to the conduct involving this minor (e.g. 2G2.1(b)(1)(A)).",
    )
    not_applicable: list[str] = Field(
        default_factory=list, description="Provisions found not to apply to the conduct involving this minor."
    )


class Count(_Model):
    """Counts of conviction under one statute (a plea or a verdict), or the charges being modelled."""

    statute: str = Field(
        description='The statute of conviction, e.g. "18 U.S.C. § 2252A(a)(2)(A)", "18 USC 2252A(a)(2)" '
        'or "2252A(a)(2)".'
    )
    count: int = Field(1, ge=1, le=500, description="How many counts under this statute.")
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
    uncharged_minors: list[UnchargedMinor] = Field(
        default_factory=list,
        description="For a production or enticement count (§2G2.1, §2G1.3): other minors exploited in its "
        "relevant conduct but named in no count. Each becomes a separate group for §3D1.4 units, as if a "
        "separate count of conviction (§2G2.1(d)(1) and n.7; §2G1.3(d)(1) and n.6); none adds a statutory "
        "maximum.",
    )
    prong: Literal["receipt", "distribution"] | None = Field(
        None,
        description="For a receipt-or-distribution count (18 U.S.C. § 2252(a)(2), § 2252A(a)(2)): the prong "
        "pleaded or found. A distribution conviction is SORNA tier II (34 U.S.C. § 20911(3)(B)(iii)); it "
        "also rules out §2G2.2(b)(1).",
    )
    all_acts_completed: bool | None = Field(
        None,
        description="For an attempt or conspiracy count (statute written with '(attempt)' or "
        "'(conspiracy)'): the defendant (or a co-conspirator) completed all the acts believed necessary for "
        "the substantive offense, or was about to but for apprehension or interruption, so §2X1.1(b)'s "
        "3-level decrease does not apply.",
    )
