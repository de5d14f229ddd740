"""Chapter Four, Part A: criminal history points from the prior record, and the category.

Each prior gets a step saying whether it counted, under which subsection, and why. Durations follow
the Manual: the sentence of imprisonment is the term pronounced less any suspended part, plus any
revocation term (§4A1.2(b), (k)); windows run back from the commencement of the instant offense.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from plealever.case.model import PriorRecord
from plealever.errors import CaseFileError, choices, quote
from plealever.guidelines.context import Ctx
from plealever.guidelines.trace import Step

DAYS_PER_MONTH = 365.25 / 12
GROUP = "Criminal history"


def years_before(day: dt.date, years: int) -> dt.date:
    if day.year - years < dt.MINYEAR:
        return dt.date.min  # a window reaching back before year 1 holds every date there is
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # Feb. 29 in a year that has none
        return day.replace(year=day.year - years, day=28)


@dataclass
class _Prior:
    index: int
    record: PriorRecord
    days: float  # sentence of imprisonment in days (§4A1.2(b), (k))
    members: list[_Prior] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.record.label


@dataclass
class History:
    points: int | None  # None when only a category was given
    category: str
    steps: list[Step]
    from_records: bool

    def to_dict(self) -> dict:
        return {
            "points": self.points,
            "category": self.category,
            "source": "records" if self.from_records else "given",
            "steps": [s.to_dict() for s in self.steps],
        }


class _Calc:
    def __init__(self, ctx: Ctx, commenced: dt.date):
        self.ctx = ctx
        self.c = commenced
        book = ctx.book
        self.windows = book.at("4A1.2(e)", ctx.edition)
        self.lists = book.at("4A1.2(c)", ctx.edition)
        self.juvenile = book.at("4A1.2(d)", ctx.edition)
        self.single = book.at("4A1.2(a)(2)", ctx.edition)
        self.pts = {p: book.at(f"4A1.1({p})", ctx.edition) for p in "abcde"}
        self.steps: list[Step] = []
        self.total = 0
        self.contested: set[int] = set()

    # --- helpers -------------------------------------------------------------------------------

    def pin(self, sub: str) -> str:
        """The pin a §4A1.1 subsection had in the edition in use (they moved in 2010 and 2023)."""
        version = self.pts.get(sub)
        return version.pin if version is not None and version.pin else f"4A1.1({sub})"

    def step(
        self,
        pin: str,
        points: int,
        reason: str,
        *,
        cite: str,
        status: str = "applied",
        certainty: str | None = None,
        extra: tuple[str, ...] = (),
    ) -> None:
        rule = cite
        # Cite the nearest provision the law data holds: 4A1.2(e)(3) is read from 4A1.2(e).
        provisions = self.ctx.book.provisions
        while cite not in provisions and "(" in cite:
            cite = cite[: cite.rindex("(")]
        s = self.ctx.step(pin, points, reason, status=status, cite_pin=cite, group=GROUP, certainty=certainty)
        rules = [r for r in dict.fromkeys([rule, *extra]) if r and r != pin and "-" not in r]
        if rules:
            s.citation = s.citation.replace(
                f"USSG §{pin} ", f"USSG §{pin}; " + "; ".join(f"§{r}" for r in rules) + " "
            )
        if status == "applied":
            self.total += points
        s.running_total = self.total
        self.steps.append(s)

    def long_days(self) -> float:
        return self.windows.long_sentence_over_months * DAYS_PER_MONTH

    # --- screening: is it a countable prior sentence at all? -----------------------------------

    def screen(self, i: int, r: PriorRecord) -> tuple[str, str] | None:
        """(pin, reason) when the record is not counted at all; None when it may count."""
        if r.part_of_instant_offense:
            return "4A1.2(a)(1)", "part of the instant offense (relevant conduct), so not a prior sentence"
        if r.reversed_or_invalid:
            return (
                "4A1.2",
                "reversed, vacated or invalidated conviction: not counted (§4A1.2, application note 6)",
            )
        if r.expunged:
            return "4A1.2(j)", "expunged conviction: not counted"
        if r.jurisdiction == "foreign":
            return "4A1.2(h)", "foreign sentence: not counted (it may still bear on a variance)"
        if r.jurisdiction == "tribal":
            return "4A1.2(i)", "tribal court sentence: not counted"
        if r.jurisdiction == "military" and r.court_martial in ("summary", "article_15"):
            return "4A1.2(g)", "summary court-martial or Article 15 proceeding: not counted"
        if r.jurisdiction == "military" and r.court_martial is None:
            self.ctx.warnings.append(
                f"criminal_history.records[{i}] ({r.label}): military sentence without court_martial; it is counted "
                "as if imposed by a general or special court-martial (§4A1.2(g)); summary and Article 15 are not."
            )
        if r.diversion == "without_admission":
            return "4A1.2(f)", "diversion without a finding or admission of guilt: not counted"
        if r.diversion == "juvenile_court":
            return "4A1.2(f)", "diversion from juvenile court: not counted"
        name = r.listed_offense
        if name is not None:
            known = set(self.lists.c1 or []) | set(self.lists.c2 or []) | set(self.lists.always_counted or [])
            if name not in known:
                raise CaseFileError(
                    f"unknown listed_offense {quote(name)}; expected one of {choices(sorted(known))}",
                    field=f"criminal_history.records[{i}].listed_offense",
                )
            if r.offense_class == "felony" and name not in (self.lists.always_counted or []):
                self.ctx.warnings.append(
                    f"criminal_history.records[{i}] ({r.label}): listed_offense {name!r} with offense_class felony; "
                    "felony sentences are always counted (§4A1.2(c)), so the list is not applied. Set offense_class "
                    "if it was a misdemeanor or petty offense."
                )
                return None
            if name in (self.lists.c2 or []):
                return "4A1.2(c)(2)", f"{name.replace('_', ' ')}: a §4A1.2(c)(2) offense, never counted"
            if name in (self.lists.c1 or []):
                days = self.term_days(r)
                if not (
                    r.probation_months > (self.lists.c1_probation_over_months or 0)
                    or days >= (self.lists.c1_imprisonment_at_least_days or 0)
                    or r.similar_to_instant_offense
                ):
                    return "4A1.2(c)(1)", (
                        f"{name.replace('_', ' ')}: a §4A1.2(c)(1) offense, counted only with probation over "
                        f"{self.lists.c1_probation_over_months} months, imprisonment of at least "
                        f"{self.lists.c1_imprisonment_at_least_days} days, or similarity to the instant offense"
                    )
        elif r.offense_class == "infraction":
            self.ctx.warnings.append(
                f"criminal_history.records[{i}] ({r.label}): an infraction with no listed_offense is counted; if it "
                "was a minor traffic infraction or another §4A1.2(c)(2) offense, set listed_offense."
            )
        return None

    def term_days(self, r: PriorRecord) -> float:
        """The unsuspended term pronounced, plus any revocation term, in days (§4A1.2(b), (k))."""
        pronounced = r.imprisonment_months * DAYS_PER_MONTH + r.imprisonment_days
        unsuspended = max(pronounced - r.suspended_months * DAYS_PER_MONTH, 0.0)
        return unsuspended + r.revocation_months * DAYS_PER_MONTH

    # --- single sentences ----------------------------------------------------------------------

    def arrest_separates(self, r: PriorRecord, i: int) -> bool:
        if not r.intervening_arrest:
            return False
        if r.arrest_was_traffic_stop:
            rule = self.single.traffic_stop_is_arrest
            if rule is False:
                return False
            self.ctx.warnings.append(
                f"criminal_history.records[{i}] ({r.label}): the intervening 'arrest' was a traffic stop; before "
                "Nov. 1, 2025 the circuits split on whether that separates sentences. Treated as an arrest."
            )
        return True

    def group(self, priors: list[_Prior]) -> list[_Prior]:
        """§4A1.2(a)(2): sentences not separated by an intervening arrest are one sentence if charged in
        one instrument or imposed on one day."""
        order = sorted(priors, key=lambda p: p.record.offense_date or p.record.sentence_date or dt.date.max)
        leads: list[_Prior] = []
        for k, p in enumerate(order):
            joined = False
            for lead in leads:
                first = min(lead.members, key=lambda m: order.index(m))
                between = order[order.index(first) : k]
                if any(self.arrest_separates(m.record, m.index) for m in between):
                    continue
                same_instrument = any(
                    p.record.charging_instrument
                    and m.record.charging_instrument == p.record.charging_instrument
                    for m in lead.members
                )
                same_day = any(
                    p.record.sentence_date and m.record.sentence_date == p.record.sentence_date
                    for m in lead.members
                )
                if same_instrument or same_day:
                    if any(m.record.intervening_arrest is None for m in between):
                        self.ctx.warnings.append(
                            f"criminal_history: whether an arrest separated {first.label!r} and {p.label!r} is "
                            "not stated; they are treated as a single sentence (§4A1.2(a)(2))."
                        )
                    lead.members.append(p)
                    joined = True
                    break
            if not joined:
                p.members = [p]
                leads.append(p)
        out = []
        for first in leads:
            members = first.members
            if len(members) == 1:
                out.append(first)
                continue
            # Concurrent terms: the longest of those inside their own time window (decision 0002).
            # Consecutive terms: the aggregate, every member in full, whatever day it was imposed and
            # even if it would score nothing alone (§4A1.2(a)(2): "use the aggregate sentence of
            # imprisonment"; §4A1.1 n.4's one-year-and-nine-month example). The points belong to the
            # longest member, a crime of violence winning a tie, so the others are what §4A1.1(d) sees.
            live = [
                m for m in members if self.points_for(_Prior(m.index, m.record, m.days, [m]), quiet=True)[0]
            ] or members
            lead = max(live, key=lambda m: (m.days, m.record.crime_of_violence, -m.index))
            if any(m is not lead and m.days == lead.days for m in live):
                self.contested.add(lead.index)
            term = self.single_term(members if any(m.record.consecutive for m in members) else live)
            out.append(_Prior(lead.index, lead.record, term, members))
        return out

    @staticmethod
    def single_term(members: list[_Prior]) -> float:
        """Concurrent terms: the longest; terms marked consecutive are added to it (§4A1.2(a)(2))."""
        concurrent = [m.days for m in members if not m.record.consecutive]
        consecutive = [m.days for m in members if m.record.consecutive]
        return (max(concurrent) if concurrent else 0.0) + sum(consecutive)

    # --- points --------------------------------------------------------------------------------

    def points_for(self, p: _Prior, *, quiet: bool = False) -> tuple[int, str, str, str]:
        """(points, §4A1.1 subsection, citing pin, reason) for one (single) sentence, before the (c) cap."""
        r = p.record
        days = p.days
        sentenced = max((m.record.sentence_date for m in p.members if m.record.sentence_date), default=None)
        released = max((m.record.release_date for m in p.members if m.record.release_date), default=None)
        long_start = years_before(self.c, self.windows.long_window_years)
        other_start = years_before(self.c, self.windows.other_window_years)
        months = days / DAYS_PER_MONTH
        term = f"a sentence of imprisonment of {months:.1f} months" if days else "no sentence of imprisonment"
        if r.convicted_not_sentenced:
            return (
                1,
                "c",
                "4A1.2(a)(4)",
                "convicted but not yet sentenced: counted as a one-point prior sentence",
            )
        if sentenced is None:
            raise CaseFileError(
                f"record {r.label!r} has no sentence_date (give it, or convicted_not_sentenced: true)",
                field="criminal_history.records",
            )
        if r.diversion == "with_admission":
            # §4A1.2(f): counted under §4A1.1(c), whatever confinement came with it.
            other_start = years_before(self.c, self.windows.other_window_years)
            if sentenced >= other_start:
                return (
                    1,
                    "c",
                    "4A1.2(f)",
                    f"diversion with an admission of guilt, imposed {sentenced}, within 10 years",
                )
            return (
                0,
                "c",
                "4A1.2(f)",
                f"diversion with an admission of guilt, imposed {sentenced}, outside 10 years",
            )
        under_18 = r.age_at_offense is not None and r.age_at_offense < 18 or r.juvenile
        if under_18:
            five = years_before(self.c, self.juvenile.window_years)
            if not r.juvenile and days > self.long_days():
                if sentenced >= long_start or (released and released >= long_start):
                    return (
                        3,
                        "a",
                        "4A1.2(d)(1)",
                        f"offense before 18, adult conviction, {term} (over 13 months)",
                    )
                return (
                    0,
                    "a",
                    "4A1.2(e)(1)",
                    f"offense before 18, adult {term}, imposed and served before {long_start}",
                )
            if days >= self.windows.two_point_at_least_days:
                if released is None and sentenced >= five:
                    return (
                        2,
                        "b",
                        "4A1.2(d)(2)(A)",
                        f"offense before 18, confinement of at least 60 days imposed {sentenced}, inside the "
                        f"5-year period, so released inside it (or not yet)",
                    )
                if released is None:
                    if not quiet:
                        self.ctx.warnings.append(
                            f"criminal_history: {r.label}: release date needed to apply §4A1.2(d)(2)(A); "
                            "not counted."
                        )
                    return 0, "b", "4A1.2(d)(2)(A)", f"offense before 18, {term}; release date not given"
                if released >= five:
                    return (
                        2,
                        "b",
                        "4A1.2(d)(2)(A)",
                        (
                            f"offense before 18, confinement of at least 60 days, released {released} (within 5 years, "
                            f"on or after {five})"
                        ),
                    )
                return 0, "b", "4A1.2(d)(2)(A)", f"offense before 18, released {released}, before {five}"
            if sentenced >= five:
                return (
                    1,
                    "c",
                    "4A1.2(d)(2)(B)",
                    f"offense before 18, sentence imposed {sentenced}, within 5 years",
                )
            return 0, "c", "4A1.2(d)(2)(B)", f"offense before 18, sentence imposed {sentenced}, before {five}"
        if days > self.long_days():
            if sentenced >= long_start:
                return 3, "a", "4A1.2(e)(1)", f"{term} (over 13 months), imposed {sentenced}, within 15 years"
            if released and released >= long_start:
                return (
                    3,
                    "a",
                    "4A1.2(e)(1)",
                    (
                        f"{term} (over 13 months), imposed {sentenced} but served into the 15-year period "
                        f"(released {released})"
                    ),
                )
            if released is None and not quiet:
                self.ctx.warnings.append(
                    f"criminal_history: {r.label}: no release_date; a sentence over 13 months imposed before "
                    f"{long_start} still counts if the defendant was incarcerated on it after that date."
                )
            return (
                0,
                "a",
                "4A1.2(e)(3)",
                f"{term} imposed {sentenced} and served before {long_start}: outside 15 years",
            )
        if days >= self.windows.two_point_at_least_days:
            if sentenced >= other_start:
                return (
                    2,
                    "b",
                    "4A1.2(e)(2)",
                    f"{term} (at least 60 days), imposed {sentenced}, within 10 years",
                )
            return (
                0,
                "b",
                "4A1.2(e)(3)",
                f"{term} imposed {sentenced}, before {other_start}: outside 10 years",
            )
        kind = (
            "suspended or stayed sentence"
            if r.imprisonment_months and not days
            else ("diversion with an admission of guilt" if r.diversion == "with_admission" else term)
        )
        if sentenced >= other_start:
            return 1, "c", "4A1.2(e)(2)", f"{kind}, imposed {sentenced}, within 10 years"
        return 0, "c", "4A1.2(e)(3)", f"{kind}, imposed {sentenced}, before {other_start}: outside 10 years"

    def run(self, records: list[PriorRecord], under: str | None) -> int:
        priors: list[_Prior] = []
        for i, r in enumerate(records):
            excluded = self.screen(i, r)
            if excluded:
                pin, why = excluded
                self.step(pin, 0, f"{r.label}: {why}", cite=pin, status="not_applied")
                continue
            p = _Prior(i, r, self.term_days(r))
            priors.append(p)
        c_points = 0
        cov_points = 0
        counted_ab: list[_Prior] = []
        for lead in self.group(priors):
            pts, sub, cite, why = self.points_for(lead)
            names = " + ".join(m.label for m in lead.members)
            if len(lead.members) > 1:
                why += " (counted as a single sentence: same charging instrument or same day, no intervening arrest)"
            if lead.record.pardoned_or_set_aside:
                why += "; pardoned or set aside for other reasons than innocence, so still counted (n.10)"
            if self.single.rule == "related_cases" and len(lead.members) > 1:
                why += "; under the pre-2007 related-cases rule"
            if sub == "c" and pts:
                cap = self.pts["c"].cap or 0
                allowed = max(min(pts, cap - c_points), 0)
                c_points += allowed
                if allowed < pts:
                    why += f"; the {cap}-point cap on §4A1.1(c) is reached, so it adds nothing"
                pts = allowed
            certainty = (
                "contested"
                if (self.single.certainty == "contested" and len(lead.members) > 1)
                or lead.index in self.contested
                else None
            )
            records = [m.record for m in lead.members]
            extra = (
                ("4A1.2(a)(2)",) * (len(lead.members) > 1)
                + ("4A1.2(b)",) * any(r.suspended_months for r in records)
                + ("4A1.2(a)(3)",) * any(r.suspended_months and not self.term_days(r) for r in records)
                + ("4A1.2(k)",) * any(r.revocation_months for r in records)
                + ("4A1.2(f)",) * any(r.diversion == "with_admission" for r in records)
                + ("4A1.2(j)",) * any(r.pardoned_or_set_aside for r in records)
            )
            self.step(
                self.pin(sub),
                pts,
                f"{names}: {why}",
                cite=cite,
                status="applied" if pts else "not_applied",
                certainty=certainty,
                extra=extra,
            )
            if pts and sub in "ab":
                counted_ab.append(lead)
            if pts and len(lead.members) > 1:
                cap = self.pts["d"].cap or 0
                requires_violent_lead = bool(getattr(self.pts["d"], "requires_violent_lead", False))
                for m in lead.members:
                    if m.index == lead.index or not m.record.crime_of_violence:
                        continue
                    alone = _Prior(m.index, m.record, m.days, [m])
                    if self.points_for(alone, quiet=True)[0] == 0:
                        continue
                    # A member whose term raised the single sentence's points did receive points
                    # (§4A1.1 n.4's consecutive example): no extra point for it.
                    rest = [x for x in lead.members if x.index != m.index]
                    without = _Prior(lead.index, lead.record, self.single_term(rest), rest)
                    if self.points_for(without, quiet=True)[0] < pts:
                        continue
                    if requires_violent_lead and not lead.record.crime_of_violence:
                        self.step(
                            self.pin("d"),
                            0,
                            f"{m.label}: under this Manual the point needs the sentence it "
                            "was related to to be a crime of violence too",
                            cite="4A1.1(d)",
                            status="not_applied",
                            certainty="contested",
                        )
                        continue
                    if cov_points >= cap:
                        self.step(
                            self.pin("d"),
                            0,
                            f"{m.label}: crime of violence in a single sentence; the "
                            f"{cap}-point cap is reached",
                            cite="4A1.1(d)",
                            status="not_applied",
                        )
                        continue
                    cov_points += 1
                    self.step(
                        self.pin("d"),
                        1,
                        f"{m.label}: crime of violence that got no points only because it "
                        "was counted in a single sentence",
                        cite="4A1.1(d)",
                    )
        self.status(under, counted_ab)
        return self.total

    def status(self, under: str | None, counted_ab: list[_Prior]) -> None:
        version = self.pts["e"]
        status_added = 0
        if under is None:
            self.ctx.warnings.append(
                "criminal_history.under_sentence not stated; status points (§4A1.1) are not applied."
            )
        elif under != "none":
            need = version.minimum_other_points
            if need is not None and self.total < need:
                self.step(
                    self.pin("e"),
                    0,
                    f"under {under.replace('_', ' ')} at the instant offense, but only "
                    f"{self.total} points from (a)-(d); status points need {need} or more",
                    cite="4A1.1(e)",
                    status="not_applied",
                )
            else:
                status_added = version.levels or 0
                extra = f" with {self.total} points from (a)-(d)" if need else ""
                self.step(
                    self.pin("e"),
                    status_added,
                    f"instant offense committed while under {under.replace('_', ' ')}{extra}",
                    cite="4A1.1(e)",
                )
        recency = self.ctx.book.at("4A1.1(e)-recency", self.ctx.edition)
        if recency is None:
            return
        window = years_before(self.c, recency.window_years or 2)
        hits = [
            p
            for p in counted_ab
            if any(m.record.release_date and m.record.release_date > window for m in p.members)
        ]
        if hits or (under in ("imprisonment", "escape") and counted_ab):
            levels = (recency.reduced_levels or 1) if status_added >= 2 else (recency.levels or 2)
            who = hits[0].label if hits else "a counted sentence"
            self.step(
                recency.pin or "4A1.1(e)",
                levels,
                f"instant offense within two years of release from "
                f"{who} (or while in imprisonment or escape status)"
                + ("; one point only because status points were added" if status_added >= 2 else ""),
                cite="4A1.1(e)-recency",
            )


def category_for(ctx: Ctx, points: int) -> str:
    version = ctx.version("4A1.1")
    band = next(b for b in version.bands if points >= b["from"] and (b["to"] is None or points <= b["to"]))
    return band["category"]


def compute(ctx: Ctx) -> History:
    """The criminal history category: from the prior records, or as given (which wins, with a warning)."""
    given = ctx.case.criminal_history
    version = ctx.version("4A1.1")
    from_records = None
    if given.records or given.under_sentence is not None:
        commenced = given.instant_offense_commenced or ctx.case.offense_date
        if commenced is None:
            raise CaseFileError(
                "computing points from records needs the date the instant offense began "
                "(criminal_history.instant_offense_commenced, or offense_date)",
                field="criminal_history.instant_offense_commenced",
            )
        if given.instant_offense_commenced is None and given.records:
            ctx.warnings.append(
                f"criminal_history.instant_offense_commenced not given: the time windows of §4A1.2(d)-(e) run "
                f"back from the start of the instant offense, including relevant conduct (§4A1.2 n.8), and "
                f"offense_date ({commenced}, its last day) is used instead. An earlier start reaches older priors; "
                "state it."
            )
        calc = _Calc(ctx, commenced)
        points = calc.run(given.records, given.under_sentence)
        category = category_for(ctx, points)
        summary = ctx.step(
            "4A1.1",
            0,
            f"{points} criminal history points from the prior record: category {category}",
            status="info",
            version=version,
            group=GROUP,
        )
        summary.running_total = points
        from_records = History(points, category, calc.steps + [summary], True)
    if given.category is not None or given.points is not None:
        points: int | None
        if given.category is not None:
            category, points, how = (
                given.category,
                None,
                f"category {given.category} as given in the case file",
            )
        else:
            points = given.points or 0
            category = category_for(ctx, points)
            how = f"{points} criminal history points as given: category {category}"
        if from_records is not None and from_records.category != category:
            ctx.warnings.append(
                f"criminal history given directly ({how}) differs from the records ({from_records.points} points, "
                f"category {from_records.category}); the given value is used."
            )
        elif from_records is not None:
            ctx.warnings.append("criminal history is given directly and as records; the given value is used.")
        step = ctx.step("4A1.1", 0, how, status="info", version=version)
        steps = (from_records.steps if from_records else []) + [step]
        return History(points, category, steps, False)
    if from_records is None:
        raise CaseFileError("give a category, points or records", field="criminal_history")
    return from_records
