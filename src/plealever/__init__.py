"""plealever: sentencing exposure and plea-negotiation analysis for federal child-exploitation cases.

The public API is small and stable: load a case file, calculate its exposure, assess its mitigation,
analyse everything at once and render the memo from that analysis. Names are imported on first use,
so `plealever --help` does not pay for pydantic and the law data.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__all__ = [
    "Analysis",
    "Calculation",
    "Case",
    "PlealeverError",
    "Result",
    "Step",
    "analyse",
    "assess",
    "calculate",
    "load_case",
    "parse_case",
    "render_memo",
]
__version__ = "0.1.0"

_WHERE = {
    "Analysis": "plealever.analysis",
    "analyse": "plealever.analysis",
    "assess": "plealever.mitigation",
    "Case": "plealever.case",
    "load_case": "plealever.case",
    "parse_case": "plealever.case",
    "PlealeverError": "plealever.errors",
    "Calculation": "plealever.guidelines",
    "Result": "plealever.guidelines",
    "Step": "plealever.guidelines",
    "calculate": "plealever.guidelines",
    "render_memo": "plealever.report",
}

if TYPE_CHECKING:  # pragma: no cover
    from plealever.analysis import Analysis, analyse
    from plealever.case import Case, load_case, parse_case
    from plealever.errors import PlealeverError
    from plealever.guidelines import Calculation, Result, Step, calculate
    from plealever.mitigation import assess
    from plealever.report import render_memo


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'plealever' has no attribute {name!r}")
