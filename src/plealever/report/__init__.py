"""The report layer: the memo (one context from an Analysis; Markdown, HTML, DOCX, PDF), the terminal
tables and the rows both share (views). Nothing here computes: it formats what `analyse` produced."""

from __future__ import annotations

from typing import TYPE_CHECKING

from plealever.report.context import MemoContext, build_context
from plealever.report.render import FORMATS, render, write_atomic

if TYPE_CHECKING:  # pragma: no cover
    from plealever.analysis import Analysis

__all__ = ["FORMATS", "MemoContext", "build_context", "render", "render_memo", "write_atomic"]


def render_memo(analysis: Analysis, fmt: str = "md", options=None) -> bytes:
    """The memo for a complete analysis in `fmt` (md, html, docx or pdf), as bytes. `options`
    (render.DocumentOptions): the author and the office Word template; default from the environment."""
    return render(build_context(analysis), fmt, options)
