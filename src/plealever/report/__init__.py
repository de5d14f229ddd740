"""The memo: one context built from the calculation, the assessment and the scenarios; four renderers."""

from plealever.report.context import MemoContext, build_context
from plealever.report.render import render, write_atomic

__all__ = ["MemoContext", "build_context", "render", "write_atomic"]
