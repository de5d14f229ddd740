"""The negotiation as it happened (case-file input): the government's offers with their terms, dates,
expiry and status over time, and when the defense gave notice of a plea (§3E1.1(b)).

An offer's terms use the same vocabulary as a scenario (case/scenario.py), so an open offer becomes a
scenario and every offer, open or past, can be priced the same way."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, model_validator

from plealever.case.model_base import Count, _Model
from plealever.case.scenario import AgreedRange, StipulatedFacts
from plealever.errors import choices

OfferStatus = Literal["open", "expired", "rejected", "accepted", "withdrawn"]
EventStatus = Literal["made", "conveyed", "countered", "open", "expired", "rejected", "accepted", "withdrawn"]


class OfferTerms(_Model):
    """What the government offers: the counts of conviction and what the agreement says."""

    counts: list[Count] | None = Field(
        None, description="The counts the defendant would plead to; omitted: every count as charged."
    )
    findings: list[str] = Field(
        default_factory=list, description="Guideline provisions the parties would stipulate apply (pins)."
    )
    not_applicable: list[str] = Field(
        default_factory=list,
        description="Guideline provisions the parties would stipulate do not apply (pins); the court is not "
        "bound by a stipulation (USSG §6B1.4(d)).",
    )
    facts: StipulatedFacts = Field(
        default_factory=StipulatedFacts, description="Facts the parties would stipulate (e.g. an image count)."
    )
    plea_type: Literal["open", "A", "B", "C"] = Field(
        "B",
        description="Rule 11(c)(1): A (charges dismissed), B (a recommendation the court need not follow), "
        "C (a sentence or range that binds the court once it accepts the agreement), or open.",
    )
    recommendation: Literal["none", "low_end", "range", "variance"] = Field(
        "low_end", description="The government's sentencing recommendation under the agreement."
    )
    agreed_range: AgreedRange | None = Field(
        None, description="For a (C) agreement: the agreed sentence range or cap in months (min 0)."
    )
    cooperation: Literal["none", "5K1.1", "3553(e)"] = Field(
        "none",
        description="A substantial-assistance motion the government promises for cooperation (§5K1.1, "
        "or 18 U.S.C. § 3553(e) below a minimum).",
    )
    appeal_waiver: bool = Field(True, description="The defendant waives appeal (except what the law preserves).")
    other: str | None = Field(None, max_length=2000, description="Any other term, in words.")

    @model_validator(mode="after")
    def _consistent(self) -> OfferTerms:
        if self.plea_type == "C" and self.agreed_range is None:
            raise ValueError("a Rule 11(c)(1)(C) offer needs agreed_range")
        return self


class OfferEvent(_Model):
    """One dated step in an offer's history: made, conveyed to the client, countered, and so on."""

    date: dt.date = Field(description="When it happened.")
    status: EventStatus = Field(description="What happened.")
    note: str | None = Field(None, max_length=2000, description="Who, how, what was said (no client name).")


class Offer(_Model):
    """One plea offer from the government, with its terms and what became of it."""

    id: str = Field(
        min_length=1, max_length=60, pattern=r"^[a-z0-9_-]+$", description="A short id, e.g. 'first-offer'."
    )
    date: dt.date = Field(description="The date the government made the offer.")
    terms: OfferTerms = Field(default_factory=OfferTerms, description="What the government offered.")
    expires: dt.date | None = Field(None, description="The date the offer lapses, if the government set one.")
    status: OfferStatus = Field(
        "open",
        description="open, expired, rejected, accepted or withdrawn. An open offer past its expiry is "
        "treated as expired (with a warning).",
    )
    conveyed: dt.date | None = Field(
        None,
        description="The date counsel conveyed the offer to the client (Missouri v. Frye: every formal offer "
        "must be conveyed).",
    )
    decided: dt.date | None = Field(
        None, description="The date the client accepted or rejected it, or it was withdrawn."
    )
    advice: str | None = Field(
        None, max_length=4000, description="Counsel's advice on the offer, in words, for the client advisement record."
    )
    history: list[OfferEvent] = Field(
        default_factory=list, description="Earlier steps of this offer, oldest first (optional)."
    )

    @model_validator(mode="after")
    def _dates(self) -> Offer:
        if self.expires and self.expires < self.date:
            raise ValueError(f"expires {self.expires} is before the offer's date {self.date}")
        if self.conveyed and self.conveyed < self.date:
            raise ValueError(f"conveyed {self.conveyed} is before the offer's date {self.date}")
        if self.decided and self.decided < self.date:
            raise ValueError(f"decided {self.decided} is before the offer's date {self.date}")
        if self.decided and self.status == "open":
            raise ValueError("an open offer has no decided date; set status to accepted, rejected or withdrawn")
        days = [e.date for e in self.history]
        if days != sorted(days):
            raise ValueError("history must be listed oldest first")
        return self

    def status_on(self, day: dt.date) -> OfferStatus:
        """The status on `day`: an open offer whose expiry has passed is expired."""
        if self.status == "open" and self.expires is not None and self.expires < day:
            return "expired"
        return self.status


class Negotiation(_Model):
    """The negotiation so far: the government's offers and the defense's plea notice."""

    offers: list[Offer] = Field(
        default_factory=list, description="Every plea offer the government made, oldest first, as a history."
    )
    plea_notice_given: dt.date | None = Field(
        None,
        description="The date the defense told the government the defendant will plead guilty (the timely "
        "notice of §3E1.1(b) that lets the government avoid preparing for trial).",
    )

    @model_validator(mode="after")
    def _unique(self) -> Negotiation:
        ids = [o.id for o in self.offers]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"offer ids must be unique; repeated: {choices(dupes)}")
        if [o.date for o in self.offers] != sorted(o.date for o in self.offers):
            raise ValueError("offers must be listed oldest first")
        accepted = [o.id for o in self.offers if o.status == "accepted"]
        if len(accepted) > 1:
            raise ValueError(f"only one offer can be accepted; accepted: {choices(accepted)}")
        return self
