"""Property tests: monotonicity of enhancements and acceptance; the effective range within the statute."""

from __future__ import annotations

import datetime as dt
from typing import get_args

from hypothesis import given, settings
from hypothesis import strategies as st

from plealever import calculate, parse_case
from plealever.case.model_base import Distribution
from plealever.guidelines.trace import Range

TODAY = dt.date(2026, 11, 29)
# Counts sentenced under §2G2.2 form one group. With several groups the monotonicity properties do not
# hold in law: §3D1.4 can give a lower combined level when one group's level rises (see
# test_units_can_fall_when_a_group_rises), so those properties are drawn over §2G2.2 counts only.
ONE_GROUP = ["2252A(a)(5)(B)", "2252A(a)(2)", "2252(a)(4)", "2252(a)(2)", "1466A(a)", "1466A(b)"]
STATUTES = ONE_GROUP + ["2251(a)", "2422(b)", "2423(b)"]
EDITIONS = [dt.date(y, 11, 1) for y in range(2004, 2027)]
BOOLS = ["prepubescent", "sadistic_or_violent", "infant_or_toddler", "pattern_of_activity", "computer"]
DISTRIBUTION = list(get_args(Distribution))
# The model lists the §2G2.2(b)(3) limbs from least to most serious, pecuniary gain (a table) last;
# moving right along this order must never lower the level.
DISTRIBUTION_ORDER = [d for d in DISTRIBUTION if d != "pecuniary"]


@st.composite
def cases(draw, statutes=ONE_GROUP):
    facts = {name: draw(st.booleans()) for name in BOOLS}
    facts["distribution"] = draw(st.sampled_from(DISTRIBUTION))
    facts["image_count"] = draw(st.integers(0, 5000))
    facts["receipt_only_no_intent_to_distribute"] = facts["distribution"] == "none" and draw(st.booleans())
    if facts["distribution"] == "pecuniary":
        facts["distribution_retail_value"] = draw(st.integers(0, 10_000_000))
    counts = draw(st.lists(st.sampled_from(statutes), min_size=1, max_size=3))
    edition = draw(st.sampled_from(EDITIONS))
    return {
        "manual": edition,
        "offense_date": edition,
        "counts": [{"statute": s} for s in counts],
        "facts": facts,
        "acceptance": draw(st.sampled_from(["none", "two_level", "three_level"])),
        "criminal_history": {"category": draw(st.sampled_from(["I", "II", "III", "IV", "V", "VI"]))},
    }


def calc(data):
    return calculate(parse_case(data), today=TODAY).calculation


def at_least(a: Range, b: Range) -> bool:
    return a.key()[0] >= b.key()[0] and a.key()[1] >= b.key()[1]


@settings(max_examples=150, deadline=None)
@given(cases(), st.sampled_from(BOOLS))
def test_an_enhancement_never_lowers_the_range(data, fact):
    if fact == "infant_or_toddler":
        data["facts"]["prepubescent"] = True  # keep the facts consistent
    without = calc({**data, "facts": {**data["facts"], fact: False}})
    with_it = calc({**data, "facts": {**data["facts"], fact: True}})
    assert with_it.total_offense_level >= without.total_offense_level
    assert at_least(with_it.guideline_range, without.guideline_range)
    assert at_least(with_it.effective_range, without.effective_range)


@settings(max_examples=150, deadline=None)
@given(cases(), st.integers(0, 5000))
def test_more_images_never_lower_the_range(data, extra):
    fewer = calc(data)
    more = calc({**data, "facts": {**data["facts"], "image_count": data["facts"]["image_count"] + extra}})
    assert more.total_offense_level >= fewer.total_offense_level


@settings(max_examples=150, deadline=None)
@given(cases(), st.integers(0, len(DISTRIBUTION_ORDER) - 2))
def test_more_serious_distribution_never_lowers_the_range(data, i):
    facts = {**data["facts"], "receipt_only_no_intent_to_distribute": False}
    lower = calc({**data, "facts": {**facts, "distribution": DISTRIBUTION_ORDER[i]}})
    higher = calc({**data, "facts": {**facts, "distribution": DISTRIBUTION_ORDER[i + 1]}})
    assert higher.total_offense_level >= lower.total_offense_level


@settings(max_examples=150, deadline=None)
@given(cases())
def test_acceptance_never_raises_the_range(data):
    none = calc({**data, "acceptance": "none"})
    two = calc({**data, "acceptance": "two_level"})
    three = calc({**data, "acceptance": "three_level"})
    assert none.total_offense_level >= two.total_offense_level >= three.total_offense_level
    assert at_least(none.guideline_range, two.guideline_range)
    assert at_least(two.guideline_range, three.guideline_range)
    assert at_least(none.effective_range, three.effective_range)


@settings(max_examples=200, deadline=None)
@given(cases(STATUTES))
def test_effective_range_lies_within_the_statutory_range(data):
    c = calc(data)
    lo, hi = c.effective_range.key()
    smin, smax = c.statutory_range.key()
    assert smin <= lo <= hi <= smax
    assert 1 <= c.total_offense_level <= 43


def test_units_can_fall_when_a_group_rises():
    """§3D1.4 as written: groups 36/32/28 give 2.5 units (+3 = 39); raising the first to 37 gives 1.5 (+1 = 38)."""
    base = {
        "manual": dt.date(2025, 11, 1),
        "offense_date": dt.date(2024, 1, 1),
        "counts": [{"statute": "2252A(a)(2)"}, {"statute": "2251(a)"}, {"statute": "2422(b)"}],
        "acceptance": "none",
        "criminal_history": {"category": "I"},
    }
    facts = {
        "prepubescent": True,
        "computer": True,
        "image_count": 600,
        "sadistic_or_violent": False,
        "infant_or_toddler": False,
        "pattern_of_activity": False,
    }
    lower = calc({**base, "facts": {**facts, "distribution": "to_minor"}})  # 22+2+5+2+5 = 36
    higher = calc({**base, "facts": {**facts, "distribution": "to_minor_inducement"}})  # 37
    assert (lower.total_offense_level, higher.total_offense_level) == (39, 38)
