"""The case editor's fields, generated from the case model, and the form <-> case-file mapping."""

from __future__ import annotations

import datetime as dt
import types
import typing
from dataclasses import dataclass
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from plealever.case.evidence import Court, Deadlines, Prosecutor
from plealever.case.model import Case, CriminalHistory, Facts
from plealever.case.model_base import FIELD_ERRORS


@dataclass
class Field:
    name: str  # dotted path in the case file, e.g. facts.image_count
    label: str
    kind: str  # text | number | date | select | bool | yaml
    options: list[str]
    help: str
    value: str = ""
    error: str = ""

    @property
    def dom_id(self) -> str:
        return "f-" + self.name.replace(".", "-")


# Lists and nested records are edited as YAML, validated live like every other field.
YAML_FIELDS = [
    ("counts", "Counts of conviction"),
    ("findings", "Findings (pins)"),
    ("not_applicable", "Not applicable (pins)"),
    ("criminal_history.records", "Prior records"),
    ("mitigation", "Mitigation evidence"),
    ("prosecutor.office_rules", "Office rules"),
    ("prosecutor.public_safety", "Public-safety concerns"),
    ("scenarios", "Scenarios of your own"),
    ("outcome_parameters", "Outcome model overrides"),
]
SCALAR_SECTIONS: list[tuple[str, str, type[BaseModel], tuple[str, ...]]] = [
    ("Case", "", Case, ("name", "manual", "offense_date", "sentencing_date", "acceptance")),
    ("Facts", "facts", Facts, ()),
    (
        "Criminal history",
        "criminal_history",
        CriminalHistory,
        ("category", "points", "instant_offense_commenced", "under_sentence"),
    ),
    (
        "Prosecutor",
        "prosecutor",
        Prosecutor,
        ("policy_era", "evidence_strength", "supervisory_approval_obtained"),
    ),
    ("Court", "court", Court, ()),
    ("Deadlines", "deadlines", Deadlines, ()),
]


def _unwrap(annotation) -> tuple[str, list[str]]:
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType) and args:
        return _unwrap(args[0])
    if origin is typing.Literal:
        return "select", [str(a) for a in typing.get_args(annotation)]
    if annotation is bool:
        return "bool", ["true", "false"]
    if annotation in (int, float):
        return "number", []
    if annotation is dt.date:
        return "date", []
    return "text", []


def fields(data: dict[str, Any]) -> list[tuple[str, list[Field]]]:
    sections = []
    for title, prefix, model, only in SCALAR_SECTIONS:
        out = []
        for name, info in model.model_fields.items():
            if only and name not in only:
                continue
            kind, options = _unwrap(info.annotation)
            if kind == "text" and typing.get_origin(info.annotation) in (list, dict):
                continue
            path = f"{prefix}.{name}" if prefix else name
            out.append(
                Field(
                    path,
                    name.replace("_", " "),
                    kind,
                    options,
                    info.description or "",
                    _display(_get(data, path)),
                )
            )
        sections.append((title, out))
    lists = [Field(path, label, "yaml", [], "", _yaml(_get(data, path))) for path, label in YAML_FIELDS]
    sections.append(("Lists and records (YAML)", lists))
    return sections


def _get(data: dict[str, Any], path: str) -> Any:
    node: Any = data
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _display(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _yaml(value: Any) -> str:
    if value in (None, [], {}):
        return ""
    return yaml.safe_dump(value, sort_keys=False, allow_unicode=True, default_flow_style=False)


def from_form(form: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The case file the form describes, and any field whose text could not even be parsed."""
    from plealever.case.boundary import read_text
    from plealever.errors import PlealeverError, quote

    data: dict[str, Any] = {}
    errors: dict[str, str] = {}
    kinds = {f.name: f.kind for _, fs in fields({}) for f in fs}
    for name, kind in kinds.items():
        raw = (form.get(name) or "").strip()
        if not raw:
            continue
        if kind == "yaml":
            try:
                value = read_text(raw, fmt="yaml", source=name)
            except PlealeverError as exc:
                errors[name] = exc.one_line()
                continue
        elif kind == "bool":
            value = raw == "true"
        elif kind == "number":
            try:
                if len(raw) > 40:
                    raise ValueError(raw)
                value = int(raw) if raw.lstrip("-").isdigit() else float(raw)
            except ValueError:
                errors[name] = f"expected a number, got {quote(raw)}"
                continue
        else:
            value = raw
        node = data
        parts = name.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return data, errors


def field_errors(data: dict[str, Any]) -> dict[str, str]:
    """Validation messages keyed by editor field, from the case model."""
    known = {f.name for _, fs in fields({}) for f in fs}
    try:
        Case.model_validate(data)
    except ValidationError as exc:
        out: dict[str, str] = {}
        for err in exc.errors():
            loc = [str(p) for p in err["loc"] if not isinstance(p, int)]
            if err["type"] in FIELD_ERRORS:
                loc.append(err["ctx"]["field"])
            target = next(
                (".".join(loc[:i]) for i in range(len(loc), 0, -1) if ".".join(loc[:i]) in known), ""
            )
            msg = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                msg = f"unknown field {loc[-1]!r}"
            elif err["type"] == "missing":
                msg = f"{loc[-1]} is required"
            detail = ".".join(str(p) for p in err["loc"])
            text = f"{detail}: {msg}" if (not target or target in dict(YAML_FIELDS)) else msg
            out.setdefault(target, text)  # "" collects errors no single field owns
        return out
    return {}


def for_display(data: dict[str, Any]) -> dict[str, Any]:
    """The stored case as the model reads it (1 and "yes" become true), for filling the editor."""
    try:
        shown = Case.model_validate(data).model_dump(mode="json", exclude_unset=True)
    except ValidationError:
        return data
    return shown


def apply_form(stored: dict[str, Any], form: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The stored case with the editor's fields applied: a field set replaces, a field cleared
    removes, and everything the editor does not show is kept as it was."""
    import copy

    edited, errors = from_form(form)
    data = copy.deepcopy(stored)
    for name in (f.name for _, fs in fields({}) for f in fs):
        if name not in form:
            continue  # not part of this submission: leave it alone
        parts = name.split(".")
        value = _get(edited, name)
        node = data
        for part in parts[:-1]:
            if not isinstance(node.get(part), dict):
                node[part] = {}
            node = node[part]
        if value is None:
            node.pop(parts[-1], None)
        else:
            node[parts[-1]] = value
    for key in [k for k, v in data.items() if isinstance(v, dict) and not v and k != "facts"]:
        del data[key]
    return data, errors
