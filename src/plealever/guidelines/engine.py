"""The calculation in the order of USSG §1B1.1: Chapter Two per group, Chapter Three, Chapter Four,
the Sentencing Table and the statutory limits; and the choice of Manual under §1B1.11."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from plealever.case.checks import contradictions
from plealever.case.model import Case
from plealever.errors import (
    CaseFileError,
    EditionError,
    LawDataError,
    NotModelledError,
    PlealeverError,
)
from plealever.guidelines import chapter3, chapter4, chapter5, criminal_history, images, inchoate, priors
from plealever.guidelines.chapter2 import Walk
from plealever.guidelines.context import Ctx, Scope, check_pins
from plealever.guidelines.trace import Calculation, CountExposure, Range, Result, Step
from plealever.law.dated import in_force
from plealever.law.editions import edition_in_force, last_day_modelled
from plealever.law.rulebook import LIFE, Rulebook, Statute, rulebook
from plealever.law.statutes import inchoate as inchoate_words
from plealever.law.statutes import require_statute

# Guidelines whose counts the grouping rules keep apart by minor (special instructions) or case by case.
PER_MINOR = {"2G2.1", "2G1.3"}


@dataclass
class _Unit:
    """One count of conviction, or a minor of its relevant conduct treated as one (`pseudo`)."""

    label: str
    statute: Statute
    minor: str | None
    findings: list[str]
    not_applicable: list[str]
    inchoate: str | None = None  # "attempt" or "conspiracy" (§2X1.1)
    all_acts_completed: bool | None = None
    prong: str | None = None
    pseudo: bool = False  # §2G2.1(d)(1)/§2G1.3(d)(1): grouping only, no statutory range


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
            if "undecided" in (r.statutory_sex_offense_prior, r.sex_offense_against_minor, r.prior_sex_offense_2426)
        ]
        undated = priors.assess(case).unknown_timing
        if not undecided and not undated:
            return _choose_and_calculate(book, case, source, today)
        # Whether a prior qualifies is a legal finding the user has not made, or turns on a date the file
        # does not give: compute both outcomes.
        worst = _choose_and_calculate(book, _resolve_priors(case, "yes"), source, today)
        best = _choose_and_calculate(book, _resolve_priors(case, "no", drop=undated), source, today)
        worst.calculations += best.calculations
        worst.prior_alternatives = [
            {"assumption": "the undecided priors qualify", **worst.calculation.summary()},
            {"assumption": "the undecided priors do not qualify", **best.calculation.summary()},
        ]
        questions = []
        if undecided:
            questions.append(
                f"Whether {', '.join(undecided)} qualif{'ies' if len(undecided) == 1 else 'y'} as a sex-offense "
                "prior is undecided (a legal finding under the categorical approach, on the statute's list: 18 "
                "U.S.C. §§ 2251(e), 2252(b), 2252A(b); for §4B1.5(a) and § 2426(a), 18 U.S.C. § 2426(b))."
            )
        if undated:
            questions.append(
                f"Whether {', '.join(undated)} came before the offense is not known (no conviction_date)."
            )
        worst.warnings.append(
            " ".join(questions)
            + " The figures above assume the priors count; if not: "
            f"{best.calculation.effective_range} months effective range (level "
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

    warnings += _date_checks(book, case, today)

    if case.manual is not None:
        edition = edition_in_force(book, case.manual, field="manual")
        calc = _calculate(case, book, edition, units, findings, excluded, today, source)
        reason = f"the Manual named in the case file (manual: {case.manual})"
        earlier = _named_manual_check(case, book, calc, units, findings, excluded, today, source, warnings)
        return Result(calc, reason, earlier, warnings, calculations=2 if earlier else 1)

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
    if _lower(earlier, calc):
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


def _resolve_priors(case: Case, answer: str, *, drop: list[str] = ()) -> Case:
    """Settle 'undecided' prior flags to `answer`; records in `drop` (undated priors) stop qualifying."""
    fields = ("statutory_sex_offense_prior", "sex_offense_against_minor", "prior_sex_offense_2426")
    records = []
    for r in case.criminal_history.records:
        update = {f: answer for f in fields if getattr(r, f) == "undecided"}
        if r.label in drop:
            update = {f: "no" for f in fields}
        records.append(r.model_copy(update=update))
    history = case.criminal_history.model_copy(update={"records": records})
    return case.model_copy(update={"criminal_history": history})


def _date_checks(book: Rulebook, case: Case, today: dt.date) -> list[str]:
    """A Manual date past the last edition modelled is refused; a sentencing date beyond it, or years
    ahead, is computed with the latest edition and said so."""
    out = []
    last, until = book.edition_dates()[-1], last_day_modelled(book)
    if case.manual is not None and case.manual > until:
        raise EditionError(
            f"{case.manual} is after the last Manual modelled (Nov. 1, {last.year}, in force until a later edition "
            f"takes effect, at the earliest {until + dt.timedelta(days=1)}); a later Manual is not in the law data",
            field="manual",
        )
    day = case.sentencing_date
    if day is not None and day > until:
        out.append(
            f"sentencing_date {day} is after {until}: a Manual later than the Nov. 1, {last.year} edition may be in "
            "force then and is not modelled; the latest modelled Manual is used."
        )
    if day is not None and day > today + dt.timedelta(days=730):
        out.append(f"sentencing_date {day} is more than two years ahead of {today}; check the date.")
    return out


def _named_manual_check(
    case: Case,
    book: Rulebook,
    calc: Calculation,
    units: list[_Unit],
    findings: list[str],
    excluded: list[str],
    today: dt.date,
    source: str | None,
    warnings: list[str],
) -> Calculation | None:
    """§1B1.11(b)(1): a named Manual later than the one in force on the offense date may not be used if it
    gives a higher range. Computes the earlier one and warns; the named Manual still gives the figures."""
    edition = calc.edition
    if case.offense_date is None:
        warnings.append(
            "offense_date not given; whether the Manual named is later than the one in force on the offense "
            "date (§1B1.11(b)(1), ex post facto) could not be checked."
        )
        return None
    try:
        at_offense = edition_in_force(book, case.offense_date, field="offense_date")
    except EditionError:
        return None
    if at_offense > edition:
        warnings.append(
            f"the Manual named ({edition.year}) predates the one in force on the offense date "
            f"({at_offense.year}); §1B1.11 uses the Manual at sentencing, or the offense-date Manual if lower."
        )
        return None
    if at_offense == edition:
        return None
    try:
        earlier = _calculate(case, book, at_offense, units, findings, excluded, today, source)
    except NotModelledError as exc:
        warnings.append(
            f"§1B1.11(b)(1): the Manual named ({edition.year}) is later than the {at_offense.year} Manual in force "
            f"on the offense date, which could not be computed ({exc.message}); check it by hand."
        )
        return None
    if _lower(earlier, calc):
        warnings.append(
            f"§1B1.11(b)(1) (Ex Post Facto Clause; Peugh v. United States): the {at_offense.year} Manual in force on "
            f"the offense date gives a lower range ({earlier.effective_range} months, level "
            f"{earlier.total_offense_level}) than the {edition.year} Manual named ({calc.effective_range} months); "
            "the earlier Manual must be used instead, as a whole. The figures above follow the Manual named."
        )
    else:
        warnings.append(
            f"§1B1.11(b)(1): the Manual named ({edition.year}) is later than the {at_offense.year} Manual in force on "
            f"the offense date, which gives {earlier.effective_range} months, no lower; no ex post facto problem."
        )
    return earlier


def _lower(a: Calculation, b: Calculation) -> bool:
    """Whether calculation `a` gives a lower range than `b` (effective range, then guideline range)."""
    return a.effective_range.key() < b.effective_range.key() or (
        a.effective_range.key() == b.effective_range.key() and a.guideline_range.key() < b.guideline_range.key()
    )


def _units(book: Rulebook, case: Case, source: str | None) -> list[_Unit]:
    units: list[_Unit] = []
    named = {c.minor for c in case.counts if c.minor}
    for i, count in enumerate(case.counts):
        _, kind = inchoate_words(count.statute)
        statute = require_statute(book, count.statute, field=f"counts[{i}].statute", source=source)
        if kind is not None:
            inchoate.check_statute(statute, kind, field=f"counts[{i}].statute", source=source)
        elif count.all_acts_completed is not None:
            raise CaseFileError(
                "all_acts_completed is for an attempt or conspiracy count; the statute names neither",
                file=source,
                field=f"counts[{i}].all_acts_completed",
            )
        if count.prong is not None and statute.offense_class != "receipt_or_distribution":
            raise CaseFileError(
                f"prong is for a receipt-or-distribution statute (§ 2252(a)(2), § 2252A(a)(2)); 18 U.S.C. § "
                f"{statute.key} has no such prongs",
                file=source,
                field=f"counts[{i}].prong",
            )
        f = check_pins(book, count.findings, field_name=f"counts[{i}].findings", source=source)
        n = check_pins(book, count.not_applicable, field_name=f"counts[{i}].not_applicable", source=source)
        label = f"§ {statute.key}" + (f" ({kind})" if kind else "")
        for k in range(count.count):
            suffix = f" #{k + 1}" if count.count > 1 else ""
            units.append(
                _Unit(
                    f"{label}{suffix}", statute, count.minor, f, n, kind, count.all_acts_completed, count.prong
                )
            )
        for j, extra in enumerate(count.uncharged_minors):
            where = f"counts[{i}].uncharged_minors[{j}]"
            if statute.guideline not in PER_MINOR:
                raise CaseFileError(
                    f"uncharged minors are counted as separate counts only under §2G2.1(d)(1) and §2G1.3(d)(1); "
                    f"18 U.S.C. § {statute.key} is sentenced under §{statute.guideline}",
                    file=source,
                    field=where,
                )
            if extra.minor in named:
                raise CaseFileError(
                    f"minor {extra.minor!r} is named in a count of conviction; list a minor once, either on a count "
                    "or as uncharged",
                    file=source,
                    field=f"{where}.minor",
                )
            named.add(extra.minor)
            ef = check_pins(book, extra.findings, field_name=f"{where}.findings", source=source)
            en = check_pins(book, extra.not_applicable, field_name=f"{where}.not_applicable", source=source)
            units.append(
                _Unit(
                    f"minor {extra.minor} (relevant conduct of § {statute.key}, not charged)",
                    statute,
                    extra.minor,
                    ef,
                    en,
                    kind,
                    count.all_acts_completed,
                    pseudo=True,
                )
            )
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
    ctx.priors = priors.assess(case)
    ctx.statutory_prior = ctx.priors.statutory
    ctx.minor_sex_offense_prior = ctx.priors.minor_sex_offense
    ctx.warnings += ctx.priors.warnings
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
    maxima_certainty: dict[str, str] = {}  # a §4B1.5(a) level is no surer than the maximum it reads
    for u in units:
        if u.pseudo:
            continue  # a minor of relevant conduct adds a group, never a statutory range (§2G2.1 n.7)
        exposures.append(_exposure(ctx, u, law_day, source))
        maxima[u.statute.key] = exposures[-1].statutory_range.max
        if exposures[-1].certainty != "verified" and maxima_certainty.get(u.statute.key) != "contested":
            maxima_certainty[u.statute.key] = exposures[-1].certainty

    # Chapter Two and Chapter Three, Parts A-C, per group.
    group_levels: list[tuple[str, int]] = []
    applied_all: set[str] = set()
    for label, guideline, members in _groups(ctx, units):
        scope = Scope.build(
            book,
            set(findings) | {p for u in members for p in u.findings},
            set(excluded) | {p for u in members for p in u.not_applicable},
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
        best.level, inchoate_steps = inchoate.adjust(ctx, members, best.level, label, guideline)
        best.steps += inchoate_steps
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

    case_scope = Scope.build(book, set(findings), set(excluded))
    level, comb = chapter3.combine(ctx, group_levels)
    steps += comb
    level, accepted, acc = chapter3.acceptance(ctx, level)
    steps += acc
    level, early = chapter3.early_disposition(ctx, level)
    steps += early

    history = criminal_history.compute(ctx)
    chc = history.category
    steps += [s for s in history.steps if s.group != criminal_history.GROUP]
    statutes = [u.statute for u in units if not u.pseudo]
    level, chc, rso = chapter4.repeat_sex_offender(
        ctx, case_scope, level, chc, accepted, statutes, maxima, maxima_certainty
    )
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

    unused = [
        p for p in set(findings) if p not in ctx.used_findings and book.clause_of(p) not in ctx.used_findings
    ]
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
        supervised_release=_supervised_release(ctx, law_day, [u.statute for u in units]),
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
            label = f"Minor {u.minor}" + (" (uncharged, in the relevant conduct)" if u.pseudo else "")
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
    found = ctx.priors
    prior = ctx.statutory_prior
    tier, penalty = "base", version.base
    certainty = version.certainty
    authorities = list(version.authorities)
    if prior and version.prior is not None:
        tier, penalty = "prior conviction", version.prior
        if found.statutory_contested:
            certainty = "contested"
    elif version.prepubescent is not None and f.prepubescent:
        tier, penalty = "prepubescent or under-12 material", version.prepubescent
    elif version.prepubescent is not None and f.prepubescent is None:
        ctx.warnings.append(
            f"{u.label}: facts.prepubescent not given; the {version.base.max}-month maximum is used, but "
            f"it is {version.prepubescent.max} months if any material involved a prepubescent minor."
        )
    repeat = _repeat_offender(ctx, u, day)
    if repeat is not None and found.repeat_2426:
        multiplied = LIFE if penalty.max == LIFE else penalty.max * repeat.multiplier
        if multiplied != penalty.max or tier == "base":
            tier = f"prior sex offense conviction: maximum x{repeat.multiplier} (18 U.S.C. § 2426(a))"
        plain = penalty.max
        penalty = type(penalty)(min=penalty.min, max=multiplied)
        authorities += [a for a in repeat.authorities if a not in authorities]
        # Three times life is life: where the multiplier changes nothing, its unconfirmed date must not
        # make the count (or the §4B1.5(a) level that reads it) less certain.
        if multiplied != plain:
            certainty = _weakest(certainty, repeat.certainty, "contested" if found.repeat_2426_contested else "verified")
        ctx.warnings.append(
            f"{u.label}: 18 U.S.C. § 2426(a), a chapter 117 violation after a prior sex offense conviction: the "
            f"maximum is {repeat.multiplier} times "
            f"{'life' if plain == LIFE else f'{plain} months'} = {'life' if multiplied == LIFE else f'{multiplied} months'} "
            "(unverified: when the multiplier took its present form is not confirmed); §4B1.5(a) reads the "
            "increased maximum (n.3(A)(i))."
        )
        if found.repeat_2426_derived:
            ctx.warnings.append(
                f"{u.label}: 18 U.S.C. § 2426(a) makes the maximum {repeat.multiplier} times the term otherwise "
                f"provided for a chapter 117 violation after a prior sex offense conviction; "
                f"{', '.join(found.repeat_2426_derived)} is taken to be one (§ 2426(b)(1): chapters 109A, 110, 117, "
                "§ 1591 or the state equivalent), a legal question the case file leaves open "
                "(criminal_history.records[].prior_sex_offense_2426). Without it the maximum is "
                f"{'life' if plain == LIFE else f'{plain} months'}."
            )
    elif prior and version.prior is None and u.statute.chapter != "117":
        ctx.warnings.append(
            f"{u.label}: a prior sex offense conviction is stated, but no recidivist tier of 18 U.S.C. § "
            f"{u.statute.key} is modelled (see 18 U.S.C. § 3559(e) where it applies)."
        )
    if prior and version.two_or_more_priors is not None and version.prior is not None:
        two = version.two_or_more_priors
        ctx.warnings.append(
            f"{u.label}: with two or more qualifying priors 18 U.S.C. § {u.statute.key} carries "
            f"{Range(two.min, two.max).text()}; the one-prior tier ({Range(version.prior.min, version.prior.max).text()}) "
            "is used."
        )
    if u.statute.mandatory_life_3559e:
        _life_3559e(ctx, u, prior)
    return CountExposure(
        label=u.label,
        statute=f"18 U.S.C. § {u.statute.key}" + (f" ({u.inchoate})" if u.inchoate else ""),
        guideline=u.statute.guideline,
        statutory_range=Range(penalty.min, penalty.max),
        tier=tier,
        certainty=certainty,  # type: ignore[arg-type]
        authorities=authorities,
    )


def _repeat_offender(ctx: Ctx, u: _Unit, day: dt.date):
    """The § 2426(a)-style increase in force on `day` for the count's chapter, if any."""
    return in_force([v for v in ctx.book.repeat_offender if u.statute.chapter in v.chapters], day)


def _weakest(*marks: str) -> str:
    order = ["verified", "unverified", "contested"]
    return max(marks, key=order.index)


def _life_3559e(ctx: Ctx, u: _Unit, prior: bool) -> None:
    """18 U.S.C. § 3559(e): life for a federal sex offense against a minor after a prior sex conviction whose
    sentence was imposed before the new conduct ((e)(2)(C)). A warning only: the definitions are legal."""
    records = ctx.case.criminal_history.records
    before = ctx.priors.life_3559e
    marked = [r.label for r in records if r.sex_offense_against_minor == "yes"]
    if before:
        ctx.warnings.append(
            f"{u.label}: 18 U.S.C. § 3559(e) requires life imprisonment if {', '.join(before)} is a federal or state "
            "sex offense against a minor (under 17) as that section defines it; its sentence was imposed before the "
            "offense (§ 3559(e)(2)(C)). Not applied automatically."
        )
    elif marked:
        ctx.warnings.append(
            f"{u.label}: 18 U.S.C. § 3559(e) does not reach {', '.join(marked)}: a 'prior sex conviction' is one whose "
            "sentence was imposed before the conduct of the new offense (§ 3559(e)(2)(C)), and its sentence was not."
        )
    elif prior:
        ctx.warnings.append(
            f"{u.label}: 18 U.S.C. § 3559(e) requires life imprisonment if the prior is a federal or state sex offense "
            "against a minor as that section defines it, sentenced before this offense's conduct (§ 3559(e)(2)(C)); "
            "not applied automatically."
        )


def _supervised_release(ctx: Ctx, day: dt.date, statutes: list[Statute]) -> Range:
    """§ 3583(k)'s range for the offenses it lists; where no count is one of them (a § 1470 plea), the
    class-based maximum of § 3583(b) that the statute data gives."""
    outside = [s for s in statutes if s.supervised_release_max is not None]
    if statutes and len(outside) == len(statutes):
        return Range(0, max(s.supervised_release_max for s in outside))
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
