"""Attempts and conspiracies: USSG §2X1.1 on top of the substantive offense's guideline.

The child-exploitation guidelines are not among those §2X1.1's note 1 lists as expressly covering
attempts or conspiracies, so §2X1.1 applies: (a) the substantive guideline's base level and the
characteristics established with reasonable certainty (the facts and findings given), then (b)(1) or
(b)(2): 3 levels off unless all the acts believed necessary were completed, or about to be but for
apprehension. The statutory range is the completed offense's where the statute itself punishes the
attempt or conspiracy; otherwise (e.g. a conspiracy to violate § 2422(b), charged under § 371) the count
is refused, since its penalty is not modelled.
"""

from __future__ import annotations

from typing import Any

from plealever.errors import NotModelledError
from plealever.guidelines.context import Ctx
from plealever.guidelines.trace import Step
from plealever.law.rulebook import Statute

PIN = {"attempt": "2X1.1(b)(1)", "conspiracy": "2X1.1(b)(2)"}


def check_statute(statute: Statute, kind: str, *, field: str, source: str | None) -> None:
    """Refuse an inchoate count whose penalty the statute of conviction does not itself set."""
    if "+" in kind:
        raise NotModelledError(
            "a count that is both an attempt and a conspiracy: state them as separate counts",
            file=source,
            field=field,
        )
    if kind not in statute.inchoate:
        raise NotModelledError(
            f"a {kind} to violate 18 U.S.C. § {statute.key} is not punished by that section itself (e.g. a "
            "conspiracy charged under 18 U.S.C. § 371); its penalty and guideline are not modelled",
            file=source,
            field=field,
        )


def adjust(ctx: Ctx, members: list[Any], level: int, group: str, guideline: str) -> tuple[int, list[Step]]:
    """§2X1.1 for one group of counts; `members` are the engine's count units."""
    kinds = {u.inchoate for u in members}
    if kinds == {None}:
        return level, []
    steps: list[Step] = []
    a = ctx.required("2X1.1(a)")
    s = ctx.step(
        "2X1.1(a)",
        0,
        f"an attempt or conspiracy: the base level and characteristics of §{guideline} for the conduct established "
        "(the facts and findings given; speculative characteristics are not to be applied, n.2)",
        status="info",
        version=a,
        group=group,
    )
    s.running_total = level
    steps.append(s)
    if None in kinds or len(kinds) > 1:
        s = ctx.step(
            "2X1.1(b)",
            0,
            "the group also holds a completed count (or both an attempt and a conspiracy); the group's level is "
            "that of its most serious count, so no §2X1.1(b) decrease is applied",
            status="not_applied",
            version=a,
            group=group,
            cite_pin="2X1.1(a)",
        )
        s.running_total = level
        return level, steps + [s]
    kind = kinds.pop()
    pin = PIN[kind]
    version = ctx.required(pin)
    completed = {u.all_acts_completed for u in members}
    if completed == {True}:
        s = ctx.step(
            pin,
            0,
            f"{kind}: the acts believed necessary were completed, or about to be but for apprehension "
            "(counts[].all_acts_completed), so no decrease",
            status="not_applied",
            version=version,
            group=group,
        )
    elif None in completed:
        ctx.warnings.append(
            f"{group}: counts[].all_acts_completed not given, so §2X1.1(b)'s 3-level decrease for an unfinished "
            f"{kind} is not applied; state whether all the acts believed necessary were completed."
        )
        s = ctx.step(
            pin,
            0,
            f"{kind}: whether all the acts believed necessary were completed (counts[].all_acts_completed) is not "
            "given; the 3-level decrease is not applied on an unknown fact",
            status="not_applied",
            version=version,
            group=group,
        )
    elif completed == {False}:
        levels = version.levels or 0
        level += levels
        s = ctx.step(
            pin,
            levels,
            f"{kind}: the acts believed necessary were not all completed nor about to be (counts[].all_acts_completed "
            f"false): {levels}",
            version=version,
            group=group,
        )
    else:
        s = ctx.step(
            pin,
            0,
            f"{kind}: the counts in this group differ on counts[].all_acts_completed; no decrease for the group",
            status="not_applied",
            version=version,
            group=group,
        )
    s.running_total = level
    steps.append(s)
    return level, steps
