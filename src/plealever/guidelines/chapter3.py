"""Chapter Three: victim, role and obstruction adjustments; grouping; acceptance; early disposition."""

from __future__ import annotations

from plealever.errors import CaseFileError, LawDataError
from plealever.guidelines.context import Ctx, Scope
from plealever.guidelines.trace import Step

# Chapter Three Parts A-C provisions applied per group, in the Manual's order.
ADJUSTMENTS = ["3A1.1(b)(1)", "3A1.1(b)(2)", "3B1.1", "3B1.2", "3B1.3", "3B1.4", "3C1.1"]


def adjustments(ctx: Ctx, scope: Scope, applied: set[str], level: int, group: str) -> tuple[int, list[Step]]:
    """Parts A-C for one group. `applied` holds the Chapter Two pins applied to the group."""
    book = ctx.book
    steps: list[Step] = []
    done: set[str] = set()
    for pin in ADJUSTMENTS:
        provision = book.provision(pin)
        version = provision.at(ctx.edition)
        if version is None:
            continue
        limbs = book.limbs(pin) if provision.select else []
        if limbs:
            found = [p for p in limbs if scope.found(p)]
            if scope.found(pin) and not found:
                raise CaseFileError(
                    f"§{pin} is listed without a limb; name one of {', '.join(limbs)}", field="findings"
                )
            if not found:
                continue
            if len(found) > 1:
                ctx.warnings.append(f"Several limbs of §{pin} are listed ({', '.join(found)}); one applies.")
            target = sorted(
                found,
                key=lambda p: book.at(p, ctx.edition).levels or 0,
                reverse=provision.select == "greatest",
            )[0]
            target_version = book.at(target, ctx.edition)
        else:
            target, target_version = pin, version
            by_fact = bool(version.when) and all(
                getattr(ctx.case.facts, k) == v for k, v in (version.when or {}).items()
            )
            if not (scope.found(pin) or by_fact):
                continue
        ctx.used_findings.add(target)
        if scope.excluded(target):
            steps.append(
                ctx.step(target, 0, "found not to apply (not_applicable)", status="not_applied", group=group)
            )
            continue
        blockers = [p for p in provision.excluded_by if p in applied]
        if blockers:
            steps.append(
                ctx.step(
                    target,
                    0,
                    f"not applied together with {', '.join(blockers)} (its commentary)",
                    status="not_applied",
                    group=group,
                )
            )
            continue
        missing = [p for p in provision.requires if p not in done]
        if missing:
            steps.append(
                ctx.step(target, 0, f"requires {', '.join(missing)}", status="not_applied", group=group)
            )
            continue
        levels = target_version.levels or 0
        level += levels
        done.add(pin)
        reason = (
            "facts.obstruction is true"
            if pin == "3C1.1" and not scope.found(pin)
            else "found to apply (findings)"
        )
        s = ctx.step(target, levels, reason, version=target_version, group=group, cite_pin=target)
        s.running_total = level
        steps.append(s)
    for s in steps:
        if s.running_total is None:
            s.running_total = level
    return level, steps


def combine(ctx: Ctx, groups: list[tuple[str, int]]) -> tuple[int, list[Step]]:
    """§3D1.4: units for each group against the most serious, and the increase they carry."""
    version = ctx.required("3D1.4")
    if not (version.units and version.increase):
        raise LawDataError(f"§3D1.4 in the {ctx.edition} Manual lacks its units or increase table")
    highest = max(level for _, level in groups)
    if len(groups) == 1:
        s = ctx.step("3D1.4", 0, "one group of closely related counts; no units added", status="info")
        s.running_total = highest
        return highest, [s]
    total, parts = 0.0, []
    for label, level in groups:
        below = highest - level
        units = next(
            row["units"]
            for row in version.units
            if below >= row["from"] and (row["to"] is None or below <= row["to"])
        )
        total += units
        parts.append(f"{label}: {level} ({below} below) = {units:g}")
    increase = next(
        row["levels"] for row in version.increase if row["max_units"] is None or total <= row["max_units"]
    )
    reason = f"{total:g} units ({'; '.join(parts)}) add {increase} to the highest group's {highest}"
    s = ctx.step("3D1.4", increase, reason, version=version)
    s.running_total = highest + increase
    return highest + increase, [s]


def acceptance(ctx: Ctx, level: int) -> tuple[int, int, list[Step]]:
    """§3E1.1. Returns (new level, levels taken off, steps)."""
    choice = ctx.case.acceptance
    a, b = ctx.required("3E1.1(a)"), ctx.required("3E1.1(b)")
    if choice is None:
        ctx.warnings.append("acceptance not stated; computed without acceptance of responsibility.")
    if choice in (None, "none"):
        s = ctx.step(
            "3E1.1", 0, "no acceptance of responsibility (acceptance: none)", status="not_applied", version=a
        )
        s.running_total = level
        return level, 0, [s]
    off = -(a.levels or 0)
    reason = "acceptance of responsibility: -2 under (a)"
    certainty = None
    if choice == "three_level":
        threshold = b.threshold or 0
        if level >= threshold:
            off += -(b.levels or 0)
            reason += (
                f"; -1 under (b): level before (a) is {level} (at least {threshold}) and the government moves"
            )
        else:
            reason += f"; (b) unavailable: level before (a) is {level}, below {threshold}"
            ctx.warnings.append(
                f"three_level acceptance was asked for, but §3E1.1(b) needs an offense level of "
                f"{threshold} or more before (a); the level is {level}, so only 2 levels come off."
            )
    s = ctx.step("3E1.1", -off, reason, version=a if off == 2 else b, certainty=certainty)
    s.authorities = sorted(set(a.authorities) | set(b.authorities) | {"ussg-3E1.1"})
    s.running_total = level - off
    return level - off, off, [s]


def early_disposition(ctx: Ctx, level: int) -> tuple[int, list[Step]]:
    wanted = ctx.case.facts.early_disposition_levels
    if not wanted:
        return level, []
    version = ctx.version("3F1.1")
    if version is None:
        ctx.warnings.append(
            f"facts.early_disposition_levels is {wanted}, but before the Nov. 2025 Manual an early "
            "disposition program was a departure (former §5K3.1), outside the offense level; not applied."
        )
        return level, []
    levels = min(wanted, version.max_levels or 0)
    s = ctx.step(
        "3F1.1", -levels, f"government motion under an early disposition program: -{levels}", version=version
    )
    s.running_total = level - levels
    return level - levels, [s]
