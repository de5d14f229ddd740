"""The memo as documents a lawyer files: the DOCX opened as Word would read it (python-docx and the XML),
the PDF page by page (pypdf), the Markdown parsed as Markdown (markdown-it)."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt
from pypdf import PdfReader

from plealever import load_case
from plealever.analysis import analyse
from plealever.report import build_context, render
from plealever.report.render import LEGEND, DocumentOptions
from tests.test_cli import plealever

ROOT = Path(__file__).resolve().parents[1]
TODAY = dt.date(2026, 11, 29)  # the 2026 Manual (marked unverified in the law data) applies


@pytest.fixture(scope="module")
def memo():
    case = load_case(ROOT / "examples" / "receipt-plea.yaml")
    return build_context(analyse(case, source="receipt-plea.yaml", today=TODAY, draws=500))


@pytest.fixture(scope="module")
def docx_bytes(memo):
    return render(memo, "docx", DocumentOptions(author="A. Lawyer, Federal Defender"))


@pytest.fixture(scope="module")
def pdf(memo):
    return PdfReader(io.BytesIO(render(memo, "pdf")))


def _texts(element) -> str:
    return "".join(t.text or "" for t in element.iter(qn("w:t")))


def test_docx_references_are_a_numbered_list_with_cross_references(memo, docx_bytes):
    doc = Document(io.BytesIO(docx_bytes))
    numbering = doc.part.numbering_part.element
    formats = {
        a.get(qn("w:abstractNumId")): a.find(f"{qn('w:lvl')}/{qn('w:lvlText')}").get(qn("w:val"))
        for a in numbering.findall(qn("w:abstractNum"))
        if a.find(f"{qn('w:lvl')}/{qn('w:lvlText')}") is not None
    }
    nums = {
        n.get(qn("w:numId")): n.find(qn("w:abstractNumId")).get(qn("w:val"))
        for n in numbering.findall(qn("w:num"))
    }
    listed = [
        p
        for p in doc.paragraphs
        if p._p.pPr is not None
        and p._p.pPr.numPr is not None
        and formats[nums[str(p._p.pPr.numPr.numId.val)]] == "[%1]"
    ]
    assert len(listed) == len(memo.references) > 10  # Word numbers them: no typed "[n]" in the list
    assert not any(re.match(r"\[\d+\]", p.text) for p in listed)
    bookmarks = {b.get(qn("w:name")) for b in doc.element.body.iter(qn("w:bookmarkStart"))}
    assert {f"_RefPlealever{r.number}" for r in memo.references} <= bookmarks
    fields = [" ".join((t.text or "").split()) for t in doc.element.body.iter(qn("w:instrText"))]
    refs = [f for f in fields if f.startswith("REF ")]
    assert refs and all(re.fullmatch(r"REF _RefPlealever\d+ \\r \\h", f) for f in refs)
    targets = {f.split()[1] for f in refs}
    assert targets <= bookmarks and len(targets) == len(memo.references)  # every reference is cited
    body = _texts(doc.element.body)
    assert "[1]" in body  # the fields' current results, which Word updates when it renumbers


def test_docx_hyperlinks_headers_page_numbers_legend_and_properties(memo, docx_bytes):
    doc = Document(io.BytesIO(docx_bytes))
    links = list(doc.element.body.iter(qn("w:hyperlink")))
    urls = {doc.part.rels[h.get(qn("r:id"))].target_ref for h in links}
    assert {r.url for r in memo.references} <= urls
    assert all(doc.part.rels[h.get(qn("r:id"))].is_external for h in links)
    assert len(doc.tables) >= 3
    for table in doc.tables:
        rows = table._tbl.tr_lst
        assert rows[0].trPr is not None and rows[0].trPr.find(qn("w:tblHeader")) is not None
        assert all(r.trPr is not None and r.trPr.find(qn("w:cantSplit")) is not None for r in rows)
    section = doc.sections[0]
    header = " ".join(p.text for p in section.header.paragraphs)
    assert LEGEND in header and "Example — one receipt count, timely plea" in header
    assert "November 29, 2026" in header
    footer_fields = [
        " ".join((t.text or "").split()) for t in section.footer._element.iter(qn("w:instrText"))
    ]
    assert "PAGE" in footer_fields and "NUMPAGES" in footer_fields
    props = doc.core_properties
    assert props.title == memo.title
    assert props.author == "A. Lawyer, Federal Defender" and props.last_modified_by == props.author
    now = dt.datetime.now(dt.UTC)
    assert abs((props.created - now).total_seconds()) < 600 and props.created.year != 2013
    assert "python-docx" not in (props.comments or "") + (props.author or "")
    text = " ".join(p.text for p in doc.paragraphs)
    assert "not fully verified in the law data" in text  # the unverified-edition caveat
    assert "Guidelines Manual (Nov. 1, 2026)" in text and "Guidelines Manual (Nov. 1, 2025)" not in text


def test_docx_uses_an_office_template_styles(memo, tmp_path):
    template = Document()
    template.styles["Normal"].font.name = "Garamond"
    template.styles["Normal"].font.size = Pt(12)
    template.add_paragraph("Letterhead text that is not part of the memo")
    path = tmp_path / "office.docx"
    template.save(str(path))
    doc = Document(io.BytesIO(render(memo, "docx", DocumentOptions(author="X", docx_template=path))))
    assert doc.styles["Normal"].font.name == "Garamond" and doc.styles["Normal"].font.size == Pt(12)
    assert not any("Letterhead" in p.text for p in doc.paragraphs)
    assert any(p.text == "Executive summary" for p in doc.paragraphs)
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"not a zip")
    from plealever.errors import CaseFileError

    with pytest.raises(CaseFileError, match="cannot open the Word template"):
        render(memo, "docx", DocumentOptions(docx_template=broken))


def test_pdf_has_page_numbers_legend_case_and_date_on_every_page(pdf):
    n = len(pdf.pages)
    assert n >= 3
    for i, page in enumerate(pdf.pages, 1):
        text = " ".join(page.extract_text().split())
        assert f"Page {i} of {n}" in text, i
        assert LEGEND in text and "Example — one receipt count, timely plea" in text
        assert "November 29, 2026" in text
    whole = " ".join(" ".join(p.extract_text() for p in pdf.pages).split())
    assert "not fully verified in the law data" in whole
    assert "Contested: §2G2.2(b)(7)(D)" in whole


def test_pdf_table_rows_are_kept_whole_and_headers_repeat(memo):
    """A worksheet long enough to cross pages: every page that continues a table starts with its header,
    and no row's text is split between two pages."""
    from plealever.report.context import Block

    rows = [
        [f"2G2.2(b)({i})", "+2", str(i), "applied", f"start-of-row-{i} " + "reason " * 40 + f"end-of-row-{i}", "[1]"]
        for i in range(60)
    ]
    from plealever.report.context import MemoContext

    long = MemoContext(
        title=memo.title,
        question=memo.question,
        notice=memo.notice,
        blocks=[
            Block(
                "table",
                caption="Long worksheet",
                header=["Pin", "Levels", "Total", "Status", "Reason", "Sources"],
                rows=rows,
            )
        ],
        references=memo.references[:1],
        bottom_line="",
        case_name="Long",
        date=TODAY,
    )
    pages = [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(render(long, "pdf"))).pages]
    assert len(pages) > 3
    for i in range(60):
        holding = [k for k, text in enumerate(pages) if f"start-of-row-{i} " in text]
        ending = [
            k
            for k, text in enumerate(pages)
            if f"end-of-row-{i} " in text or text.endswith(f"end-of-row-{i}")
        ]
        assert holding and holding == ending, (i, holding, ending)  # the row starts and ends on one page
    for text in pages[1:-1]:
        assert "Pin Levels Total Status Reason Sources" in text


def test_markdown_references_render_as_a_list(memo):
    from markdown_it import MarkdownIt

    text = render(memo, "md").decode("utf-8")
    tokens = MarkdownIt().parse(text)
    heading = next(
        i
        for i, t in enumerate(tokens)
        if t.type == "inline" and t.content == "References" and tokens[i - 1].tag == "h2"
    )
    after = tokens[heading + 2 :]
    assert after[0].type == "ordered_list_open" and after[0].attrs.get("start", 1) == 1
    items = [t for t in after if t.type == "list_item_open" and t.level == 1]
    assert len(items) == len(memo.references)
    assert text.startswith(f"**{LEGEND}**")


def test_html_citations_link_to_their_reference(memo):
    html = render(memo, "html").decode("utf-8")
    cited = set(re.findall(r'<a class="cite" href="#ref-(\d+)">\[\1\]</a>', html))
    listed = set(re.findall(r'<li id="ref-(\d+)"', html))
    assert cited == listed == {str(r.number) for r in memo.references}


def test_memo_command_takes_the_author_and_a_template(tmp_path):
    template = Document()
    template.styles["Normal"].font.name = "Garamond"
    template.save(str(tmp_path / "t.docx"))
    out = tmp_path / "memo.docx"
    done = plealever(
        "memo",
        str(ROOT / "examples" / "receipt-plea.yaml"),
        "-f",
        "docx",
        "-o",
        str(out),
        "--author",
        "B. Counsel",
        "--docx-template",
        str(tmp_path / "t.docx"),
    )
    assert done.returncode == 0, done.stderr
    doc = Document(str(out))
    assert doc.core_properties.author == "B. Counsel" and doc.styles["Normal"].font.name == "Garamond"
    missing = plealever(
        "memo",
        str(ROOT / "examples" / "receipt-plea.yaml"),
        "-f",
        "docx",
        "-o",
        str(out),
        "--docx-template",
        str(tmp_path / "nope.docx"),
    )
    assert missing.returncode == 2 and "no such Word template" in missing.stderr


def test_the_caveats_always_name_an_unverified_edition():
    from plealever.report.caveats import caveats

    case = load_case(ROOT / "examples" / "receipt-plea.yaml")
    c = analyse(case, today=TODAY, upto="exposure").result.calculation
    assert not c.edition_verified
    bare = caveats(c, [])  # even if the calculation's own warning were worded otherwise
    assert any("Nov. 1, 2026 Manual is not fully verified" in line for line in bare)
    assert any(line.startswith("Contested: §2G2.2(b)(7)(D)") for line in bare)
