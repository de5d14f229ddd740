"""Read a case file (YAML or JSON) into a Case, turning every problem into a one-line CaseFileError.

Text and data from every front end (files, Import, the web form, the JSON API) pass the checks of
case/boundary.py first; then the case model validates them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from plealever.case import boundary
from plealever.case.model import Case
from plealever.case.model_base import FIELD_ERRORS
from plealever.errors import CaseFileError, quote

MAX_PROBLEMS = 3  # validation problems named in one message; the rest are counted


def _field(loc: tuple[Any, ...], data: Any = None) -> str:
    """('mitigation', 0, 'psych_evaluation', 'nexus') -> "mitigation[0] ('Dr. A report').nexus"."""
    out = ""
    node = data
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
            if isinstance(node, dict) and isinstance(node.get("label"), str):
                out += f" ({quote(node['label'])})"
            continue
        if isinstance(node, dict) and part not in node and node.get("kind") == part:
            continue  # the discriminator tag pydantic adds for tagged unions
        out += f".{part}" if out else str(part)
        node = node.get(part) if isinstance(node, dict) else None
    return out


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def parse_case(data: Any, *, source: str = "<case>") -> Case:
    """Validate parsed data (from any front end) into a Case: the boundary's limits, then the model."""
    if not isinstance(data, dict):
        raise CaseFileError("expected a mapping of case fields at the top level", file=source)
    boundary.check_data(data, source=source)
    try:
        case = Case.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            parts = tuple(p for p in err["loc"] if p not in ("function-after",))
            if err["type"] in FIELD_ERRORS:
                parts += (err["ctx"]["field"],)
            loc = _field(parts, data)
            msg = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                msg = "unknown field (see docs/case-file.md or `plealever schema`)"
            elif err["type"] not in ("missing",) and "input" in err and not isinstance(err["input"], dict):
                msg += f" (got {quote(err['input'])})"
            problems.append(f"{loc}: {msg}" if loc else msg)
        first, rest = _cut(problems[0], 300), [_cut(p, 100) for p in problems[1:]]
        shown = "; ".join(rest[: MAX_PROBLEMS - 1]) + ("; ..." if len(rest) >= MAX_PROBLEMS else "")
        more = f" (and {len(rest)} more: {shown})" if rest else ""
        raise CaseFileError(first + more, file=source) from None
    if case.outcome_parameters:
        # Checked against the outcome model's own parameters, so a bad override fails here, with the file.
        from plealever.law.parameters import Params
        from plealever.law.rulebook import rulebook

        try:
            Params(rulebook(), case.outcome_parameters)
        except CaseFileError as exc:
            exc.file = source
            raise
    if case.offense_date and case.offense_date > dt.date.today():
        raise CaseFileError(
            f"offense_date {case.offense_date} is in the future", file=source, field="offense_date"
        )
    return case


def read_case_text(text: str, *, fmt: str, source: str) -> Any:
    """The plain data of a case file's text (YAML or JSON), through the boundary's checks."""
    return boundary.read_text(text, fmt=fmt, source=source)


def load_case(path: str | Path) -> Case:
    path = Path(path)
    fmt = "json" if path.suffix.lower() == ".json" else "yaml"
    return parse_case(read_case_file(path, fmt=fmt), source=str(path))


def read_case_file(path: Path, *, fmt: str) -> Any:
    """A case file's plain data; the size limit is checked before the file is read whole."""
    try:
        with path.open("rb") as fh:
            raw = fh.read(boundary.MAX_BYTES + 1)
    except FileNotFoundError:
        raise CaseFileError("no such file", file=str(path)) from None
    except IsADirectoryError:
        raise CaseFileError("is a folder, not a case file", file=str(path)) from None
    except OSError as exc:
        raise CaseFileError(f"cannot read the file ({exc.strerror})", file=str(path)) from None
    return boundary.read_bytes(raw, fmt=fmt, source=str(path))
