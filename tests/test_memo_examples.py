"""The memo is about its case (issue 15, point 5): over the bundled examples, fewer than 15% of the
body sentences are shared verbatim between any two memos; every fact the evidence states appears where
it matters; the letter to the client states a reading level that matches its text; and nothing from
another offense family leaks in.

A body sentence is a sentence of the memo before the appendix (paragraphs and bullets split at sentence
ends, abbreviations such as "U.S.C." and "Nov." kept whole), or a table row (its cells together), of at
least five words; headings, table headers, captions and citation marks are left out."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from functools import cache
from pathlib import Path

import pytest

from plealever import load_case
from plealever.analysis import analyse
from plealever.law.rulebook import rulebook
from plealever.report import build_context
from plealever.report.letter import reading_grade
from plealever.report.render import to_markdown

ROOT = Path(__file__).resolve().parents[1]
TODAY = dt.date(2026, 11, 29)
EXAMPLES = [
    "receipt-plea",
    "mitigation-sting",
    "receipt-psychosexual",
    "enticement-entrapment",
    "duress-control",
]
ABBREVIATIONS = (
    "U.S.C.",
    "U.S.",
    "Nov.",
    "Feb.",
    "Dec.",
    "Jan.",
    "Sept.",
    "Oct.",
    "Apr.",
    "Aug.",
    "v.",
    "No.",
    "e.g.",
    "i.e.",
    "Cir.",
    "Crim.",
    "Evid.",
    "P.",
    "R.",
    "Fed.",
    "Ph.D.",
    "Mr.",
    "Ms.",
    "Dr.",
)


@cache
def memo(name: str) -> str:
    analysis = analyse(
        load_case(ROOT / "examples" / f"{name}.yaml"), source=f"{name}.yaml", today=TODAY, draws=800
    )
    return to_markdown(build_context(analysis, charts=False))


def _split(text: str) -> list[str]:
    pieces = re.split(r"(?<=[.!?])\s+", text)
    out: list[str] = []
    for piece in pieces:
        if out and (out[-1].endswith(ABBREVIATIONS) or re.search(r"\b[A-Z]\.$", out[-1])):
            out[-1] += " " + piece
        else:
            out.append(piece)
    return out


def body_sentences(md: str) -> set[str]:
    body = md.split("\n## Appendix")[0]
    # The caveats that head every memo (the edition's status, contested law) are the same notice for
    # every case under one Manual, like the not-legal-advice line: not the memo's own prose.
    head, sep, rest = body.partition("\n## Before relying on these figures\n")
    if sep:
        body = head + rest[rest.find("\n## ") :]
    out: set[str] = set()
    lines = body.splitlines()
    for n, line in enumerate(lines):
        line = line.strip()
        if not line or line.startswith(("#", ">", "*", "|---")):
            continue
        if line.startswith("|"):
            if n + 1 < len(lines) and lines[n + 1].startswith("|---"):
                continue  # a table's header row
            units = [" ".join(c.strip() for c in line.strip("|").split("|"))]
        else:
            units = _split(line.removeprefix("- "))
        for u in units:
            u = re.sub(r"\s*\[\d+\]", "", u).strip()
            if len(u.split()) >= 5:
                out.add(u)
    return out


def shared_fraction(a: str, b: str) -> tuple[int, int, float]:
    sa, sb = body_sentences(memo(a)), body_sentences(memo(b))
    shared = len(sa & sb)
    smaller = min(len(sa), len(sb))
    return shared, smaller, shared / smaller


@pytest.mark.parametrize(("a", "b"), list(itertools.combinations(EXAMPLES, 2)))
def test_fewer_than_15_percent_of_body_sentences_are_shared(a, b, capsys):
    shared, of, fraction = shared_fraction(a, b)
    with capsys.disabled():
        print(f"\n  shared body sentences {a} / {b}: {shared} of {of} ({fraction:.1%})")
    assert fraction < 0.15, (a, b, sorted(body_sentences(memo(a)) & body_sentences(memo(b))))


def section(md: str, heading: str) -> str:
    start = md.index(f"## {heading}")
    rest = md[start + 3 :]
    end = rest.find("\n## ")
    return rest[: end if end >= 0 else None]


# Every fact the evidence states appears in the section where it matters.
FACTS = {
    "receipt-psychosexual": {
        "2. Mental-health evidence": [
            "Dr. Okafor psychosexual evaluation",
            "explains how the condition relates",
            "CPORT 1 low",
            "2021-2024 counseling records",
            "Weekly specialized group",
            "withdrawal and missed shifts through 2023",
        ],
        "Executive summary": [
            "persistent depressive disorder and social anxiety disorder",
            "CPORT score 1",
            "explains how the condition relates to the conduct",
        ],
        "6. Risks, tradeoffs and timing": ["beyond the charge", "Hold Dr. Okafor psychosexual evaluation"],
        "5. Procedural and policy constraints": ["Dorvee, Jenkins"],
    },
    "enticement-entrapment": {
        "4. Entrapment": [
            "11 approaches",
            "friendship or romance, persistence, sympathy",
            "reluctance shown in Agent's message thread (41 days)",
            "a device search found no earlier interest",
            "Mayfield",
            "Seventh Circuit",
        ],
        "Executive summary": ["Entrapment is a complete defense on this record", "11 government approaches"],
        "2. Mental-health evidence": [
            "grief and isolation after his wife's death in 2024",
            "specific intent",
        ],
        "7. Discovery and investigation checklist": [
            "undercover chat and message logs",
            "impeachment material",
        ],
    },
    "duress-control": {
        "3. Coercion and duress": [
            "live-in partner",
            "text messages",
            "neighbor's statement",
            "devices, accounts, money, movement",
            "bank records",
            "protective-order petition",
            "Fifth Circuit's pattern instruction",
            "direct causal relationship",
        ],
        "Executive summary": ["Duress is a complete defense on this record"],
        "6. Risks, tradeoffs and timing": [
            "Partner's threats with a knife was disclosed on 2026-10-02 to the prosecutor",
            "Still protected: the statements themselves stay out of evidence",
        ],
        "7. Discovery and investigation checklist": [
            "bank, phone-carrier and vehicle records",
            "police reports, 911 calls",
        ],
    },
    "mitigation-sting": {
        "4. Entrapment": ["5 approaches", "Poehlman", "Ninth Circuit"],
        "6. Risks, tradeoffs and timing": ["after the plea offer expires"],
    },
    "receipt-plea": {
        "Executive summary": ["No mitigation evidence is recorded yet"],
        "7. Discovery and investigation checklist": ["mirror images of every seized device"],
    },
}


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_stated_fact_appears_where_it_matters(name):
    md = memo(name)
    for heading, needles in FACTS.get(name, {}).items():
        text = section(md, heading)
        for needle in needles:
            assert needle in text, (name, heading, needle)


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_letter_states_its_reading_level(name):
    letter = section(memo(name), "9. Letter to the client (draft)")
    stated = re.search(r"about grade ([\d.]+)", letter)
    assert stated, letter
    paras = [p.strip() for p in letter.split("\n\n")[1:] if p.strip() and not p.startswith("Reading level")]
    assert float(stated.group(1)) == reading_grade(" ".join(paras))
    assert float(stated.group(1)) <= 8, "the letter should read at or below grade 8"
    assert "§" not in " ".join(paras) or name == "receipt-plea"


def test_offense_families_do_not_leak():
    for name in ("mitigation-sting", "enticement-entrapment"):  # enticement
        body = memo(name).split("\n## Appendix")[0]
        assert "5-year minimum" not in body and "§2G2.2" not in body and "policy variance" not in body, name
        assert "require only that the defendant acted knowingly" not in body
    for name in ("receipt-psychosexual", "duress-control"):  # §2G2.2 offenses
        body = memo(name).split("\n## Appendix")[0]
        assert "specific intent" not in body and "Poehlman" not in body, name


def test_a_strong_package_is_not_told_to_get_an_evaluation():
    body = memo("receipt-psychosexual").split("\n## Appendix")[0]
    assert (
        "a psychological or psychosexual evaluation by a licensed, forensically experienced evaluator"
        not in body
    )


def test_general_guidance_appears_once_in_the_appendix():
    md = memo("duress-control")
    body, appendix = md.split("\n## Appendix")
    protection = rulebook().documents["mitigation-rubric"]["disclosure"]["protections"]["rule_11f_410"][
        "text"
    ]
    needle = protection[1:60]  # the appendix capitalizes the first letter
    assert needle not in body and appendix.count(needle) == 1


def test_the_checklist_rows_name_real_criteria_and_kinds():
    from typing import get_args

    from plealever.case.evidence import EvidenceItem

    book = rulebook()
    kinds = set()
    for model in get_args(get_args(EvidenceItem)[0]):
        kinds |= set(get_args(model.model_fields["kind"].annotation))
    rub = book.documents["mitigation-rubric"]["factors"]
    for row in book.documents["investigation"]["rows"]:
        assert set(row.get("kinds", [])) <= kinds, row["id"]
        assert set(row.get("have_kinds", [])) <= kinds, row["id"]
        for name in row.get("missing", []):
            factor, what = name.split(".")
            assert what in rub[factor].get("criteria", {}) or what in rub[factor].get("weights", {}), row[
                "id"
            ]


def test_no_memo_leaves_a_placeholder_or_an_empty_phrase():
    """Template text never shows a blank where a fact was meant to go (e.g. "the file has  [9]")."""
    from plealever import render_memo

    for name in sorted((ROOT / "examples").glob("*.yaml")):
        md = render_memo(analyse(load_case(name), today=TODAY, draws=300), "md").decode()
        assert "{" not in md.replace("{{", ""), name.name
        assert not re.search(r"[a-z]  \[\d+\]", md), (name.name, re.search(r".{40}[a-z]  \[\d+\]", md))
        assert not re.search(r"\b(has|have|is|are|of|the)\s*(\[\d+\]|[.;,])", md), name.name


def test_a_checklist_row_says_it_has_only_what_it_builds_on():
    """The letters row once said "(have: Hospital records of 2024 injuries)": every item a row lists
    as in hand is of the row's own kinds."""
    from plealever.report.checklist import checklist

    book = rulebook()
    rows = {r["id"]: r for r in book.documents["investigation"]["rows"]}
    for name in sorted((ROOT / "examples").glob("*.yaml")):
        case = load_case(name)
        a = analyse(case, today=TODAY, upto="assessment")
        kinds = {i.label: i.kind for i in case.mitigation}
        for row in checklist(book, case, a.assessment):
            listed = re.search(r"\(have: (.*)\)", row["why"])
            wanted = set(rows[row["id"]].get("have_kinds") or rows[row["id"]].get("kinds") or [])
            if listed and wanted:
                for label in listed.group(1).split(", "):
                    if label in kinds:
                        assert kinds[label] in wanted, (name.name, row["id"], label)
            if row["id"] == "support_letters":  # the row the review caught: it lists letters or nothing
                letters = [lbl for lbl, k in kinds.items() if k == "support_letter"]
                assert bool(listed) == bool(letters), (name.name, row["why"])
