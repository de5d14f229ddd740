"""Certainty marks that tell the truth (issue 11, point 13).

A provision version dated before the 2025 Manual is `verified` only if a source it cites was read for
its own edition (an amendment's text, an archived Manual's section: `editions_read`). In any edition, a
version prints verified where its text for that edition was read, so no provision checked against the
2025 Manual prints unverified there; and the 2026 edition, not read, prints nothing carried forward as
verified.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from plealever.law.rulebook import Rulebook, rulebook

NOV_2025 = dt.date(2025, 11, 1)


def marks_by_edition(book: Rulebook) -> dict[dt.date, Counter]:
    """How each provision in force in each edition is marked there: verified, unverified, contested."""
    out = {}
    for edition in book.edition_dates():
        marks = Counter()
        for provision in book.provisions.values():
            version = provision.at(edition)
            if version is not None:
                marks[book.certainty_in(version, edition)] += 1
        out[edition] = marks
    return out


def unread_but_verified(book: Rulebook) -> list[str]:
    """Versions dated before 2025 marked verified although no source they cite was read for their edition."""
    return [
        f"{pin} from {v.effective}"
        for pin, provision in book.provisions.items()
        for v in provision.versions
        if v.effective < NOV_2025 and v.certainty == "verified" and not v.deleted and not book.read_for(v, v.effective)
    ]


def test_no_version_before_2025_is_verified_without_a_source_read_for_its_edition() -> None:
    assert unread_but_verified(rulebook()) == []


def test_the_check_fails_on_a_verified_version_with_no_authority_for_its_edition() -> None:
    book = rulebook()
    files = {
        "authorities.yaml": "authorities:\n"
        + "".join(
            f"  {key}: {{cite: x, url: 'https://x', year: 2000, proposition: x}}\n"
            for key in ("manual-2025", "am-664")
        ),
        "editions.yaml": "earliest_supported: 2004-11-01\neditions:\n"
        "  - {effective: 2004-11-01, authorities: [am-664], verified: false}\n",
        "2G2.2.yaml": "section: '2G2.2'\ntitle: x\nauthorities: []\nprovisions:\n"
        "  '2G2.2(b)(2)': {label: x, versions: [{effective: 2004-11-01, levels: 2, authorities: [am-664], "
        "certainty: verified}]}\n",
        "sentencing-table.yaml": (
            "authorities: []\ncategories: [I, II, III, IV, V, VI]\nzones: []\nrows:\n"
            + "".join(f"  {n}: [[0, 6], [0, 6], [0, 6], [0, 6], [0, 6], [0, 6]]\n" for n in range(1, 44))
        ),
        "statutes.yaml": "statutes: {}\nsupervised_release: []\n",
    }
    fake = Rulebook(files)
    assert unread_but_verified(fake) == ["2G2.2(b)(2) from 2004-11-01"]
    assert book is not fake


def test_every_provision_checked_against_the_2025_text_prints_verified_in_2025() -> None:
    book = rulebook()
    wrong = []
    for pin, provision in book.provisions.items():
        version = provision.at(NOV_2025)
        if version is None or "manual-2025" not in version.authorities or version.certainty == "contested":
            continue
        if book.certainty_in(version, NOV_2025) != "verified":
            wrong.append(pin)
    assert wrong == []


def test_marks_per_edition() -> None:
    marks = marks_by_edition(rulebook())
    # 2025: everything read, bar what is contested on the law (the pre-2007 rules are not in force).
    assert marks[NOV_2025]["unverified"] == 0
    assert marks[NOV_2025]["verified"] >= 90
    # 2004: nothing of its text was read (amendment 664 and the 2004 Manual were not found).
    assert marks[dt.date(2004, 11, 1)]["verified"] == 0
    # 2005: only the sections of §§4A1.1-4A1.2 read in the archived 2005 Manual.
    assert 0 < marks[dt.date(2005, 11, 1)]["verified"] < marks[dt.date(2005, 11, 1)]["unverified"]
    # 2016: amendment 801's text was read, so its limbs are verified; the rest of the edition is not.
    v2016 = marks[dt.date(2016, 11, 1)]
    assert v2016["verified"] >= 5 and v2016["unverified"] > v2016["verified"]
    # 2026: its amendments were not read, so nothing carried into it is verified.
    assert marks[dt.date(2026, 11, 1)]["verified"] == 0
    # Every edition before 2025 has fewer verified marks than 2025.
    for edition, counts in marks.items():
        if edition < NOV_2025:
            assert counts["verified"] < marks[NOV_2025]["verified"], edition


@pytest.mark.parametrize(
    ("pin", "edition", "mark"),
    [
        ("2G2.2(b)(2)", dt.date(2010, 11, 1), "unverified"),  # in force since 2004; 2004 text not read
        ("2G2.2(b)(2)", NOV_2025, "verified"),  # the same version, read in the 2025 Manual
        ("2G2.2(b)(3)(F)", dt.date(2016, 11, 1), "verified"),  # amendment 801's inserted text
        ("2G2.2(b)(3)(F)", dt.date(2015, 11, 1), "verified"),  # the words amendment 801 struck
        ("2G2.2(b)(3)(F)", dt.date(2014, 11, 1), "unverified"),
        ("2G2.2(a)(1)", dt.date(2009, 11, 1), "verified"),  # amendment 733
        ("2G2.6(a)", dt.date(2007, 11, 1), "verified"),  # the archived 2007 §2G2.6
        ("4A1.1(a)", dt.date(2005, 11, 1), "verified"),  # the archived 2005 §4A1.1
        ("4A1.1(a)", dt.date(2004, 11, 1), "unverified"),
        ("4A1.2(a)(2)", dt.date(2009, 11, 1), "verified"),  # the archived 2009 §4A1.2
        ("4A1.2(a)(2)", dt.date(2008, 11, 1), "unverified"),
        ("2G1.3(a)(3)", NOV_2025, "verified"),  # unverified history, checked against 2025
        ("2G1.3(a)(3)", dt.date(2024, 11, 1), "unverified"),
        ("4A1.2(a)(2)", dt.date(2006, 11, 1), "contested"),  # the pre-2007 related-cases rule
    ],
)
def test_a_version_is_marked_by_what_was_read_for_the_edition(pin: str, edition: dt.date, mark: str) -> None:
    book = rulebook()
    assert book.certainty_in(book.at(pin, edition), edition) == mark


def test_the_2026_edition_prints_no_carried_forward_provision_as_verified() -> None:
    from plealever import calculate, parse_case

    case = parse_case(
        {
            "manual": "2026-11-01",
            "offense_date": "2026-11-15",
            "counts": [{"statute": "2252A(a)(5)(B)"}],
            "facts": {"image_count": 200, "prepubescent": True, "computer": True, "distribution": "none"},
            "acceptance": "three_level",
            "criminal_history": {"category": "I"},
        }
    )
    steps = calculate(case, today=dt.date(2026, 11, 29)).calculation.steps
    chapter_two = [s for s in steps if s.pin.startswith("2G2.2")]
    assert chapter_two and all(s.certainty == "unverified" for s in chapter_two)
