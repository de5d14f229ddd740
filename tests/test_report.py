"""The memo: one context, four formats; references, headings, tables, accessibility, atomic writes."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader

from plealever import load_case, parse_case
from plealever.analysis import analyse
from plealever.errors import OutputError
from plealever.report import build_context, render, write_atomic
from plealever.report.render import to_markdown
from tests.test_cli import plealever

ROOT = Path(__file__).resolve().parents[1]
TODAY = dt.date(2026, 11, 29)
HEADINGS = [
    "Executive summary",
    "1. Mitigation as bargaining currency",
    "2. Mental-health evidence",
    "3. Coercion and duress",
    "4. Entrapment",
    "5. Procedural and policy constraints",
    "6. Risks, tradeoffs and timing",
    "7. Discovery and investigation checklist",
    "8. Bottom line",
    "9. Letter to the client (draft)",
    "Appendix",
    "References",
]


@pytest.fixture(scope="module")
def memo():
    return build_context(
        analyse(
            load_case(ROOT / "examples" / "mitigation-sting.yaml"),
            source="mitigation-sting.yaml",
            today=TODAY,
            draws=2000,
        )
    )


@pytest.fixture(scope="module")
def formats(memo):
    return {fmt: render(memo, fmt) for fmt in ("md", "html", "docx", "pdf")}


def test_every_citation_resolves_and_every_reference_is_cited(formats, memo):
    text = formats["md"].decode()
    body, refs = text.split("\n## References\n")
    cited = {int(n) for n in re.findall(r"\[(\d+)\]", body)}
    listed = [int(n) for n in re.findall(r"^(\d+)\. ", refs, re.M)]
    assert listed == list(range(1, len(memo.references) + 1))
    assert cited == set(listed)
    first = [int(n) for n in re.findall(r"\[(\d+)\]", body)]
    seen = []
    for n in first:
        if n not in seen:
            seen.append(n)
    assert seen == sorted(seen), "references are numbered in order of first citation"


def test_headings_in_every_format(formats):
    md = formats["md"].decode()
    html = formats["html"].decode()
    docx_text = [
        p.text for p in Document(io.BytesIO(formats["docx"])).paragraphs if p.style.name.startswith("Heading")
    ]
    pdf_text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(formats["pdf"])).pages)
    pdf_text = " ".join(pdf_text.split())
    for h in HEADINGS:
        assert f"## {h}" in md, h
        assert f"<h2>{h}</h2>" in html, h
        assert h in docx_text, h
        assert h in pdf_text, h
    assert md.count("Not legal advice") == 1 and html.count("Not legal advice") == 1


def test_docx_reopens_with_tables_and_pictures(formats):
    doc = Document(io.BytesIO(formats["docx"]))
    assert len(doc.tables) >= 3
    assert doc.tables[0].rows[0].cells[0].text in ("Item", "Rank", "When", "Pin")  # evidence, investigation, plan, worksheet
    assert len(doc.inline_shapes) == 2


def test_pdf_holds_the_bottom_line(formats, memo):
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(formats["pdf"])).pages).split())
    assert "Bottom line:" in text
    assert memo.bottom_line.split(";")[0][-40:] in text


class _Audit(HTMLParser):
    def __init__(self):
        super().__init__()
        self.levels, self.tables, self.ths, self.imgs = [], 0, 0, []

    def handle_starttag(self, tag, attrs):
        if re.fullmatch(r"h[1-6]", tag):
            self.levels.append(int(tag[1]))
        elif tag == "table":
            self.tables += 1
        elif tag == "th":
            self.ths += 1
        elif tag == "img":
            self.imgs.append(dict(attrs).get("alt", ""))


def test_html_is_accessible(formats):
    audit = _Audit()
    audit.feed(formats["html"].decode())
    assert audit.levels[0] == 1 and audit.levels.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(audit.levels, audit.levels[1:], strict=False)), audit.levels
    assert audit.tables >= 3 and audit.ths >= 3 * 4
    assert audit.imgs and all(alt.strip() for alt in audit.imgs)
    assert '<html lang="en">' in formats["html"].decode()


def test_golden_markdown():
    """The bundled example's memo, exactly. Regenerate with UPDATE_GOLDEN=1 after a deliberate change."""
    got = to_markdown(
        build_context(
            analyse(
                load_case(ROOT / "examples" / "receipt-plea.yaml"),
                source="receipt-plea.yaml",
                today=TODAY,
                draws=2000,
            )
        )
    )
    golden = ROOT / "tests" / "golden" / "receipt-plea-memo.md"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(got, encoding="utf-8")
    assert got == golden.read_text(encoding="utf-8")


def test_a_section_without_its_input_says_so():
    case = parse_case(
        {
            "manual": "2025-11-01",
            "offense_date": "2024-03-01",
            "counts": [{"statute": "2422(b)"}],
            "findings": ["2G1.3(c)(3)"],
            "acceptance": "none",
            "criminal_history": {"category": "I"},
        }
    )
    md = to_markdown(build_context(analyse(case, today=TODAY, draws=500)))
    assert "could not be computed" in md and "## 8. Bottom line" in md
    assert (
        "No mitigation evidence is recorded yet" in md
        and "nothing in the file describes a mental-health" in md
    )


def test_memo_command_writes_atomically(tmp_path: Path):
    example = ROOT / "examples" / "receipt-plea.yaml"
    out = plealever("memo", str(example))
    assert out.returncode == 0 and out.stdout.startswith("**Privileged & Confidential")
    assert "\n# Plea negotiation memo" in out.stdout
    target = tmp_path / "memo.docx"
    assert plealever("memo", str(example), "-f", "docx", "-o", str(target)).returncode == 0
    Document(str(target))
    bad = plealever("memo", str(example), "-f", "pdf")
    assert bad.returncode == 2 and "give an output file" in bad.stderr
    assert plealever("memo", str(example), "-f", "rtf", "-o", str(tmp_path / "x")).returncode == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["memo.docx"]


def test_write_atomic_leaves_the_old_file_on_failure(tmp_path: Path, monkeypatch):
    target = tmp_path / "memo.md"
    target.write_text("old")

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", boom)
    with pytest.raises(OutputError, match="disk full"):
        write_atomic(target, b"new memo")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["memo.md"]
