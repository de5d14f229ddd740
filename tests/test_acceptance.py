"""§3E1.1 at its threshold, directly: level 15 and 16 before acceptance (no modelled guideline
combination reaches an odd level as low as 15, so the rule is exercised on its own)."""

from __future__ import annotations

import datetime as dt

import pytest

from plealever import parse_case
from plealever.guidelines import chapter3
from plealever.guidelines.context import Ctx
from plealever.law.rulebook import rulebook


@pytest.mark.parametrize(
    ("level", "choice", "after", "warned"),
    [
        (15, "three_level", 13, True),  # below 16: only (a)
        (16, "three_level", 13, False),  # 16: (a) and (b)
        (16, "two_level", 14, False),
        (15, "two_level", 13, False),
        (30, "none", 30, False),
    ],
)
def test_acceptance_threshold(level: int, choice: str, after: int, warned: bool) -> None:
    case = parse_case(
        {"counts": [{"statute": "2252A(a)(5)"}], "acceptance": choice, "criminal_history": {"category": "I"}}
    )
    ctx = Ctx(case, rulebook(), dt.date(2025, 11, 1))
    new, off, steps = chapter3.acceptance(ctx, level)
    assert new == after and off == level - after
    assert steps[0].pin == "3E1.1"
    assert any("only 2 levels come off" in w for w in ctx.warnings) == warned
