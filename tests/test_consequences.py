"""Collateral consequences that changed with the audit (issue 11, point 12): the § 3014 assessment is dated
by the sentencing date, and SORNA's tier follows the prong of a receipt-or-distribution count.

Sources: 18 U.S.C. § 3014(a) as current through Pub. L. 119-59 ("ending on September 30, 2025"); 34 U.S.C.
§ 20911(3)(B)(iii) (tier II: "production or distribution of child pornography").
"""

from __future__ import annotations

import datetime as dt

import pytest

from plealever import parse_case
from plealever.guidelines import calculate
from plealever.law.rulebook import rulebook
from plealever.negotiation.scenarios import Scenario, consequences

BASE = {
    "manual": "2025-11-01",
    "offense_date": "2024-01-10",
    "facts": {"image_count": 5, "prepubescent": False, "computer": False, "distribution": "none"},
    "acceptance": "three_level",
    "criminal_history": {"category": "I"},
}


def _consequences(counts: list[dict], sentencing: dt.date | None, offense: dt.date = dt.date(2024, 1, 10)):
    case = parse_case({**BASE, "counts": counts})
    spec = parse_case({**BASE, "counts": counts, "scenarios": [{"id": "x", "label": "x"}]}).scenarios[0]
    sc = Scenario(spec=spec, generated=False, case=case, result=calculate(case, today=dt.date(2026, 11, 29)))
    return consequences(rulebook(), sc, offense, sentencing)


@pytest.mark.parametrize(
    ("sentencing", "amount", "certainty"),
    [
        (dt.date(2025, 9, 30), 5000, "verified"),  # the last day of the period in the Code through 119-59
        (dt.date(2025, 10, 1), 5000, "unverified"),  # extension not confirmed: shown as possibly due
        (dt.date(2015, 5, 28), 0, "verified"),  # before the Justice for Victims of Trafficking Act
    ],
)
def test_3014_is_dated_by_the_sentencing_date(sentencing, amount, certainty) -> None:
    # The offense date (2024-01-10) is the same throughout: only the sentencing date moves the answer.
    got = _consequences([{"statute": "2252A(a)(5)"}], sentencing)["additional_assessment_3014"]
    assert (got["amount_if_non_indigent"], got["certainty"]) == (amount, certainty)
    assert str(sentencing) in got["dated_by"]


def test_3014_after_the_sunset_says_the_extension_is_not_confirmed() -> None:
    got = _consequences([{"statute": "2252A(a)(5)"}], dt.date(2026, 12, 1))["additional_assessment_3014"]
    assert "September 30, 2025" in got["status"] or "Sept. 30, 2025" in got["status"]
    assert "not confirmed" in got["status"]


@pytest.mark.parametrize(
    ("prong", "tier", "years"),
    [
        ("distribution", "II", 25),  # § 20911(3)(B)(iii)
        ("receipt", "I", 15),  # receipt is not in the tier II list
        (None, "I or II", "15 or 25"),  # not stated: both, with the reason
    ],
)
def test_sorna_tier_follows_the_prong_pleaded(prong, tier, years) -> None:
    count = {"statute": "2252A(a)(2)(A)"} | ({"prong": prong} if prong else {})
    got = _consequences([count], dt.date(2025, 6, 1))["registration"]
    assert (got["tier"], got["years"]) == (tier, years)


def test_a_distribution_count_beside_a_receipt_count_makes_tier_ii() -> None:
    got = _consequences(
        [{"statute": "2252A(a)(2)", "prong": "receipt"}, {"statute": "2252(a)(2)", "prong": "distribution"}],
        dt.date(2025, 6, 1),
    )["registration"]
    assert got["tier"] == "II"


@pytest.mark.parametrize(
    ("counts", "tier", "years"),
    [
        # The conviction's tier is its highest count's (34 U.S.C. § 20911): a tier II count decides it
        # whatever the other counts' tiers turn out to be.
        ([{"statute": "2423(b)"}, {"statute": "2252A(a)(2)", "prong": "distribution"}], "II", 25),
        ([{"statute": "2252A(a)(2)", "prong": "distribution"}, {"statute": "2252A(a)(2)"}], "II", 25),
        ([{"statute": "2252A(a)(2)", "prong": "receipt"}, {"statute": "2252A(a)(2)"}], "I or II", "15 or 25"),
        ([{"statute": "2252A(a)(5)"}, {"statute": "2423(b)"}], "I or II", "15 or 25"),  # travel: the conduct decides
        ([{"statute": "2252A(a)(5)"}, {"statute": "1470"}], "I", 15),  # § 1470's "I (if any)" adds nothing
        ([{"statute": "2251(a)"}, {"statute": "2252A(a)(5)"}], "II", 25),
    ],
)
def test_the_tier_of_several_counts_is_the_highest_count_s(counts, tier, years) -> None:
    got = _consequences(counts, dt.date(2025, 6, 1))["registration"]
    assert (got["tier"], got["years"]) == (tier, years)


def test_the_tier_s_caveats_do_not_depend_on_the_order_of_the_counts() -> None:
    a = [{"statute": "2252A(a)(2)", "prong": "receipt"}, {"statute": "2252A(a)(5)"}]
    one, other = (_consequences(c, dt.date(2025, 6, 1))["registration"] for c in (a, a[::-1]))
    assert one == other and "receipt is not in the tier II list" in one["note"]


@pytest.mark.parametrize(
    ("record", "tier", "years"),
    [
        # § 20911(3)(C), (4)(C): an offense after the offender became a sex offender rises a tier; the file
        # does not say which tier the prior made him, so possession after a prior is II or III.
        ({"statutory_sex_offense_prior": "yes"}, "II or III", "25 or life"),
        ({"statutory_sex_offense_prior": "undecided"}, "I to III", "15 or life"),
        ({}, "I", 15),
        # convicted after the offense (2024-01-10): not an earlier sex offense, so no rise
        ({"statutory_sex_offense_prior": "yes", "conviction_date": "2024-06-01", "sentence_date": "2024-08-01",
          "offense_date": "2023-01-01", "release_date": "2024-12-01"}, "I", 15),
    ],
)
def test_a_prior_sex_offense_raises_the_tier(record, tier, years) -> None:
    prior = {"label": "State 2015", "offense_date": "2014-06-01", "conviction_date": "2015-01-10",
             "sentence_date": "2015-03-01", "imprisonment_months": 6, "release_date": "2015-09-01", **record}
    case = parse_case({**BASE, "counts": [{"statute": "2252A(a)(5)"}],
                       "criminal_history": {"instant_offense_commenced": "2024-01-01", "records": [prior]}})
    spec = parse_case({**BASE, "counts": [{"statute": "2252A(a)(5)"}], "scenarios": [{"id": "x", "label": "x"}]}).scenarios[0]
    sc = Scenario(spec=spec, generated=False, case=case, result=calculate(case, today=dt.date(2026, 11, 29)))
    got = consequences(rulebook(), sc, dt.date(2024, 1, 10), dt.date(2025, 6, 1))["registration"]
    assert (got["tier"], got["years"]) == (tier, years)
    if tier != "I":
        assert "20911(3)(C)" in got["note"] and got["certainty"] == "unverified"


def test_prong_on_a_statute_without_prongs_is_refused() -> None:
    from plealever.errors import CaseFileError

    case = parse_case({**BASE, "counts": [{"statute": "2252A(a)(5)", "prong": "receipt"}]})
    with pytest.raises(CaseFileError, match="prong is for a receipt-or-distribution statute"):
        calculate(case)


def test_scenarios_read_attempt_counts_and_the_distribution_prong() -> None:
    from plealever.analysis import analyse

    case = parse_case(
        {
            **BASE,
            "offense_date": "2024-03-01",
            "counts": [
                {"statute": "2422(b) (attempt)", "all_acts_completed": True},
                {"statute": "2252A(a)(2)", "prong": "distribution"},
            ],
            "facts": {"image_count": 50, "prepubescent": False, "computer": True, "distribution": "knowing"},
        }
    )
    comparison = analyse(case, today=dt.date(2026, 11, 29), draws=200).comparison
    rows = {r["id"]: r for r in comparison.to_dict()["scenarios"]}
    charged = rows["plea-as-charged"]
    # §2G1.3(a)(3) 28 (attempt, all acts completed: no §2X1.1 decrease) and §2G2.2 22+2 (F)+2 computer
    # +2 images = 28: two groups of 28 are 2 units, +2 = 30; -3 acceptance = 27.
    assert charged["total_offense_level"] == 27
    assert charged["effective_range"] == {"min": 120, "max": 120}  # 70-87 under § 2422(b)'s minimum
    assert charged["consequences"]["registration"]["tier"] == "II"
    assert any("(attempt)" in c for c in charged["counts"]), charged["counts"]
