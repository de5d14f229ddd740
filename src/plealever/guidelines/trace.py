"""What a calculation returns: every number as a Step with its pin, reason, authority and certainty."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

Months = int | Literal["life"]
Status = Literal["applied", "not_applied", "info"]
Certainty = Literal["verified", "unverified", "contested"]


@dataclass
class Step:
    pin: str
    levels: int
    reason: str
    status: Status
    citation: str
    authorities: list[str]
    certainty: Certainty = "verified"
    group: str | None = None
    running_total: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "pin": self.pin,
            "levels": self.levels,
            "status": self.status,
            "running_total": self.running_total,
            "reason": self.reason,
            "citation": self.citation,
            "authorities": self.authorities,
            "certainty": self.certainty,
            "group": self.group,
        }


@dataclass
class Range:
    min: Months
    max: Months

    def to_dict(self) -> dict[str, Months]:
        return {"min": self.min, "max": self.max}

    def key(self) -> tuple[float, float]:
        """Sort key: life is above every number of months."""
        return tuple(float("inf") if v == "life" else float(v) for v in (self.min, self.max))

    def __str__(self) -> str:
        return f"{self.min}" if self.min == self.max else f"{self.min}-{self.max}"

    def text(self) -> str:
        """'63-78 months', '360 months to life', 'life', '120 months'."""
        if self.min == "life":
            return "life"
        if self.max == "life":
            return f"{self.min} months to life"
        return f"{self} months"


@dataclass
class CountExposure:
    label: str
    statute: str
    guideline: str
    statutory_range: Range
    tier: str
    certainty: Certainty
    authorities: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {
            "count": self.label,
            "statute": self.statute,
            "guideline": self.guideline,
            "statutory_range": self.statutory_range.to_dict(),
            "tier": self.tier,
            "certainty": self.certainty,
            "authorities": self.authorities,
        }


@dataclass
class Calculation:
    """One calculation under one Manual edition."""

    edition: dt.date
    edition_verified: bool
    steps: list[Step]
    counts: list[CountExposure]
    total_offense_level: int
    criminal_history_category: str
    guideline_range: Range
    statutory_range: Range
    effective_range: Range
    zone: str
    supervised_release: Range
    history: Any = None  # guidelines.criminal_history.History
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "edition": self.edition.isoformat(),
            "total_offense_level": self.total_offense_level,
            "criminal_history_category": self.criminal_history_category,
            "guideline_range": self.guideline_range.to_dict(),
            "effective_range": self.effective_range.to_dict(),
        }


@dataclass
class Result:
    """The governing calculation, and the other edition's when §1B1.11 needed a comparison."""

    calculation: Calculation
    edition_reason: str
    alternative: Calculation | None = None
    warnings: list[str] = field(default_factory=list)
    prior_alternatives: list[dict[str, Any]] | None = None
    calculations: int = 1  # per-Manual calculations run to produce this result (for benchmarks)

    def to_dict(self) -> dict[str, Any]:
        c = self.calculation
        return {
            "edition": c.edition.isoformat(),
            "edition_verified": c.edition_verified,
            "edition_reason": self.edition_reason,
            "total_offense_level": c.total_offense_level,
            "criminal_history_category": c.criminal_history_category,
            "guideline_range": c.guideline_range.to_dict(),
            "statutory_range": c.statutory_range.to_dict(),
            "effective_range": c.effective_range.to_dict(),
            "zone": c.zone,
            "supervised_release": c.supervised_release.to_dict(),
            "counts": [x.to_dict() for x in c.counts],
            "warnings": list(dict.fromkeys(self.warnings + c.warnings)),
            "steps": [s.to_dict() for s in c.steps],
            "criminal_history": c.history.to_dict() if c.history is not None else None,
            "alternative_edition": self.alternative.summary() if self.alternative else None,
            "prior_alternatives": self.prior_alternatives,
            "notice": NOTICE,
        }


NOTICE = (
    "Not legal advice. An estimate from the case file as entered, for a lawyer's review; "
    "it promises no outcome."
)
