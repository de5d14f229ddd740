"""Read a case file (YAML or JSON) into a Case, turning every problem into a one-line CaseFileError."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from plealever.case.model import Case
from plealever.errors import CaseFileError


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """SafeLoader that leaves dates as strings, so a bad date is a field error, not a YAML crash."""


_Loader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _field(loc: tuple[Any, ...], data: Any = None) -> str:
    """('mitigation', 0, 'psych_evaluation', 'nexus') -> "mitigation[0] ('Dr. A report').nexus"."""
    out = ""
    node = data
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
            if isinstance(node, dict) and isinstance(node.get("label"), str):
                out += f" ({node['label']!r})"
            continue
        if isinstance(node, dict) and part not in node and node.get("kind") == part:
            continue  # the discriminator tag pydantic adds for tagged unions
        out += f".{part}" if out else str(part)
        node = node.get(part) if isinstance(node, dict) else None
    return out


def parse_case(data: Any, *, source: str = "<case>") -> Case:
    if not isinstance(data, dict):
        raise CaseFileError("expected a mapping of case fields at the top level", file=source)
    try:
        case = Case.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = _field(tuple(p for p in err["loc"] if p not in ("function-after",)), data)
            msg = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                msg = "unknown field (see docs/case-file.md or `plealever schema`)"
            elif err["type"] not in ("missing",) and "input" in err and not isinstance(err["input"], dict):
                msg += f" (got {err['input']!r})"
            problems.append(f"{loc}: {msg}" if loc else msg)
        first, rest = problems[0], problems[1:]
        more = f" (and {len(rest)} more: {'; '.join(rest)})" if rest else ""
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


def load_case(path: str | Path) -> Case:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CaseFileError("no such file", file=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CaseFileError(f"cannot read the file ({exc})", file=str(path)) from None
    try:
        if path.suffix.lower() == ".json":
            data = json.loads(text)
        else:
            data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise CaseFileError(
            f"not valid {'JSON' if path.suffix == '.json' else 'YAML'}: {' '.join(str(exc).split())}",
            file=str(path),
        ) from None
    return parse_case(data, source=str(path))
