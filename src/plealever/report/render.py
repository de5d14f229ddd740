"""Render the memo context as Markdown, HTML (Jinja2), DOCX (python-docx) or PDF (WeasyPrint from the HTML)."""

from __future__ import annotations

import base64
import io
import re
from importlib import resources

from jinja2 import Environment, PackageLoader, select_autoescape

from plealever.errors import UsageError, quote
from plealever.files import write_atomic
from plealever.report.context import MemoContext

FORMATS = ("md", "html", "docx", "pdf")
__all__ = ["FORMATS", "render", "to_docx", "to_html", "to_markdown", "to_pdf", "write_atomic"]
# Markdown that could make a previewer fetch or run something (images, links, raw HTML, code spans)
# or restructure the memo; each is shown as itself after a backslash (CommonMark 2.4).
_MD_ACTIVE = re.compile(r"([\\`*_\[\]<>!|#~&])")
_CITATION = re.compile(r"\\\[([0-9]{1,4})\\\](?![:(\[\\])")


class Markup(str):
    """Text the Markdown template writes as it is: markup the template itself makes."""


def md_escape(value) -> str:
    """Every value the Markdown template prints is escaped unless it is Markup: user text can carry
    `![](http://...)` or `<img src=...>`, and a Markdown previewer would fetch it."""
    if isinstance(value, Markup):
        return value
    text = _MD_ACTIVE.sub(r"\\\1", str(value))
    # A citation marker [12] stays readable: alone it is no link (nothing follows that could make it one).
    return _CITATION.sub(r"[\1]", text)


def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("plealever.report", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
        trim_blocks=False,
        lstrip_blocks=False,
        keep_trailing_newline=True,
    )
    env.filters["b64"] = lambda data: base64.b64encode(data).decode("ascii")
    return env


def _md_env() -> Environment:
    env = _env()
    env.finalize = md_escape  # autoescape for Markdown: applies to every {{ ... }} in the template
    env.filters["raw"] = Markup
    env.filters["mdcell"] = lambda text: " ".join(str(text).split())  # one line per table row
    return env


def to_markdown(m: MemoContext) -> str:
    text = _md_env().get_template("memo.md.j2").render(m=m)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text


def to_html(m: MemoContext) -> str:
    return _env().get_template("memo.html.j2").render(m=m)


def to_pdf(m: MemoContext) -> bytes:
    from weasyprint import HTML

    return HTML(string=to_html(m), url_fetcher=_offline_fetcher()).write_pdf()


def _offline_fetcher():
    """WeasyPrint may read data: URLs and the package's own files, nothing else: no network, no
    file elsewhere on the disk, whatever a memo's text might name."""
    from weasyprint import urls

    package = str(resources.files("plealever"))

    def allowed(url: str) -> bool:
        if url.startswith("data:"):
            return True
        if url.startswith("file://"):
            import os.path
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


def to_docx(m: MemoContext) -> bytes:
    from docx import Document
    from docx.shared import Inches, Pt

    doc = Document()
    doc.core_properties.title = m.title
    doc.add_heading(m.title, level=1)
    doc.add_paragraph(m.question).runs[0].italic = True
    notice = doc.add_paragraph(m.notice)
    notice.runs[0].bold = True
    for b in m.blocks:
        if b.kind == "heading":
            doc.add_heading(b.text, level=b.level)
        elif b.kind == "para":
            doc.add_paragraph(b.text)
        elif b.kind == "bullets":
            for item in b.items:
                doc.add_paragraph(item, style="List Bullet")
        elif b.kind == "table":
            doc.add_paragraph(b.caption).runs[0].italic = True
            table = doc.add_table(rows=1, cols=len(b.header))
            table.style = "Table Grid"
            for cell, text in zip(table.rows[0].cells, b.header, strict=True):
                cell.text = text
                for run in cell.paragraphs[0].runs:
                    run.bold = True
            for row in b.rows:
                cells = table.add_row().cells
                for cell, text in zip(cells, row, strict=True):
                    cell.text = str(text)
                    for run in cell.paragraphs[0].runs:
                        run.font.size = Pt(8)
        elif b.kind == "image":
            doc.add_picture(io.BytesIO(b.png), width=Inches(6.0))
            cap = doc.add_paragraph(b.caption)
            cap.runs[0].italic = True
    doc.add_heading("References", level=2)
    for r in m.references:
        note = "" if r.verified else " (citation not yet verified)"
        doc.add_paragraph(f"[{r.number}] {r.cite}{note}. {r.url}")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def render(m: MemoContext, fmt: str) -> bytes:
    if fmt == "md":
        return to_markdown(m).encode("utf-8")
    if fmt == "html":
        return to_html(m).encode("utf-8")
    if fmt == "docx":
        return to_docx(m)
    if fmt == "pdf":
        return to_pdf(m)
    raise UsageError(f"unknown format {quote(fmt)}; expected one of {', '.join(FORMATS)}", field="--format")
