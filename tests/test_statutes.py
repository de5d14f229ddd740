"""Statutory ranges by statute, tier and offense date, and the spellings a count may use.

Sources: 18 U.S.C. §§ 1466A, 2251(e), 2252(b), 2252A(b), 2252A(g), 2422(b), 2423; Pub. L. 108-21
(Apr. 30, 2003), 109-248 (July 27, 2006), 112-206 (Dec. 7, 2012).
"""

from __future__ import annotations

import datetime as dt

import pytest

from plealever import calculate, parse_case
from plealever.errors import NotModelledError
from plealever.law.rulebook import rulebook
from plealever.law.statutes import find_statute

D = dt.date
ROWS = [
    # statute, offense date, facts, (min, max) in months, tier
    ("2252(a)(1)", D(2010, 1, 1), {}, (60, 240), "base"),
    ("2252(a)(2)", D(2010, 1, 1), {"prior_sex_offense_conviction": True}, (180, 480), "prior conviction"),
    ("2252(a)(3)", D(2020, 1, 1), {}, (60, 240), "base"),
    ("2252(a)(4)", D(2012, 12, 6), {"prepubescent": True}, (0, 120), "base"),
    ("2252(a)(4)", D(2012, 12, 7), {"prepubescent": True}, (0, 240), "prepubescent or under-12 material"),
    (
        "2252(a)(4)",
        D(2020, 1, 1),
        {"prepubescent": True, "prior_sex_offense_conviction": True},
        (120, 240),
        "prior conviction",
    ),
    ("2252A(a)(1)", D(2020, 1, 1), {}, (60, 240), "base"),
    ("2252A(a)(3)", D(2020, 1, 1), {"prior_sex_offense_conviction": True}, (180, 480), "prior conviction"),
    ("2252A(a)(4)", D(2020, 1, 1), {}, (60, 240), "base"),
    ("2252A(a)(5)", D(2020, 1, 1), {"prepubescent": False}, (0, 120), "base"),
    ("2252A(a)(6)", D(2020, 1, 1), {}, (60, 240), "base"),
    ("2252A(a)(7)", D(2020, 1, 1), {}, (0, 180), "base"),
    ("2252A(g)", D(2020, 1, 1), {}, (240, "life"), "base"),
    ("1466A(a)", D(2020, 1, 1), {}, (60, 240), "base"),
    ("1466A(b)", D(2020, 1, 1), {"prior_sex_offense_conviction": True}, (120, 240), "prior conviction"),
    ("2251(a)", D(2020, 1, 1), {}, (180, 360), "base"),
    ("2251(b)", D(2020, 1, 1), {"prior_sex_offense_conviction": True}, (300, 600), "prior conviction"),
    ("2251(d)(1)(A)", D(2020, 1, 1), {}, (180, 360), "base"),
    ("2422(b)", D(2005, 1, 1), {}, (60, 360), "base"),  # PROTECT Act era (unverified)
    ("2422(b)", D(2006, 7, 27), {}, (120, "life"), "base"),  # Adam Walsh Act
    ("2423(a)", D(2006, 7, 26), {}, (60, 360), "base"),
    ("2423(a)", D(2020, 1, 1), {}, (120, "life"), "base"),
    ("2423(b)", D(2020, 1, 1), {}, (0, 360), "base"),
    # 18 U.S.C. § 2421A (Pub. L. 115-164, Apr. 11, 2018): (a) 10 years; (b) 25 years.
    ("2421A(a)", D(2020, 1, 1), {}, (0, 120), "base"),
    ("2421A(b)(1)", D(2020, 1, 1), {}, (0, 300), "base"),
    ("2421A(b)(2)", D(2020, 1, 1), {}, (0, 300), "base"),
    # § 2426(a): a chapter 117 maximum x3 after a prior sex offense conviction (here the direct fact).
    ("2423(b)", D(2020, 1, 1), {"prior_sex_offense_conviction": True}, (0, 1080), "2426(a)"),
    ("2421A(a)", D(2020, 1, 1), {"prior_sex_offense_conviction": True}, (0, 360), "2426(a)"),
    ("2422(b)", D(2020, 1, 1), {"prior_sex_offense_conviction": True}, (120, "life"), "2426(a)"),  # life x3 = life
]


@pytest.mark.parametrize(("statute", "day", "facts", "expected", "tier"), ROWS)
def test_statutory_range(statute, day, facts, expected, tier) -> None:
    case = parse_case(
        {
            "manual": "2025-11-01",
            "offense_date": day.isoformat(),
            "counts": [{"statute": statute}],
            "facts": facts,
            "acceptance": "none",
            "criminal_history": {"category": "I"},
        }
    )
    got = calculate(case, today=D(2026, 11, 29)).calculation.counts[0]
    assert (got.statutory_range.min, got.statutory_range.max) == expected
    assert got.tier == tier or (tier == "2426(a)" and "2426(a)" in got.tier)


def test_statute_guidelines_follow_appendix_a() -> None:
    book = rulebook()
    expected = {
        "2251(a)": "2G2.1",
        "2251(d)(1)(A)": "2G2.2",
        "2251(d)(1)(B)": "2G2.1",
        "2252(a)(2)": "2G2.2",
        "2252A(a)(5)": "2G2.2",
        "2252A(g)": "2G2.6",
        "1466A(b)": "2G2.2",
        "2422(b)": "2G1.3",
        "2423(a)": "2G1.3",
        "2423(b)": "2G1.3",
    }
    assert {k: book.statutes[k].guideline for k in expected} == expected


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("18 U.S.C. § 2252A(a)(2)(A)", "2252A(a)(2)"),
        ("18 USC 2252A(a)(2)", "2252A(a)(2)"),
        ("2252A(a)(2)", "2252A(a)(2)"),
        ("18 U.S.C. §2252(a)(4)(B)", "2252(a)(4)"),
        ("2252a(a)(5)(B)", "2252A(a)(5)"),
        ("18 U.S.C. § 2251(d)(1)(A)", "2251(d)(1)(A)"),
        ("18 U.S.C. sec. 2422(b)", "2422(b)"),
        ("18 U.S.C. §§ 2252A(a)(2)(A) and (b)(1)", "2252A(a)(2)"),
        ("2252A(a)(5)(B), (b)(2)", "2252A(a)(5)"),
    ],
)
def test_spellings(text: str, key: str) -> None:
    assert find_statute(rulebook(), text).key == key


@pytest.mark.parametrize(
    "text", ["2252A(a)", "2252", "18 U.S.C. § 2241(c)", "", "2252A(a)(8)", "2252A(a)(2)(attempt)", "2251(a) foo"]
)
def test_vague_or_unknown_statutes_are_not_guessed(text: str) -> None:
    assert find_statute(rulebook(), text) is None


@pytest.mark.parametrize(
    ("text", "key", "kind"),
    [
        ("18 U.S.C. § 2252A(a)(2)(A) (attempt)", "2252A(a)(2)", "attempt"),
        ("attempted 2422(b)", "2422(b)", "attempt"),
        ("conspiracy to violate 18 U.S.C. § 2251(a)", "2251(a)", "conspiracy"),
        ("2423(a) (conspiracy)", "2423(a)", "conspiracy"),
        ("2252A(a)(5)(B)", "2252A(a)(5)", None),
    ],
)
def test_attempt_and_conspiracy_words_are_read_not_dropped(text: str, key: str, kind: str | None) -> None:
    from plealever.law.statutes import inchoate

    rest, got = inchoate(text)
    assert got == kind
    assert find_statute(rulebook(), rest).key == key


def test_offense_before_a_statute_existed_is_an_error() -> None:
    case = parse_case(
        {
            "manual": "2025-11-01",
            "offense_date": "2005-01-01",
            "counts": [{"statute": "2252A(g)"}],
            "acceptance": "none",
            "criminal_history": {"category": "I"},
        }
    )
    with pytest.raises(NotModelledError, match="before 2006-07-27"):
        calculate(case)


def test_supervised_release_by_offense_date() -> None:
    def sr(day: str):
        case = parse_case(
            {
                "manual": "2025-11-01",
                "offense_date": day,
                "counts": [{"statute": "2252A(a)(5)"}],
                "acceptance": "none",
                "criminal_history": {"category": "I"},
            }
        )
        return calculate(case).calculation.supervised_release

    assert (sr("2006-07-27").min, sr("2006-07-27").max) == (60, "life")
    assert (sr("2005-01-01").min, sr("2005-01-01").max) == (0, "life")
