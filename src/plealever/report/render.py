"""Render the memo context as Markdown, HTML (Jinja2), DOCX (python-docx) or PDF (WeasyPrint from the HTML)."""

from __future__ import annotations

import base64
import io
import os
import tempfile
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from plealever.errors import UsageError
from plealever.report.context import MemoContext

FORMATS = ("md", "html", "docx", "pdf")


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
    return env


def to_markdown(m: MemoContext) -> str:
    text = _env().get_template("memo.md.j2").render(m=m)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text


def to_html(m: MemoContext, compact: bool = False) -> str:
    """`compact`: the one-page style of a client advisement record (smaller type, tighter margins)."""
    return _env().get_template("memo.html.j2").render(m=m, compact=compact)


def to_pdf(m: MemoContext, compact: bool = False) -> bytes:
    from weasyprint import HTML

    return HTML(string=to_html(m, compact)).write_pdf()


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


def render(m: MemoContext, fmt: str, *, compact: bool = False) -> bytes:
    """`m` in `fmt`; `compact` sets HTML and PDF in the one-page style of an advisement record."""
    if fmt == "md":
        return to_markdown(m).encode("utf-8")
    if fmt == "html":
        return to_html(m, compact).encode("utf-8")
    if fmt == "docx":
        return to_docx(m)
    if fmt == "pdf":
        return to_pdf(m, compact)
    raise UsageError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}", field="--format")


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, then rename: a failure never leaves half a memo."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
