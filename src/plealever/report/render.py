"""Render the memo context as Markdown, HTML (Jinja2), DOCX (python-docx) or PDF (WeasyPrint from the HTML).

Every format carries the privilege legend, the case name and date, and page numbers where pages exist.
The DOCX is Word-native: references are an auto-numbered list with bookmarks, each citation in the text
a cross-reference field to its entry (Word renumbers both), URLs are hyperlinks, table header rows repeat
and rows do not split across pages, and the core properties name the title, the author and the time.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import os
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from plealever.errors import UsageError, quote
from plealever.files import write_atomic  # re-exported: plealever.report.write_atomic
from plealever.report.context import MemoContext

FORMATS = ("md", "html", "docx", "pdf")
MEDIA_TYPES = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}
__all__ = ["FORMATS", "DocumentOptions", "render", "to_docx", "to_html", "to_markdown", "to_pdf", "write_atomic"]
LEGEND = "Privileged & Confidential — Attorney Work Product"
_CITE = re.compile(r" ?\[(\d+)\]")


@dataclass(frozen=True)
class DocumentOptions:
    """Settings for the documents: who the author is, and an office Word template whose styles to use.
    From the command line's --author/--docx-template, or PLEALEVER_AUTHOR/PLEALEVER_DOCX_TEMPLATE."""

    author: str = ""
    docx_template: Path | None = None

    @classmethod
    def from_env(cls, author: str | None = None, docx_template: Path | str | None = None) -> DocumentOptions:
        author = author if author is not None else os.environ.get("PLEALEVER_AUTHOR", "")
        template = docx_template or os.environ.get("PLEALEVER_DOCX_TEMPLATE") or None
        return cls(author=author.strip(), docx_template=Path(template) if template else None)


def _memo_date(m: MemoContext) -> dt.date:
    return getattr(m, "date", None) or dt.date.today()


def _long_date(day: dt.date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def _case_name(m: MemoContext) -> str:
    return getattr(m, "case_name", "") or m.title.split(": ", 1)[-1]


def _link_refs(text: str) -> Markup:
    """Escape the text, then make each "[n]" a link to reference n (HTML and PDF)."""
    safe = str(escape(text))
    return Markup(re.sub(r"\[(\d+)\]", r'<a class="cite" href="#ref-\1">[\1]</a>', safe))


_PIN = re.compile(r"\d[A-Z]\d\.\d+(\([A-Za-z0-9]+\))*")


def _cell(text: str) -> Markup:
    """A table cell: a guideline pin is kept on one line (2G2.2(b)(7)(D) never breaks before "(D)")."""
    if _PIN.fullmatch(str(text)):
        return Markup('<span class="pin">') + escape(text) + Markup("</span>")
    return _link_refs(str(text))


# Markdown that could make a previewer fetch or run something (images, links, raw HTML, code spans)
# or restructure the memo; each is shown as itself after a backslash (CommonMark 2.4).
_MD_ACTIVE = re.compile(r"([\\`*_\[\]<>!|#~])")  # not &: an entity decodes to text, never to markup
_CITATION = re.compile(r"\\\[([0-9]{1,4})\\\](?![:(\[\\])")


class MdRaw(str):
    """Text the Markdown template writes as it is: markup the template itself makes."""


def md_escape(value) -> str:
    """Every value the Markdown template prints is escaped unless it is MdRaw: user text can carry
    `![](http://...)` or `<img src=...>`, and a Markdown previewer would fetch it (the HTML memo
    autoescapes for the same reason)."""
    if isinstance(value, MdRaw):
        return value
    text = _MD_ACTIVE.sub(r"\\\1", str(value))
    # A citation marker [12] stays readable: alone it is no link (nothing follows that could make it one).
    return _CITATION.sub(r"[\1]", text)


def _md_env() -> Environment:
    env = _env()
    env.finalize = md_escape  # autoescape for Markdown: applies to every {{ ... }} in the template
    env.filters["raw"] = MdRaw
    env.filters["mdcell"] = lambda text: " ".join(str(text).split())  # one line per table row
    return env


def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("plealever.report", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
        trim_blocks=False,
        lstrip_blocks=False,
        keep_trailing_newline=True,
    )
    env.filters["b64"] = lambda data: base64.b64encode(data).decode("ascii")
    env.filters["mdcell"] = lambda text: str(text).replace("|", "\\|").replace("\n", " ")
    env.filters["refs"] = _link_refs
    env.filters["cell"] = _cell
    env.globals.update(legend=LEGEND)
    return env


def _vars(m: MemoContext) -> dict:
    return {"m": m, "case_name": _case_name(m), "memo_date": _long_date(_memo_date(m))}


def to_markdown(m: MemoContext) -> str:
    text = _md_env().get_template("memo.md.j2").render(**_vars(m))
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text


def to_html(m: MemoContext, compact: bool = False) -> str:
    """`compact`: the one-page style of a client advisement record (smaller type, tighter margins)."""
    return _env().get_template("memo.html.j2").render(**_vars(m), compact=compact)


def to_pdf(m: MemoContext, compact: bool = False) -> bytes:
    from weasyprint import HTML

    return HTML(string=to_html(m, compact), url_fetcher=_offline_fetcher()).write_pdf()


def _offline_fetcher():
    """WeasyPrint may read data: URLs and the package's own files, nothing else: no network, no
    file elsewhere on the disk, whatever a memo's text might name."""
    from weasyprint import urls

    package = os.path.realpath(str(resources.files("plealever")))

    def allowed(url: str) -> bool:
        if url.startswith("data:"):
            return True
        if url.startswith("file://"):
            from urllib.parse import unquote, urlsplit

            path = os.path.realpath(unquote(urlsplit(url).path))
            return path == package or path.startswith(package + os.sep)
        return False

    base = getattr(urls, "URLFetcher", None)
    if base is not None:  # WeasyPrint 66 and later: a fetcher class

        class Offline(base):
            def fetch(self, url, headers=None):
                if not allowed(url):
                    raise ValueError(f"plealever renders offline; refused to fetch {url[:60]}")
                return super().fetch(url, headers)

        return Offline(fail_on_errors=False)

    def fetch(url, timeout=10, ssl_context=None):  # earlier WeasyPrint: a function
        if not allowed(url):
            raise ValueError(f"plealever renders offline; refused to fetch {url[:60]}")
        return urls.default_url_fetcher(url, timeout=timeout, ssl_context=ssl_context)

    return fetch


# --- DOCX -------------------------------------------------------------------------------------------


def _style(doc, *names: str):
    """The first of the styles the document (or the office template) has; None: the default style."""
    for name in names:
        try:
            return doc.styles[name]
        except KeyError:
            continue
    return None


def _field(paragraph, instruction: str, shown: str, *, bold: bool = False):
    """A Word field (PAGE, NUMPAGES, REF ...) with its current result, which Word updates."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def run_with(child):
        r = OxmlElement("w:r")
        if bold:
            rpr = OxmlElement("w:rPr")
            rpr.append(OxmlElement("w:b"))
            r.append(rpr)
        r.append(child)
        paragraph._p.append(r)
        return r

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run_with(begin)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run_with(instr)
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    run_with(sep)
    text = OxmlElement("w:t")
    text.text = shown
    run_with(text)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


def _hyperlink(paragraph, url: str, text: str) -> None:
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    rid = paragraph.part.relate_to(url, RT.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rid)
    link.set(qn("w:history"), "1")
    run = OxmlElement("w:r")
    rpr = OxmlElement("w:rPr")
    color = OxmlElement("w:color")
    color.set(qn("w:val"), "0563C1")
    underline = OxmlElement("w:u")
    underline.set(qn("w:val"), "single")
    rpr.append(color)
    rpr.append(underline)
    run.append(rpr)
    t = OxmlElement("w:t")
    t.set(qn("xml:space"), "preserve")
    t.text = text
    run.append(t)
    link.append(run)
    paragraph._p.append(link)


def _reference_numbering(doc) -> int:
    """A numbering definition "[1]", "[2]", ... for the reference list; returns its numId."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    numbering = doc.part.numbering_part.element
    abstract_ids = [int(a.get(_w("abstractNumId"))) for a in numbering.findall(_w_tag("abstractNum"))]
    num_ids = [int(n.get(_w("numId"))) for n in numbering.findall(_w_tag("num"))]
    abstract_id = max(abstract_ids, default=0) + 1
    num_id = max(num_ids, default=0) + 1
    abstract = parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">'
        '<w:multiLevelType w:val="singleLevel"/>'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/>'
        '<w:lvlText w:val="[%1]"/><w:lvlJc w:val="left"/>'
        '<w:pPr><w:ind w:left="567" w:hanging="567"/></w:pPr></w:lvl></w:abstractNum>'
    )
    num = parse_xml(
        f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/></w:num>'
    )
    # abstractNum elements must precede num elements in numbering.xml.
    first_num = numbering.find(_w_tag("num"))
    if first_num is not None:
        first_num.addprevious(abstract)
    else:
        numbering.append(abstract)
    numbering.append(num)
    return num_id


def _w(name: str) -> str:
    from docx.oxml.ns import qn

    return qn(f"w:{name}")


_w_tag = _w


def _bookmark(paragraph, name: str, bid: int) -> None:
    from docx.oxml import OxmlElement

    start = OxmlElement("w:bookmarkStart")
    start.set(_w("id"), str(bid))
    start.set(_w("name"), name)
    end = OxmlElement("w:bookmarkEnd")
    end.set(_w("id"), str(bid))
    ppr = paragraph._p.pPr
    if ppr is not None:
        ppr.addnext(start)
    else:
        paragraph._p.insert(0, start)
    paragraph._p.append(end)


def _ref_name(n: int) -> str:
    return f"_RefPlealever{n}"  # "_Ref..." bookmarks are the hidden kind Word makes for cross-references


def _text_with_refs(paragraph, text: str, *, size=None, bold: bool = False, italic: bool = False) -> None:
    """Text whose "[n]" markers become cross-reference fields to reference n."""
    pos = 0
    for match in _CITE.finditer(text):
        if match.start() > pos:
            run = paragraph.add_run(text[pos : match.start()])
            run.bold, run.italic = bold or None, italic or None
            if size is not None:
                run.font.size = size
        n = int(match.group(1))
        if match.group(0).startswith(" "):
            paragraph.add_run(" ")
        _field(paragraph, f"REF {_ref_name(n)} \\r \\h", f"[{n}]")
        pos = match.end()
    if pos < len(text):
        run = paragraph.add_run(text[pos:])
        run.bold, run.italic = bold or None, italic or None
        if size is not None:
            run.font.size = size


def _row_props(row, *, header: bool) -> None:
    from docx.oxml import OxmlElement

    trpr = row._tr.get_or_add_trPr()
    trpr.append(OxmlElement("w:cantSplit"))  # a row is never split across pages
    if header:
        trpr.append(OxmlElement("w:tblHeader"))  # repeated at the top of every page


def _new_document(options: DocumentOptions):
    from docx import Document

    if options.docx_template is None:
        return Document()
    from plealever.errors import CaseFileError

    try:
        doc = Document(str(options.docx_template))
    except Exception as exc:  # noqa: BLE001 - python-docx raises several kinds for a bad package
        raise CaseFileError(
            f"cannot open the Word template ({exc.__class__.__name__})", file=str(options.docx_template)
        ) from None
    body = doc.element.body
    for child in list(body):
        if child.tag != _w("sectPr"):
            body.remove(child)  # keep the template's styles, page set-up and numbering, not its text
    return doc


def _header_footer(doc, m: MemoContext) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    for section in doc.sections:
        header = section.header
        header.is_linked_to_previous = False
        first = header.paragraphs[0] if header.paragraphs else header.add_paragraph()
        first.text = ""
        legend = first.add_run(LEGEND)
        legend.bold = True
        legend.font.size = Pt(9)
        meta = header.add_paragraph()
        run = meta.add_run(f"{_case_name(m)} · {_long_date(_memo_date(m))}")
        run.font.size = Pt(9)
        footer = section.footer
        footer.is_linked_to_previous = False
        p = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
        p.text = ""
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.add_run("Page ").font.size = Pt(9)
        _field(p, "PAGE", "1")
        p.add_run(" of ").font.size = Pt(9)
        _field(p, "NUMPAGES", "1")


def to_docx(m: MemoContext, options: DocumentOptions | None = None) -> bytes:
    from docx.enum.text import WD_ALIGN_PARAGRAPH  # noqa: F401 - imported for python-docx's enum registry
    from docx.shared import Inches, Pt

    options = options or DocumentOptions.from_env()
    doc = _new_document(options)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    props = doc.core_properties
    props.title = m.title
    props.subject = "Plea negotiation memo"
    props.author = options.author
    props.last_modified_by = options.author
    props.created = now
    props.modified = now
    props.revision = 1
    props.comments = "Not legal advice. " + LEGEND + "."
    props.keywords = "privileged; attorney work product"
    props.category = ""
    _header_footer(doc, m)

    bullet = _style(doc, "List Bullet", "List Paragraph")
    grid = _style(doc, "Table Grid")
    doc.add_heading(m.title, level=1)
    doc.add_paragraph(m.question).runs[0].italic = True
    notice = doc.add_paragraph(m.notice)
    notice.runs[0].bold = True
    for b in m.blocks:
        if b.kind == "heading":
            doc.add_heading(b.text, level=b.level)
        elif b.kind == "para":
            _text_with_refs(doc.add_paragraph(), b.text)
        elif b.kind == "bullets":
            for item in b.items:
                _text_with_refs(doc.add_paragraph(style=bullet), item)
        elif b.kind == "table":
            cap = doc.add_paragraph()
            cap.add_run(b.caption).italic = True
            cap.paragraph_format.keep_with_next = True
            table = doc.add_table(rows=1, cols=len(b.header))
            if grid is not None:
                table.style = grid
            _row_props(table.rows[0], header=True)
            for cell, text in zip(table.rows[0].cells, b.header, strict=True):
                cell.text = ""
                run = cell.paragraphs[0].add_run(text)
                run.bold = True
                run.font.size = Pt(8)
            for row in b.rows:
                added = table.add_row()
                _row_props(added, header=False)
                for cell, text in zip(added.cells, row, strict=True):
                    cell.text = ""
                    _text_with_refs(cell.paragraphs[0], str(text), size=Pt(8))
        elif b.kind == "image":
            doc.add_picture(io.BytesIO(b.png), width=Inches(6.0))
            doc.paragraphs[-1].paragraph_format.keep_with_next = True
            cap = doc.add_paragraph()
            cap.add_run(b.caption).italic = True
    doc.add_heading("References", level=2)
    num_id = _reference_numbering(doc)
    for i, r in enumerate(m.references):
        p = doc.add_paragraph()
        numpr = p._p.get_or_add_pPr().get_or_add_numPr()
        numpr.get_or_add_ilvl().val = 0
        numpr.get_or_add_numId().val = num_id
        note = "" if r.verified else " (citation not yet verified)"
        p.add_run(f"{r.cite}{note}. ")
        _hyperlink(p, r.url, r.url)
        _bookmark(p, _ref_name(r.number), 1000 + i)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def render(m: MemoContext, fmt: str, options: DocumentOptions | None = None, *, compact: bool = False) -> bytes:
    """`m` in `fmt`; `compact` sets HTML and PDF in the one-page style of an advisement record."""
    if fmt == "md":
        return to_markdown(m).encode("utf-8")
    if fmt == "html":
        return to_html(m, compact).encode("utf-8")
    if fmt == "docx":
        return to_docx(m, options)
    if fmt == "pdf":
        return to_pdf(m, compact)
    raise UsageError(f"unknown format {quote(fmt)}; expected one of {', '.join(FORMATS)}", field="--format")
