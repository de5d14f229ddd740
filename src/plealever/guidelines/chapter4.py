"""Chapter Four: the criminal history category as given, §4B1.5 and §4C1.1."""

from __future__ import annotations

from plealever.errors import LawDataError
from plealever.guidelines.context import Ctx, Scope
from plealever.guidelines.trace import Step
from plealever.law.rulebook import LIFE, Statute

# Classes of conviction that are not "covered sex crimes" (§4B1.5 n.2(A)): in chapter 110, trafficking
# in, receipt of, or possession of child pornography; in chapter 117, transmitting information about a
# minor (§ 2425). `advertising` (§ 2251(d)(1)(A)) is covered only arguably.
NOT_COVERED = {"trafficking", "receipt_or_distribution", "possession", "minor_information"}
ARGUABLY_COVERED = {"advertising"}
CATEGORIES = ["I", "II", "III", "IV", "V", "VI"]


def covered(statutes: list[Statute]) -> tuple[list[Statute], bool]:
    """The covered-sex-crime counts, and whether coverage rests on the contested advertising reading."""
    hits = [s for s in statutes if s.chapter in ("110", "117", "109A") and s.offense_class not in NOT_COVERED]
    contested = bool(hits) and all(s.offense_class in ARGUABLY_COVERED for s in hits)
    return hits, contested


def repeat_sex_offender(
    ctx: Ctx,
    scope: Scope,
    level: int,
    chc: str,
    accepted: int,
    statutes: list[Statute],
    maxima: dict[str, int | str],
    maxima_certainty: dict[str, str] | None = None,
) -> tuple[int, str, list[Step]]:
    """§4B1.5(a) or (b). `maxima` maps statute key -> the count's statutory maximum in months;
    `maxima_certainty` names the maxima that are not verified (e.g. a § 2426(a) multiplier)."""
    steps: list[Step] = []
    f = ctx.case.facts
    want_a = scope.found("4B1.5(a)") or ctx.minor_sex_offense_prior
    want_b = scope.found("4B1.5(b)") or bool(f.pattern_of_prohibited_sexual_conduct)
    hits, contested = covered(statutes)
    refused = list(ctx.priors.minor_refused) if ctx.priors is not None else []
    if refused and not want_a:
        # The record marks a sex offense conviction, but its date keeps (a) from applying: say so.
        steps.append(
            ctx.step(
                "4B1.5(a)",
                0,
                "not applied: " + "; ".join(refused),
                status="not_applied",
            )
        )
        ctx.warnings.append("§4B1.5(a) is not applied: " + "; ".join(refused) + ".")
    if ctx.statutory_prior and hits and not want_a and not scope.excluded("4B1.5(a)"):
        ctx.warnings.append(
            "facts.prior_sex_offense_conviction is true and a count is a covered sex crime: §4B1.5(a) applies "
            "if the prior is a sex offense conviction against a minor under 18 U.S.C. § 2426(b) (not a "
            "trafficking, receipt or possession prior). Add '4B1.5(a)' to findings if it is."
        )
    if not (want_a or want_b):
        return level, chc, steps
    for pin in ("4B1.5(a)", "4B1.5(b)"):
        if scope.found(pin):
            ctx.used_findings.add(pin)
    if not hits:
        pin = "4B1.5(a)" if want_a else "4B1.5(b)"
        steps.append(
            ctx.step(
                pin,
                0,
                "never applies here: no count is a covered sex crime (§4B1.5 n.2: not trafficking in, receipt "
                "or possession of child pornography, not transmitting information about a minor (§ 2425), "
                "and nothing outside chapters 109A, 110 and 117 or § 1591)",
                status="not_applied",
            )
        )
        ctx.warnings.append(
            f"{pin} was asked for but cannot apply: no count of conviction is a covered sex crime."
        )
        return level, chc, steps
    certainty = "contested" if contested else None
    if want_a and scope.excluded("4B1.5(a)"):
        steps.append(
            ctx.step(
                "4B1.5(a)",
                0,
                "found not to apply (not_applicable), although the record shows a sex offense conviction",
                status="not_applied",
            )
        )
    if want_a and not scope.excluded("4B1.5(a)"):
        if ctx.priors is not None and ctx.priors.minor_sex_offense_contested and not scope.found("4B1.5(a)"):
            certainty = "contested"
        version = ctx.required("4B1.5(a)")
        if not version.table:
            raise LawDataError(f"§4B1.5(a) in the {ctx.edition} Manual lacks its table")
        biggest = max((maxima[s.key] for s in hits), key=lambda m: float("inf") if m == LIFE else m)
        # The table reads that maximum: where it is not verified, neither is this step's level.
        doubts = {(maxima_certainty or {}).get(s.key) for s in hits if maxima[s.key] == biggest} - {None}
        if certainty != "contested" and doubts:
            certainty = "contested" if "contested" in doubts else "unverified"
        row = next(
            r
            for r in version.table
            if (r["max_at_least"] == LIFE and biggest == LIFE)
            or (r["max_at_least"] != LIFE and biggest != LIFE and biggest >= r["max_at_least"])
        )
        table_level = row["level"] - accepted
        new_level = max(level, table_level)
        shown = "life" if biggest == LIFE else f"{biggest} months"
        basis = "finding" if scope.found("4B1.5(a)") else "a prior record marked sex_offense_against_minor"
        reason = (
            f"covered sex crime after a sex offense conviction ({basis}): statutory maximum {shown} gives level "
            f"{row['level']}, less {accepted} for acceptance = {table_level}; the greater of that and {level}"
        )
        s = ctx.step("4B1.5(a)", new_level - level, reason, version=version, certainty=certainty)
        s.running_total = new_level
        steps.append(s)
        floor = version.minimum_category or "V"
        if CATEGORIES.index(chc) < CATEGORIES.index(floor):
            steps.append(
                ctx.step(
                    "4B1.5(a)(2)",
                    0,
                    f"criminal history category raised from {chc} to {floor}",
                    status="info",
                    version=version,
                    cite_pin="4B1.5(a)",
                )
            )
            chc = floor
        return new_level, chc, steps
    if want_b and not scope.excluded("4B1.5(b)"):
        version = ctx.required("4B1.5(b)")
        raised = level + (version.levels or 0)
        floor = (version.floor or 0) - accepted
        # The text: if level + 5 is below 22, the level "shall be" 22 less acceptance, even where that
        # is below level + 5. Applied as written, and marked contested when it bites that way.
        new_level = raised if raised >= (version.floor or 0) else floor
        why = "finding" if scope.found("4B1.5(b)") else "facts.pattern_of_prohibited_sexual_conduct"
        reason = f"covered sex crime with a pattern of prohibited sexual conduct ({why}): {level} + {version.levels}"
        if raised < (version.floor or 0):
            reason += (
                f"; below {version.floor}, so level {version.floor} less {accepted} for acceptance = {floor}"
            )
            if floor < raised:
                certainty = "contested"
                reason += " (as written, this floor is below level + 5; courts may read it otherwise)"
        s = ctx.step("4B1.5(b)", new_level - level, reason, version=version, certainty=certainty)
        s.running_total = new_level
        steps.append(s)
        return new_level, chc, steps
    return level, chc, steps


def zero_point(
    ctx: Ctx, scope: Scope, level: int, statutes: list[Statute], points: int | None, applied: set[str]
) -> tuple[int, list[Step]]:
    version = ctx.version("4C1.1")
    if version is None:
        return level, []
    spared = set(version.excepted_classes or [])
    excluded = [
        s for s in statutes if s.chapter in (version.excluded_chapters or []) and s.offense_class not in spared
    ]
    if excluded:
        names = ", ".join(sorted({f"18 U.S.C. § {s.key}" for s in excluded}))
        s = ctx.step(
            "4C1.1",
            0,
            f"unavailable: {names} is a sex offense under §4C1.1(b)(2)",
            status="not_applied",
            version=version,
        )
        return level, [s]
    if scope.found("4C1.1"):
        ctx.used_findings.add("4C1.1")
        blockers = []
        if points is None:
            blockers.append("criminal history points are not known (a category was given)")
        elif points > 0:
            blockers.append(f"the defendant has {points} criminal history points, not zero ((a)(1))")
        blockers += [f"{p} applies" for p in sorted(applied) if p.startswith(("3A1.1", "3B1.1"))]
        if blockers:
            s = ctx.step(
                "4C1.1",
                0,
                "found in the case file, but unavailable: " + "; ".join(blockers),
                status="not_applied",
                version=version,
            )
            ctx.warnings.append(
                "§4C1.1 is listed as a finding but cannot apply: " + "; ".join(blockers) + "."
            )
            return level, [s]
        s = ctx.step(
            "4C1.1",
            version.levels or 0,
            "found to apply (findings): no criminal history points and "
            "no §3A1.1 or §3B1.1 adjustment; the other criteria of (a) rest on the finding",
            version=version,
        )
        s.running_total = level + (version.levels or 0)
        return level + (version.levels or 0), [s]
    s = ctx.step(
        "4C1.1",
        0,
        "may be available (no count is a listed sex offense); its criteria are not "
        "modelled: add 4C1.1 to findings if they are met",
        status="not_applied",
        version=version,
    )
    return level, [s]
