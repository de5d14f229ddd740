"""The calculation in the order of USSG §1B1.1: Chapter Two per group, Chapter Three, Chapter Four,
the Sentencing Table and the statutory limits; and the choice of Manual under §1B1.11."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from plealever.case.checks import contradictions
from plealever.case.model import Case
from plealever.errors import (
    EditionError,
    LawDataError,
    NotModelledError,
    PlealeverError,
    UnknownStatuteError,
)
from plealever.guidelines import chapter3, chapter4, chapter5, criminal_history, images
from plealever.guidelines.chapter2 import Walk
from plealever.guidelines.context import Ctx, Scope, check_pins
from plealever.guidelines.trace import Calculation, CountExposure, Range, Result, Step
from plealever.law.dated import in_force
from plealever.law.editions import edition_in_force
from plealever.law.rulebook import LIFE, Rulebook, Statute, rulebook
from plealever.law.statutes import find_statute

# Guidelines whose counts the grouping rules keep apart by minor (special instructions) or case by case.
PER_MINOR = {"2G2.1", "2G1.3"}


@dataclass
class _Unit:
    """One count of conviction."""

    label: str
    statute: Statute
    minor: str | None
    findings: list[str]
    not_applicable: list[str]


def calculate(
    case: Case,
    *,
    book: Rulebook | None = None,
    source: str | None = None,
    today: dt.date | None = None,
) -> Result:
    """Compute the exposure for `case`, choosing the Manual under §1B1.11.

    `book` is the law data to apply (the bundled rulebook when omitted). Every error raised on the way
    names `source`, the case file it came from. `Result.calculations` counts the per-Manual
    calculations this took (two where §1B1.11 compares Manuals; doubled again for undecided priors).
    """
    book = book if book is not None else rulebook()
    try:
        undecided = [
            r.label
            for r in case.criminal_history.records
            if "undecided" in (r.statutory_sex_offense_prior, r.sex_offense_against_minor)
        ]
        if not undecided:
            return _choose_and_calculate(book, case, source, today)
        # Whether a prior qualifies is a legal finding the user has not made: compute both outcomes.
        worst = _choose_and_calculate(book, _resolve_priors(case, "yes"), source, today)
        best = _choose_and_calculate(book, _resolve_priors(case, "no"), source, today)
        worst.calculations += best.calculations
        worst.prior_alternatives = [
            {"assumption": "the undecided priors qualify", **worst.calculation.summary()},
            {"assumption": "the undecided priors do not qualify", **best.calculation.summary()},
        ]
        worst.warnings.append(
            f"Whether {', '.join(undecided)} qualif{'ies' if len(undecided) == 1 else 'y'} as a sex-offense prior "
            "is undecided (a legal finding under the categorical approach, on the statute's list: 18 U.S.C. §§ "
            "2251(e), 2252(b), 2252A(b); for §4B1.5(a), 18 U.S.C. § 2426(b)). The figures above assume it does; "
            f"if not: {best.calculation.effective_range} months effective range (level "
            f"{best.calculation.total_offense_level}, category {best.calculation.criminal_history_category})."
        )
        return worst
    except PlealeverError as exc:
        if exc.file is None and not isinstance(exc, LawDataError):
            exc.file = source
        raise


def _choose_and_calculate(book: Rulebook, case: Case, source: str | None, today: dt.date | None) -> Result:
    today = today or dt.date.today()
    warnings: list[str] = []
    findings = check_pins(book, case.findings, field_name="findings", source=source)
    excluded = check_pins(book, case.not_applicable, field_name="not_applicable", source=source)
    units = _units(book, case, source)
    warnings += contradictions(
        case, possession_only=all(u.statute.offense_class == "possession" for u in units)
    )

    if case.manual is not None:
        edition = edition_in_force(book, case.manual, field="manual")
        calc = _calculate(case, book, edition, units, findings, excluded, today, source)
        reason = f"the Manual named in the case file (manual: {case.manual})"
        return Result(calc, reason, None, warnings, calculations=1)

    sentencing = case.sentencing_date or today
    if case.sentencing_date is None:
        warnings.append(f"sentencing_date not given; the Manual in force today ({today}) is used.")
    at_sentencing = edition_in_force(book, sentencing, field="sentencing_date")
    calc = _calculate(case, book, at_sentencing, units, findings, excluded, today, source)
    if case.offense_date is None:
        warnings.append(
            "offense_date not given; the ex post facto comparison of §1B1.11(b)(1) could not be made."
        )
        return Result(calc, f"the Manual in force at sentencing ({sentencing})", None, warnings, calculations=1)
    try:
        at_offense = edition_in_force(book, case.offense_date, field="offense_date")
    except EditionError:
        warnings.append(
            f"the Manual in force on the offense date ({case.offense_date}) predates the modelled editions; "
            "the ex post facto comparison could not be made and may favour the earlier Manual."
        )
        return Result(calc, f"the Manual in force at sentencing ({sentencing})", None, warnings, calculations=1)
    if at_offense == at_sentencing:
        return Result(
            calc,
            "the Manual in force at sentencing, which was also in force on the offense date",
            None,
            warnings,
            calculations=1,
        )
    try:
        earlier = _calculate(case, book, at_offense, units, findings, excluded, today, source)
    except NotModelledError as exc:
        warnings.append(
            f"The ex post facto comparison with the {at_offense.year} Manual (in force on the offense date) "
            f"could not be made: {exc.message}. The sentencing-date Manual is used; check the earlier Manual "
            "by hand."
        )
        return Result(calc, f"the Manual in force at sentencing ({sentencing})", None, warnings, calculations=2)
    if earlier.effective_range.key() < calc.effective_range.key() or (
        earlier.effective_range.key() == calc.effective_range.key()
        and earlier.guideline_range.key() < calc.guideline_range.key()
    ):
        reason = (
            f"the {at_offense.year} Manual (in force on the offense date) gives a lower range "
            f"({earlier.effective_range}) than the {at_sentencing.year} Manual at sentencing "
            f"({calc.effective_range}); the Ex Post Facto Clause requires the earlier Manual, applied as "
            "a whole (§1B1.11(b)(1)-(2); Peugh v. United States)"
        )
        return Result(earlier, reason, calc, warnings, calculations=2)
    reason = (
        f"the {at_sentencing.year} Manual in force at sentencing gives a range ({calc.effective_range}) no "
        f"higher than the {at_offense.year} Manual in force on the offense date ({earlier.effective_range}); "
        "the sentencing-date Manual applies (§1B1.11(a))"
    )
    return Result(calc, reason, earlier, warnings, calculations=2)


def _resolve_priors(case: Case, answer: str) -> Case:
    records = [
        r.model_copy(
            update={
                "statutory_sex_offense_prior": answer
                if r.statutory_sex_offense_prior == "undecided"
                else r.statutory_sex_offense_prior,
                "sex_offense_against_minor": answer
                if r.sex_offense_against_minor == "undecided"
                else r.sex_offense_against_minor,
            }
        )
        for r in case.criminal_history.records
    ]
    history = case.criminal_history.model_copy(update={"records": records})
    return case.model_copy(update={"criminal_history": history})


def _prior_flags(ctx: Ctx) -> None:
    """Sex-offense priors from the records; the fact given directly wins, with a warning on conflict."""
    case = ctx.case
    records = case.criminal_history.records
    commenced = case.criminal_history.instant_offense_commenced or case.offense_date
    from_records = any(r.statutory_sex_offense_prior == "yes" for r in records)
    stated = case.facts.prior_sex_offense_conviction
    if stated is not None and records and stated != from_records:
        ctx.warnings.append(
            f"facts.prior_sex_offense_conviction is {stated} but the records say {from_records}; the fact is used."
        )
    ctx.statutory_prior = stated if stated is not None else from_records
    for r in records:
        if r.statutory_sex_offense_prior == "yes" and stated is None:
            ctx.warnings.append(
                f"{r.label} is treated as a qualifying sex-offense prior for the statutory tiers: a legal finding "
                "under the categorical approach on each statute's list (18 U.S.C. §§ 2251(e), 2252(b)(1)-(2), "
                "2252A(b)(1)-(2)); contest it if the prior's elements are broader."
            )
        if r.sex_offense_against_minor == "yes":
            ctx.warnings.append(
                f"{r.label} is treated as a sex offense conviction under 18 U.S.C. § 2426(b) for §4B1.5(a) "
                "(a legal finding; trafficking, receipt and possession priors do not qualify, §4B1.5 n.3)."
            )
    ctx.minor_sex_offense_prior = any(
        r.sex_offense_against_minor == "yes"
        and (commenced is None or r.sentence_date is None or r.sentence_date < commenced)
        for r in records
    )


def _units(book: Rulebook, case: Case, source: str | None) -> list[_Unit]:
    units: list[_Unit] = []
    for i, count in enumerate(case.counts):
        statute = find_statute(book, count.statute)
        if statute is None:
            raise UnknownStatuteError(
                f"unknown or unmodelled statute {count.statute!r}; expected one of "
                + ", ".join(f"18 U.S.C. § {k}" for k in book.statutes),
                file=source,
                field=f"counts[{i}].statute",
            )
        f = check_pins(book, count.findings, field_name=f"counts[{i}].findings", source=source)
        n = check_pins(book, count.not_applicable, field_name=f"counts[{i}].not_applicable", source=source)
        for k in range(count.count):
            suffix = f" #{k + 1}" if count.count > 1 else ""
            units.append(_Unit(f"§ {statute.key}{suffix}", statute, count.minor, f, n))
    return units


def _calculate(
    case: Case,
    book: Rulebook,
    edition: dt.date,
    units: list[_Unit],
    findings: list[str],
    excluded: list[str],
    today: dt.date,
    source: str | None,
) -> Calculation:
    ctx = Ctx(case, book, edition)
    _prior_flags(ctx)
    steps: list[Step] = []
    info = book.edition(edition)
    if info.carried_forward_unverified:
        ctx.warnings.append(
            f"The {edition.year} Manual is not fully verified in the law data: {info.note or ''}".strip()
        )
    image_rule = book.at(images.PIN, edition)
    if image_rule is not None:  # image facts that contradict each other, whatever the counts' guideline
        ctx.warnings.extend(images.count_images(case.facts, image_rule.images_per_video or 0).warnings)

    # Statutory exposure per count (the statute in force on the offense date).
    law_day = case.offense_date or today
    if case.offense_date is None:
        ctx.warnings.append(f"offense_date not given; statutory penalties in force on {today} are used.")
    exposures: list[CountExposure] = []
    maxima: dict[str, int | str] = {}
    for u in units:
        exposures.append(_exposure(ctx, u, law_day, source))
        maxima[u.statute.key] = exposures[-1].statutory_range.max

    # Chapter Two and Chapter Three, Parts A-C, per group.
    group_levels: list[tuple[str, int]] = []
    applied_all: set[str] = set()
    for label, guideline, members in _groups(ctx, units):
        scope = Scope(
            findings=set(findings) | {p for u in members for p in u.findings},
            not_applicable=set(excluded) | {p for u in members for p in u.not_applicable},
        )
        if guideline not in book.sections or not any(
            book.provisions[p].at(edition) for p in book.sections[guideline].provisions
        ):
            raise NotModelledError(
                f"§{guideline} is not in the {edition.year} Manual (needed for {members[0].label})",
                file=source,
                field="counts",
            )
        best: Walk | None = None
        for statute in {u.statute.key: u.statute for u in members}.values():
            walk = Walk(ctx, guideline, statute, scope, label)
            walk.run()
            if best is None or walk.level > best.level:
                best = walk
        if best is None:
            raise LawDataError(f"no guideline walk ran for {label}")
        steps += best.steps
        if len({u.statute.key for u in members}) > 1:
            steps.append(
                ctx.step(
                    "3D1.3(b)",
                    0,
                    f"counts under several statutes in one group: the highest count level ({best.level}, "
                    f"computed for 18 U.S.C. § {best.statute.key}) is the group's level",
                    status="info",
                    group=label,
                    cite_pin="3D1.2(d)",
                )
            )
        level, adj = chapter3.adjustments(ctx, scope, best.applied, best.level, label)
        steps += adj
        applied_all |= best.applied | {s.pin for s in adj if s.status == "applied"}
        group_levels.append((label, level))

    case_scope = Scope(set(findings), set(excluded))
    level, comb = chapter3.combine(ctx, group_levels)
    steps += comb
    level, accepted, acc = chapter3.acceptance(ctx, level)
    steps += acc
    level, early = chapter3.early_disposition(ctx, level)
    steps += early

    history = criminal_history.compute(ctx)
    chc = history.category
    steps += [s for s in history.steps if s.group != criminal_history.GROUP]
    statutes = [u.statute for u in units]
    level, chc, rso = chapter4.repeat_sex_offender(ctx, case_scope, level, chc, accepted, statutes, maxima)
    steps += rso
    level, zp = chapter4.zero_point(ctx, case_scope, level, statutes, history.points, applied_all)
    steps += zp

    total, guideline_range, tab = chapter5.table_range(ctx, level, chc)
    steps += tab
    statutory, effective, lim = chapter5.statutory_limits(
        ctx, guideline_range, [(e.label, e.statutory_range) for e in exposures]
    )
    steps += lim
    steps += _departures(ctx)

    unused = [p for p in set(findings) if p not in ctx.used_findings]
    for pin in sorted(unused):
        ctx.warnings.append(
            f"finding {pin} was not used: no count in this case is sentenced under a guideline it belongs to, "
            "or it does not exist in this edition."
        )
    if ctx.unknown_facts:
        ctx.warnings.append(
            "Unknown facts, so the provisions that depend on them were not applied: "
            + ", ".join(f"facts.{name}" for name in sorted(ctx.unknown_facts))
            + ". State them to complete the calculation."
        )
    return Calculation(
        edition=edition,
        edition_verified=info.verified,
        steps=steps,
        counts=exposures,
        total_offense_level=total,
        criminal_history_category=chc,
        guideline_range=guideline_range,
        statutory_range=statutory,
        effective_range=effective,
        zone=chapter5.zone(ctx, effective),
        supervised_release=_supervised_release(ctx, law_day),
        history=history,
        warnings=ctx.warnings,
    )


def _groups(ctx: Ctx, units: list[_Unit]) -> list[tuple[str, str, list[_Unit]]]:
    """§3D1.2: one group for all counts under a guideline grouped under (d); per minor otherwise."""
    version = ctx.required("3D1.2(d)")
    under_d = set(version.grouped_under_d or [])
    out: dict[str, tuple[str, str, list[_Unit]]] = {}
    for i, u in enumerate(units):
        g = u.statute.guideline
        if g in under_d:
            key = f"d:{g}"
            label = f"§{g} counts (grouped, §3D1.2(d))"
        elif u.minor:
            key = f"minor:{u.minor}"
            label = f"Minor {u.minor}"
        else:
            key = f"count:{i}"
            label = f"{u.label} (§{g})"
            if g not in PER_MINOR:
                ctx.warnings.append(
                    f"§{g} is neither grouped nor excluded under §3D1.2(d); {u.label} is kept as its own group."
                )
        if key in out:
            out[key][2].append(u)
        else:
            out[key] = (label, g, [u])
    groups = list(out.values())
    for label, g, members in groups:
        guidelines = {u.statute.guideline for u in members}
        if len(guidelines) > 1:
            raise NotModelledError(
                f"{label} has counts under different guidelines ({', '.join(sorted(guidelines))}); grouping "
                "such counts under §3D1.2(a)-(c) is not modelled yet: give them different minor labels",
                field="counts",
            )
        if g in PER_MINOR and len(members) > 1:
            ctx.warnings.append(
                f"{label}: {len(members)} counts involving the same minor are grouped as one group "
                "(§3D1.2(a)/(b)); whether they group depends on the facts."
            )
    return groups


def _exposure(ctx: Ctx, u: _Unit, day: dt.date, source: str | None) -> CountExposure:
    version = u.statute.at(day)
    if version is None:
        first = u.statute.penalties[0].effective
        raise NotModelledError(
            f"18 U.S.C. § {u.statute.key}: penalties for offenses before {first} are not modelled "
            f"(offense date {day})",
            file=source,
            field="offense_date",
        )
    f = ctx.case.facts
    prior = ctx.statutory_prior
    tier, penalty = "base", version.base
    if prior and version.prior is not None:
        tier, penalty = "prior conviction", version.prior
    elif version.prepubescent is not None and f.prepubescent:
        tier, penalty = "prepubescent or under-12 material", version.prepubescent
    elif version.prepubescent is not None and f.prepubescent is None:
        ctx.warnings.append(
            f"{u.label}: facts.prepubescent not given; the {version.base.max}-month maximum is used, but "
            f"it is {version.prepubescent.max} months if any material involved a prepubescent minor."
        )
    if prior and version.prior is None:
        ctx.warnings.append(
            f"{u.label}: a prior sex offense conviction is stated, but no recidivist tier of 18 U.S.C. § "
            f"{u.statute.key} is modelled (see 18 U.S.C. §§ 2426, 3559(e) where they apply)."
        )
    if prior and u.statute.key.startswith("2251("):
        ctx.warnings.append(
            f"{u.label}: with two or more qualifying priors 18 U.S.C. § 2251(e) sets 35 years to life; the "
            "one-prior tier (25-50 years) is used."
        )
    if prior and u.statute.key.startswith(("2251(", "2422(b)", "2423(a)")):
        ctx.warnings.append(
            f"{u.label}: 18 U.S.C. § 3559(e) requires life imprisonment if the prior is a federal or state "
            "sex offense against a minor as that section defines it; not applied automatically."
        )
    return CountExposure(
        label=u.label,
        statute=f"18 U.S.C. § {u.statute.key}",
        guideline=u.statute.guideline,
        statutory_range=Range(penalty.min, penalty.max),
        tier=tier,
        certainty=version.certainty,
        authorities=list(version.authorities),
    )


def _supervised_release(ctx: Ctx, day: dt.date) -> Range:
    found = in_force(ctx.book.supervised_release, day)
    if found is None:
        return Range(0, LIFE)
    if found.certainty != "verified":
        ctx.warnings.append(f"Supervised release range for an offense on {day} is unverified: {found.note}")
    return Range(found.min, found.max)


def _departures(ctx: Ctx) -> list[Step]:
    """What the edition allows beyond the range: departures before Nov. 2025, variances always."""
    v5k2 = ctx.version("5K2.0")
    if v5k2 is not None:
        text = (
            "this Manual still has departures: §5K1.1 on the government's motion, and other Part K grounds "
            "limited for child crimes by §5K2.0(b); any other ground is a variance under 18 U.S.C. § 3553(a)"
        )
        return [ctx.step("5K2.0", 0, text, status="info", version=v5k2)]
    v = ctx.version("5K1.1")
    text = (
        "departures were deleted in Nov. 2025 except §5K1.1 (substantial assistance, on the government's "
        "motion); every other ground for a different sentence is a variance under 18 U.S.C. § 3553(a)"
    )
    return [ctx.step("5K1.1", 0, text, status="info", version=v)]
