"""The law data checked against the primary source: the text of the Nov. 1, 2025 Manual in ../shared."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from plealever.errors import LawDataError
from plealever.law.rulebook import Rulebook, rulebook

NOV_2025 = dt.date(2025, 11, 1)


@pytest.fixture(scope="module")
def manual(shared) -> str:
    return (shared / "reference" / "guidelines-manual-2025.txt").read_text(encoding="utf-8")


def section_text(manual: str, heading: str, length: int = 6000) -> str:
    start = manual.index(heading)
    return " ".join(manual[start : start + length].split())


def test_sentencing_table_matches_the_manual(manual: str) -> None:
    book = rulebook()
    start = manual.index("SENTENCING TABLE\n                               (in months")
    block = manual[start : start + 8000]
    rows = 0
    for line in block.splitlines():
        m = re.match(r"^(?:Zone [A-D])?\s+(\d{1,2})\s+(.*)$", line)
        if not m or int(m.group(1)) > 43:
            continue
        cells = re.findall(r"(\d+)–(\d+|life)|\blife\b", m.group(2))
        parsed = [(int(a), b if b == "life" else int(b)) if a else ("life", "life") for a, b in cells]
        if len(parsed) != 6:
            continue
        assert [tuple(c) for c in book.table[int(m.group(1))]] == parsed, f"level {m.group(1)}"
        rows += 1
    assert rows == 43


def test_2G2_2_levels_match_the_2025_text(manual: str) -> None:
    book = rulebook()
    text = section_text(manual, "§2G2.2. Trafficking in Material")
    assert (
        "(1) 18, if the defendant is convicted of 18 U.S.C. § 1466A(b), § 2252(a)(4), § 2252A(a)(5), or § 2252A(a)(7)"
        in text
    )
    assert set(book.at("2G2.2(a)(1)", NOV_2025).statutes) == {
        "1466A(b)",
        "2252(a)(4)",
        "2252A(a)(5)",
        "2252A(a)(7)",
    }
    assert "(2) 22, otherwise" in text and book.at("2G2.2(a)(2)", NOV_2025).levels == 22
    expected = {
        "2G2.2(b)(1)": ("decrease by 2 levels", -2),
        "2G2.2(b)(2)": ("minor who had not attained the age of 12 years, increase by 2 levels", 2),
        "2G2.2(b)(3)(B)": ("not for pecuniary gain, increase by 5 levels", 5),
        "2G2.2(b)(3)(C)": ("distribution to a minor, increase by 5 lev- els", 5),
        "2G2.2(b)(3)(D)": ("sion (E), increase by 6 levels", 6),
        "2G2.2(b)(3)(E)": ("prohibited sexual conduct, increase by 7 lev- els", 7),
        "2G2.2(b)(3)(F)": ("(A) through (E), increase by 2 levels", 2),
        "2G2.2(b)(4)(A)": ("infant or toddler, increase by 4 levels", 4),
        "2G2.2(b)(5)": ("exploitation of a minor, increase by 5 levels", 5),
        "2G2.2(b)(6)": ("intent to view the material, in- crease by 2 levels", 2),
    }
    for pin, (phrase, levels) in expected.items():
        assert phrase in text, (pin, phrase)
        assert book.at(pin, NOV_2025).levels == levels, pin
    assert "by not less than 5 levels" in text and book.at("2G2.2(b)(3)(A)", NOV_2025).minimum == 5
    tiers = {r["limb"]: (r["at_least"], r["levels"]) for r in book.at("2G2.2(b)(7)", NOV_2025).table}
    assert "(A) at least 10 images, but fewer than 150, increase by 2 levels" in text and tiers["A"] == (
        10,
        2,
    )
    assert "(B) at least 150 images, but fewer than 300, increase by 3 levels" in text and tiers["B"] == (
        150,
        3,
    )
    assert "(C) at least 300 images, but fewer than 600, increase by 4 levels" in text and tiers["C"] == (
        300,
        4,
    )
    assert "(D) 600 or more images, increase by 5 levels" in text and tiers["D"] == (600, 5)
    assert "shall be considered to have 75 images" in " ".join(manual.split())
    assert book.at("2G2.2(b)(7)", NOV_2025).images_per_video == 75


def test_other_chapter_two_base_levels_match(manual: str) -> None:
    book = rulebook()
    assert "(a) Base Offense Level: 32" in section_text(manual, "§2G2.1. Sexually Exploiting", 400)
    assert book.at("2G2.1(a)", NOV_2025).levels == 32
    assert "(a) Base Offense Level: 35" in section_text(manual, "§2G2.6. Child Exploitation", 200)
    assert book.at("2G2.6(a)", NOV_2025).levels == 35
    g13 = section_text(manual, "§2G1.3. Promoting a Commercial Sex Act", 1200)
    assert "(3) 28, if the defendant was convicted under 18 U.S.C. § 2422(b) or § 2423(a)" in g13
    assert book.at("2G1.3(a)(3)", NOV_2025).levels == 28
    assert "(4) 24, otherwise" in g13 and book.at("2G1.3(a)(4)", NOV_2025).levels == 24
    assert "minor who had not attained the age of 12 years, increase by 8 levels" in section_text(
        manual, "§2G1.3. Promoting a Commercial Sex Act", 4000
    )


def test_chapter_three_and_four_tables_match(manual: str) -> None:
    book = rulebook()
    t = section_text(manual, "§4B1.5. Repeat and Dangerous Sex Offender", 2500)
    for label, level in [
        ("(i) Life", 37),
        ("(ii) 25 years or more", 34),
        ("less than 25 years", 32),
        ("less than 20 years", 29),
        ("less than 15 years", 24),
        ("less than 10 years", 17),
        ("less than 5 years", 12),
    ]:
        assert re.search(re.escape(label) + r" (\d+)", t).group(1) == str(level), label
    assert [r["level"] for r in book.at("4B1.5(a)", NOV_2025).table] == [37, 34, 32, 29, 24, 17, 12]
    assert "criminal history Category V" in t and book.at("4B1.5(a)", NOV_2025).minimum_category == "V"
    assert "shall be 5 plus the offense level" in t and "less than level 22" in t
    b = book.at("4B1.5(b)", NOV_2025)
    assert (b.levels, b.floor) == (5, 22)
    e = section_text(manual, "§3E1.1.    Acceptance of Responsibility", 900)
    assert "decrease the offense level by 2 levels" in e and "level 16 or greater" in e
    assert book.at("3E1.1(a)", NOV_2025).levels == -2 and book.at("3E1.1(b)", NOV_2025).threshold == 16
    u = section_text(manual, "§3D1.4. Determining the Combined Offense Level", 2000)
    assert "1 1/2 add 1 level" in u and "2 1/2 – 3 add 3 levels" in u and "More than 5 add 5 levels" in u
    assert "5 to 8 levels less serious" in u and "9 or more levels less serious" in u
    assert "not more than 4 levels" in section_text(manual, "§3F1.1.     Early Disposition Programs", 800)
    assert book.at("3F1.1", NOV_2025).max_levels == 4


def test_grouping_lists_match(manual: str) -> None:
    text = section_text(manual, "§3D1.2. Groups of Closely Related Counts", 5000)
    d = rulebook().at("3D1.2(d)", NOV_2025)
    assert "§§2G2.2, 2G3.1;" in text and "2G2.2" in d.grouped_under_d
    assert "§§2G1.1, 2G1.3, 2G2.1;" in text and set(d.excluded_from_d) == {"2G1.3", "2G2.1"}


def test_history_is_encoded_as_dated_versions() -> None:
    book = rulebook()
    # 2009 (amend. 733): § 2252A(a)(7) joins the base-18 list.
    assert "2252A(a)(7)" not in book.at("2G2.2(a)(1)", dt.date(2008, 11, 1)).statutes
    assert "2252A(a)(7)" in book.at("2G2.2(a)(1)", dt.date(2009, 11, 1)).statutes
    # 2016 (amend. 801): infant or toddler.
    assert book.at("2G2.2(b)(4)(B)", dt.date(2015, 11, 1)) is None
    assert book.at("2G2.2(b)(4)(B)", dt.date(2016, 11, 1)).levels == 4
    # 2023 (amend. 821): status points.
    assert book.at("4A1.1(e)", dt.date(2022, 11, 1)).levels == 2
    post = book.at("4A1.1(e)", dt.date(2023, 11, 1))
    assert (post.levels, post.minimum_other_points) == (1, 7)
    # 2025 (amend. 836): departures deleted, §3F1.1 new.
    assert book.at("5K2.0", dt.date(2024, 11, 1)) is not None
    assert book.at("5K2.0", dt.date(2025, 11, 1)) is None
    assert book.at("3F1.1", dt.date(2024, 11, 1)) is None
    # 2010 (amend. 738): zones.
    zones = {str(z["effective"]): {b["zone"]: b["min_from"] for b in z["bands"]} for z in book.zones}
    assert zones["2004-11-01"]["D"] == 12 and zones["2010-11-01"]["D"] == 15
    # The 2026 edition is flagged unverified.
    assert book.edition(dt.date(2026, 11, 1)).verified is False


def test_every_version_cites_a_known_authority() -> None:
    book = rulebook()
    for provision in book.provisions.values():
        for version in provision.versions:
            assert version.authorities, provision.pin
            assert all(a in book.authorities for a in version.authorities)
            assert version.certainty in ("verified", "unverified", "contested")


def test_broken_law_data_fails_at_load_naming_the_file() -> None:
    with pytest.raises(LawDataError) as info:
        Rulebook(
            {
                "2G2.2.yaml": "section: '2G2.2'\ntitle: x\nauthorities: []\nprovisions:\n"
                "  '2G2.2(a)(1)': {label: x, versions: [{effective: 2004-11-01, certainty: sure}]}\n"
            }
        )
    assert "law/data/2G2.2.yaml" in info.value.one_line()


def test_loss_table_matches_the_2025_text(manual: str) -> None:
    start = manual.index("(1) If the loss exceeded $6,500, increase the offense level as follows:")
    block = manual[start : start + 3000]
    rows = [
        (int(a.replace(",", "")), int(b)) for a, b in re.findall(r"More than \$([\d,]+)\s+add (\d+)", block)
    ]
    assert len(rows) == 15
    version = rulebook().at("2B1.1(b)(1)", NOV_2025)
    assert [(r["over"], r["levels"]) for r in version.rows] == rows


def test_every_authority_has_a_citation_proposition_and_source() -> None:
    for key, a in rulebook().authorities.items():
        assert a.cite and a.url.startswith("http"), key
        assert a.proposition, f"{key} has no proposition"
        assert a.year or key == "manual-archive", f"{key} has no year"


def test_audit_conditions_and_clauses_match_the_2025_text(manual: str) -> None:
    """Issue 11: the conditions a finding needs, and the clause pins, are the Manual's own words."""
    book = rulebook()
    g13 = section_text(manual, "§2G1.3. Promoting a Commercial Sex Act", 4000)
    assert "(B) If (i) subsection (a)(4) applies; and (ii) the offense of conviction is 18 U.S.C. § 2421A(b)(2)" in g13
    assert book.at("2G1.3(b)(4)(B)", NOV_2025).conditions == {
        "base": ["2G1.3(a)(4)"],
        "statutes": ["2421A(b)(2)"],
    }
    assert "subsection (b)(3)(B) shall not apply if the offense of conviction is 18 U.S.C. § 2421A" in g13
    assert book.at("2G1.3(b)(3)(B)", NOV_2025).conditions == {"not_statutes": ["2421A"]}
    assert "(5) If (A) subsection (a)(3) or (a)(4) applies; and (B) the offense involved a minor" in g13
    assert "If (A) the defendant was a parent, relative, or legal guardian of the minor; or (B) the minor" in g13
    assert "(A) If (i) the offense involved the commission of a sex act or sexual contact; or (ii)" in g13
    g21 = section_text(manual, "§2G2.1. Sexually Exploiting", 3000)
    assert "(A) the knowing misrepresentation of a participant’s identity" in g21
    assert "(B) the use of a computer or an interactive computer service to (i) persuade" in g21
    g26 = section_text(manual, "§2G2.6. Child Exploitation", 1200)
    assert "(2) If (A) the defendant was a parent, relative, or legal guardian of a mi- nor victim; or (B)" in g26
    assert book.provisions["2G2.6(b)(2)"].clauses == ["(A)", "(B)"]
    assert book.provisions["2G1.3(b)(1)"].clauses == ["(A)", "(B)"]
    x = section_text(manual, "§2X1.1. Attempt, Solicitation, or Conspiracy (Not Covered", 1500)
    assert "(1) If an attempt, decrease by 3 levels" in x and "(2) If a conspiracy, decrease by 3 levels" in x
    assert book.at("2X1.1(b)(1)", NOV_2025).levels == book.at("2X1.1(b)(2)", NOV_2025).levels == -3
    n1 = section_text(manual, "Offense guidelines that expressly cover attempts include:", 700)
    assert not any(g in n1 for g in ("2G1.3", "2G2.1", "2G2.2", "2G2.6"))  # so §2X1.1 applies to them
    b15 = section_text(manual, "§4B1.5. Repeat and Dangerous Sex Offender", 6000)
    assert "§ 2247(a) or § 2426(a))" in b15 and "subsequent to sustaining" in b15
