"""The case editor, generated from the case model.

Every field of the case file becomes a control: text, number and date inputs, selects, check-box
groups, one-per-line lists, nested fieldsets and lists of rows (counts, prior records, evidence items
of each kind, scenarios, offers) that can be added and removed. Labels and help come from the field
names and descriptions; validation messages are the model's, in plain words, at the field they concern.

A form is carried as its raw text (name -> values) so that whatever the user typed is shown back
exactly, even when it does not parse yet. Names are dotted paths with row numbers:
``criminal_history.records.0.sentence_date``. Hidden markers make empty structures explicit:
``P.__list`` says the list P is on the form (so no rows means "cleared"), ``P.i.__row`` keeps a row
whose fields are all empty, ``P.__mode=yaml`` with ``P.__yaml`` edits a list as YAML (the advanced view).
"""

from __future__ import annotations

import copy
import datetime as dt
import inspect
import re
import types
import typing
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import PydanticUndefined

from plealever.case.model import Case
from plealever.case.model_base import FIELD_ERRORS

RawForm = dict[str, list[str]]
_MISSING = object()

# Field names that read badly when the underscores are simply replaced.
LABELS = {
    "manual": "Manual edition",
    "offense_date": "Offense date",
    "sentencing_date": "Sentencing date",
    "not_applicable": "Not applicable (pins)",
    "findings": "Findings (pins)",
    "receipt_only_no_intent_to_distribute": "Receipt only, no intent to distribute",
    "policy_disagreement_2G2_2": "Policy disagreement with §2G2.2",
    "rule_12_2_notice": "Rule 12.2 notice",
    "psr_interview": "PSR interview",
    "outcome_parameters": "Outcome model overrides",
    "prior_sex_offense_conviction": "Prior sex-offense conviction",
    "pattern_of_prohibited_sexual_conduct": "Pattern of prohibited sexual conduct",
    "sex_offense_against_minor": "Sex offense against a minor (§2426(b))",
    "statutory_sex_offense_prior": "Statutory recidivist prior",
    "policy_era": "Charging-policy era",
    "5K1.1": "§5K1.1",
    "id": "Identifier",
    "kind": "Kind",
    "count": "Number of counts",
    "minor": "Minor (label)",
    "agreed_range": "Agreed range or cap",
    "plea_type": "Plea type",
    "facts": "Facts",
    "criminal_history": "Criminal history",
    "records": "Prior records",
    "mitigation": "Mitigation evidence",
    "scenarios": "Scenarios of your own",
    "counts": "Counts of conviction",
}
# Enumeration values, shown as words.
OPTIONS = {
    "two_level": "two levels (§3E1.1(a))",
    "three_level": "three levels (§3E1.1(a) and (b))",
    "in_hand": "in hand",
    "A": "Rule 11(c)(1)(A)",
    "B": "Rule 11(c)(1)(B)",
    "C": "Rule 11(c)(1)(C)",
    "5K1.1": "§5K1.1 motion",
    "3553(e)": "18 U.S.C. § 3553(e) motion",
    "DC": "D.C. Circuit",
    "ashcroft_2003": "Ashcroft (2003)",
    "holder_2010": "Holder (2010)",
    "sessions_2017": "Sessions (2017)",
    "garland_2022": "Garland (2022)",
    "bondi_2025": "Bondi (2025)",
    "low_end": "low end of the range",
}
ROW_NAMES = {
    "counts": "Count",
    "records": "Prior record",
    "mitigation": "Evidence item",
    "scenarios": "Scenario",
    "offers": "Offer",
}
# Scalar fields of the case itself, shown together in the first section.
CASE_SECTION = "Case"


def _words(name: str) -> str:
    if name in LABELS:
        return LABELS[name]
    text = name.replace("_", " ")
    return text[:1].upper() + text[1:]


def option_label(value: str) -> str:
    if value in OPTIONS:
        return OPTIONS[value]
    if value in ("1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"):
        return f"{value}{_ordinal(int(value))} Circuit"
    return value.replace("_", " ")


def _ordinal(n: int) -> str:
    return "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


# --- the specification, from the model --------------------------------------------------------------


@dataclass
class Spec:
    name: str
    kind: str  # text | number | date | select | bool | lines | checks | yaml | group | list
    label: str
    help: str = ""
    required: bool = False
    integer: bool = False
    options: tuple[str, ...] = ()
    default: Any = None
    minimum: float | None = None
    maximum: float | None = None
    maxlength: int | None = None
    min_rows: int = 0
    children: list[Spec] = field(default_factory=list)  # group; or the rows' fields of a plain list
    union: dict[str, list[Spec]] | None = None  # a tagged list: kind -> that kind's fields
    row_name: str = ""


def _strip_optional(annotation) -> tuple[Any, bool]:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(annotation)
        rest = [a for a in args if a is not type(None)]
        if len(rest) < len(args) and len(rest) == 1:
            return rest[0], True
    return annotation, False


def _is_model(tp) -> bool:
    return inspect.isclass(tp) and issubclass(tp, BaseModel)


def _union_models(tp) -> list[type[BaseModel]] | None:
    if typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = typing.get_args(tp)
        if args and all(_is_model(a) and "kind" in a.model_fields for a in args):
            return list(args)
    return None


def _constraints(info) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for m in info.metadata:
        for attr, key in (("ge", "minimum"), ("le", "maximum"), ("max_length", "maxlength")):
            if getattr(m, attr, None) is not None:
                out[key] = getattr(m, attr)
        if getattr(m, "min_length", None) is not None:
            out["min_rows"] = m.min_length
    return out


def _spec(name: str, info) -> Spec:
    ann, optional = _strip_optional(info.annotation)
    required = info.is_required()
    default = None if info.default is PydanticUndefined else info.default
    help_text = " ".join((info.description or "").split())
    if help_text.rstrip(".").lower() == _words(name).lower():
        help_text = ""  # "Counts of conviction." under "Counts of conviction" says nothing
    common = dict(
        name=name,
        label=_words(name),
        help=help_text,
        required=required,
        default=default,
        **_constraints(info),
    )
    origin = typing.get_origin(ann)
    if origin is typing.Literal:
        return Spec(kind="select", options=tuple(str(a) for a in typing.get_args(ann)), **common)
    if ann is bool:
        return Spec(kind="bool", options=("true", "false"), **common)
    if ann is int:
        return Spec(kind="number", integer=True, **common)
    if ann is float:
        return Spec(kind="number", **common)
    if ann is dt.date:
        return Spec(kind="date", **common)
    if ann is str:
        return Spec(kind="text", **common)
    if origin is list:
        (item,) = typing.get_args(ann)
        if item is str:
            return Spec(kind="lines", **common)
        if typing.get_origin(item) is typing.Literal:
            return Spec(kind="checks", options=tuple(str(a) for a in typing.get_args(item)), **common)
        row_name = ROW_NAMES.get(name, _words(name).removesuffix("s"))
        models = _union_models(item)
        if models is not None:
            union: dict[str, list[Spec]] = {}
            for m in models:
                fields_ = [s for s in model_specs(m) if s.name != "kind"]
                for tag in typing.get_args(m.model_fields["kind"].annotation):
                    union[str(tag)] = fields_
            return Spec(kind="list", union=union, row_name=row_name, **common)
        if _is_model(item):
            return Spec(kind="list", children=model_specs(item), row_name=row_name, **common)
    if _is_model(ann):
        spec = Spec(kind="group", children=model_specs(ann), **common)
        spec.required = required and not optional
        return spec
    # dict[str, Any] and anything else the form cannot structure: YAML text, validated like the rest.
    return Spec(kind="yaml", **common)


@cache
def model_specs(model: type[BaseModel]) -> list[Spec]:
    return [_spec(name, info) for name, info in model.model_fields.items()]


@cache
def case_specs() -> list[Spec]:
    """The case's fields as the editor shows them: scalars first, in a "Case" section."""
    specs = model_specs(Case)
    scalars = [s for s in specs if s.kind in ("text", "number", "date", "select", "bool")]
    rest = [s for s in specs if s not in scalars]
    return [Spec(name="", kind="group", label=CASE_SECTION, children=scalars), *rest]


def _join(prefix: str, name: str) -> str:
    if not name:
        return prefix
    return f"{prefix}.{name}" if prefix else name


# --- stored case -> raw form ------------------------------------------------------------------------


def to_raw(data: dict[str, Any]) -> RawForm:
    """The raw form that shows a stored case (read through the model, so 1 and "yes" show as Yes)."""
    shown = for_display(data)
    raw: RawForm = {"__form": ["case"]}
    _fill(raw, case_specs(), shown, "")
    return raw


def for_display(data: dict[str, Any]) -> dict[str, Any]:
    try:
        return Case.model_validate(data).model_dump(mode="json", exclude_unset=True)
    except ValidationError:
        return data


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _fill(raw: RawForm, specs: list[Spec], data: Any, prefix: str) -> None:
    data = data if isinstance(data, dict) else {}
    for s in specs:
        path = _join(prefix, s.name)
        value = data if s.name == "" else data.get(s.name, _MISSING)
        if s.kind == "group":
            _fill(raw, s.children, value if value is not _MISSING else {}, path)
        elif s.kind == "list":
            raw[f"{path}.__list"] = [""]
            rows = value if isinstance(value, list) else []
            for i, row in enumerate(rows):
                rp = f"{path}.{i}"
                raw[f"{rp}.__row"] = [""]
                row = row if isinstance(row, dict) else {}
                if s.union is not None:
                    kind = str(row.get("kind", ""))
                    raw[f"{rp}.kind"] = [kind]
                    _fill(raw, s.union.get(kind, []), row, rp)
                else:
                    _fill(raw, s.children, row, rp)
        elif value is _MISSING or value is None:
            if s.kind == "checks":
                raw[f"{path}.__list"] = [""]
            continue
        elif s.kind == "checks":
            raw[f"{path}.__list"] = [""]
            raw[path] = [str(v) for v in value]
        elif s.kind == "lines":
            raw[path] = ["\n".join(str(v) for v in value)]
        elif s.kind == "yaml":
            raw[path] = [dump_yaml(value) if value not in ({}, []) else ""]
        elif s.kind == "bool":
            raw[path] = [_bool_text(value)]
        else:
            raw[path] = [_text(value)]


def _bool_text(value: Any) -> str:
    """A YAML boolean as the form's choice; anything else is shown as typed (and flagged invalid)."""
    from pydantic import TypeAdapter

    try:
        return "true" if TypeAdapter(bool).validate_python(value) else "false"
    except ValidationError:
        return str(value)


def dump_yaml(value: Any) -> str:
    return yaml.safe_dump(value, sort_keys=False, allow_unicode=True, default_flow_style=False)


# --- raw form -> case file --------------------------------------------------------------------------


def _one(raw: RawForm, key: str) -> str | None:
    values = raw.get(key)
    return values[-1] if values else None


def _rows(raw: RawForm, path: str) -> list[int]:
    pattern = re.compile(re.escape(path) + r"\.(\d+)\.")
    found = {int(m.group(1)) for k in raw if (m := pattern.match(k))}
    return sorted(i for i in found if i < 10_000)


def from_form(raw: RawForm, bad: set[str] | frozenset[str] = frozenset()) -> tuple[dict[str, Any], dict[str, str]]:
    """The case file the form describes, and the fields whose text could not be read at all.

    `bad` names the inputs the browser itself could not parse (an impossible date, letters in a number
    box): their value arrives empty, so without this they would silently become "not given"."""
    errors: dict[str, str] = {}
    data = _parse_group(raw, case_specs(), "", bad, errors)
    return data, errors


def _parse_group(raw, specs, prefix, bad, errors) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for s in specs:
        path = _join(prefix, s.name)
        if s.name == "":
            out.update(_parse_group(raw, s.children, path, bad, errors))
            continue
        value = _parse(raw, s, path, bad, errors)
        if value is not _MISSING:
            out[s.name] = value
    return out


def _parse(raw: RawForm, s: Spec, path: str, bad, errors) -> Any:
    if path in bad:
        errors[path] = "is not a real date (use the date picker or YYYY-MM-DD)" if s.kind == "date" else (
            "is not a number"
        )
        return _MISSING
    if s.kind == "group":
        value = _parse_group(raw, s.children, path, bad, errors)
        # A required record left empty goes to the model as {}, so its own check explains what it needs.
        return value if value or s.required else _MISSING
    if s.kind == "list":
        if _one(raw, f"{path}.__mode") == "yaml":
            text = (_one(raw, f"{path}.__yaml") or "").strip()
            if not text:
                return _MISSING
            value = _load_yaml(text, path, errors)
            if value is not _MISSING and not isinstance(value, list):
                errors[path] = "the YAML must be a list (each item starting with '- ')"
                return _MISSING
            return value
        rows = []
        for i in _rows(raw, path):
            rp = f"{path}.{i}"
            if s.union is not None:
                kind = (_one(raw, f"{rp}.kind") or "").strip()
                row = {"kind": kind} if kind else {}
                row.update(_parse_group(raw, s.union.get(kind, []), rp, bad, errors))
            else:
                row = _parse_group(raw, s.children, rp, bad, errors)
            rows.append(row)
        return rows if rows else _MISSING
    if s.kind == "checks":
        chosen = [v for v in raw.get(path, []) if v]
        return chosen if chosen else _MISSING
    text = (_one(raw, path) or "").strip()
    if not text:
        return _MISSING
    if s.kind == "lines":
        return [line.strip() for line in text.splitlines() if line.strip()]
    if s.kind == "yaml":
        return _load_yaml(text, path, errors)
    if s.kind == "bool":
        if text not in ("true", "false"):
            errors[path] = "choose yes or no"
            return _MISSING
        return text == "true"
    if s.kind == "number":
        try:
            if re.fullmatch(r"-?[0-9]+", text, flags=re.ASCII):
                return int(text)
            number = float(text)
        except ValueError:
            errors[path] = "is not a number"
            return _MISSING
        if s.integer:
            if not number.is_integer():
                errors[path] = "must be a whole number"
                return _MISSING
            return int(number)
        return number
    return text  # text, select, date: the model checks them


def _load_yaml(text: str, path: str, errors: dict[str, str]) -> Any:
    """A YAML field's value through the case-file boundary (the same rules as a case file)."""
    from plealever.case.boundary import read_text
    from plealever.errors import PlealeverError

    try:
        return read_text(text, fmt="yaml", source=path)
    except PlealeverError as exc:
        # "is not valid YAML (line 2): ..." as the field's other messages read; a refused value names
        # where it is inside the field's YAML.
        message = exc.message.removeprefix("not valid YAML: ")
        if message != exc.message:
            where = f" ({exc.field})" if exc.field else ""
            errors[path] = f"is not valid YAML{where}: {message}"
        else:
            errors[path] = f"{exc.field}: {message}" if exc.field else message
        return _MISSING


# --- validation messages, at their field, in plain words ------------------------------------------


def targets(raw: RawForm) -> set[str]:
    """Every path on this form that has its own error region."""
    out = {""}
    _targets(raw, case_specs(), "", out)
    return out


def _targets(raw, specs, prefix, out) -> None:
    for s in specs:
        path = _join(prefix, s.name)
        if s.name:
            out.add(path)
        if s.kind == "group":
            _targets(raw, s.children, path, out)
        elif s.kind == "list" and _one(raw, f"{path}.__mode") != "yaml":
            for i in _rows(raw, path):
                rp = f"{path}.{i}"
                out.add(rp)
                if s.union is not None:
                    out.add(f"{rp}.kind")
                    _targets(raw, s.union.get((_one(raw, f"{rp}.kind") or "").strip(), []), rp, out)
                else:
                    _targets(raw, s.children, rp, out)


def plain(err: dict[str, Any]) -> str:
    """The model's message for one error, in words a lawyer reads without knowing pydantic."""
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind == "missing":
        return "is required"
    if kind in ("greater_than_equal", "greater_than"):
        return f"must be {ctx.get('ge', ctx.get('gt'))} or more"
    if kind in ("less_than_equal", "less_than"):
        return f"must be {ctx.get('le', ctx.get('lt'))} or less"
    if kind in ("int_parsing", "int_from_float", "int_type"):
        return "must be a whole number"
    if kind in ("float_parsing", "float_type", "finite_number"):
        return "must be a number"
    if kind.startswith("date") or kind.startswith("datetime"):
        return "is not a real date (use the date picker or YYYY-MM-DD)"
    if kind in ("bool_parsing", "bool_type"):
        return "choose yes or no"
    if kind == "literal_error":
        return "choose one of the listed options"
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        return "choose the kind of item"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_too_long":
        return f"must be at most {ctx.get('max_length')} characters"
    if kind == "string_pattern_mismatch":
        return "contains characters that are not allowed here"
    if kind == "too_short":
        n = ctx.get("min_length", 1)
        return f"needs at least {n} {'entry' if n == 1 else 'entries'}"
    if kind == "too_long":
        return f"has more than {ctx.get('max_length')} entries"
    if kind == "extra_forbidden":
        return "is not a field of this kind of item"
    if kind in ("list_type", "dict_type", "model_type", "model_attributes_type"):
        return "has the wrong shape (a list or a record was expected)"
    msg = err["msg"].removeprefix("Value error, ")
    return msg


def _loc_path(loc: tuple[Any, ...], data: Any) -> list[str]:
    """pydantic's location as form path parts, dropping the tag it adds inside tagged unions."""
    parts: list[str] = []
    node = data
    for part in loc:
        if isinstance(node, dict) and isinstance(part, str) and part not in node and node.get("kind") == part:
            continue
        parts.append(str(part))
        if isinstance(part, int):
            node = node[part] if isinstance(node, list) and part < len(node) else None
        else:
            node = node.get(part) if isinstance(node, dict) else None
    return parts


def place(path_parts: list[str], message: str, known: set[str]) -> tuple[str, str]:
    """The nearest field on the form for an error, and the message to show there."""
    for i in range(len(path_parts), 0, -1):
        target = ".".join(path_parts[:i])
        if target in known:
            # A record's own check names its field first ("sentence_date is required ..."): put it there.
            # A record's own check names its field: first ("sentence_date is required ..."), or as an
            # identifier in the sentence ("... needs agreed_range"). Put the message there.
            first = re.match(r"([a-z][a-z0-9_]*)\b", message)
            named = [first.group(1)] if first else []
            named += re.findall(r"\b([a-z]+(?:_[a-z0-9]+)+)\b", message)
            for word in named:
                if f"{target}.{word}" in known:
                    return f"{target}.{word}", _humanize(message)
            rest = ".".join(path_parts[i:])
            return target, _humanize(message if not rest or i == len(path_parts) else f"{rest}: {message}")
    first = re.match(r"([a-z][a-z0-9_]*)\b", message)
    if first and first.group(1) in known:
        return first.group(1), _humanize(message)
    return "", _humanize(message)


def _humanize(message: str) -> str:
    return re.sub(r"\b([a-z]+(?:_[a-z0-9]+)+)\b", lambda m: m.group(1).replace("_", " "), message)


def field_errors(data: dict[str, Any], raw: RawForm | None = None) -> dict[str, str]:
    """Validation messages keyed by form path ("" collects the ones no single field owns)."""
    known = targets(raw if raw is not None else to_raw(data))
    try:
        Case.model_validate(data)
    except ValidationError as exc:
        out: dict[str, str] = {}
        for err in exc.errors():
            parts = _loc_path(tuple(err["loc"]), data)
            if err["type"] in FIELD_ERRORS:  # a model-level check that names its field in ctx
                parts.append(err["ctx"]["field"])
            target, msg = place(parts, plain(err), known)
            out.setdefault(target, msg)
        return out
    from plealever.case.load import parse_case
    from plealever.errors import PlealeverError

    try:
        parse_case(data, source="editor")
    except PlealeverError as exc:  # checks beyond the model: outcome parameters, dates in the future
        return {error_target(exc.field, known): _humanize(exc.message)}
    return {}


def error_target(field_name: str | None, known: set[str]) -> str:
    """A calculation error's field ("counts[0].statute") as a form path."""
    if not field_name:
        return ""
    parts = re.sub(r"\[(\d+)\]", r".\1", field_name).split(".")
    for i in range(len(parts), 0, -1):
        if ".".join(parts[:i]) in known:
            return ".".join(parts[:i])
    return ""


# --- applying a form to the stored case -------------------------------------------------------------


def _present(raw: RawForm, path: str) -> bool:
    return path in raw or any(k.startswith(path + ".") for k in raw)


def apply_form(stored: dict[str, Any], raw: RawForm, bad=frozenset()) -> tuple[dict[str, Any], dict[str, str]]:
    """The stored case with the form applied. A field on the form replaces the stored one (an emptied
    field removes it: that is clearing on purpose); a field the form does not carry is kept as it was;
    a value the form shows unchanged keeps its stored spelling (``1`` stays ``1``, not ``true``)."""
    edited, errors = from_form(raw, bad)
    data = _apply(copy.deepcopy(stored), edited, raw, case_specs(), "")
    return keep_unchanged(stored, data), errors


def _apply(data: dict[str, Any], edited: dict[str, Any], raw: RawForm, specs, prefix) -> dict[str, Any]:
    for s in specs:
        if s.name == "":
            _apply(data, edited, raw, s.children, prefix)
            continue
        path = _join(prefix, s.name)
        if not _present(raw, path):
            continue  # not part of this submission: leave it alone
        if s.kind == "group" and isinstance(data.get(s.name), dict):
            inner = _apply(data[s.name], edited.get(s.name) or {}, raw, s.children, path)
            if inner or s.required:
                data[s.name] = inner
            else:
                data.pop(s.name, None)
        elif s.name in edited:
            data[s.name] = edited[s.name]
        else:
            data.pop(s.name, None)
    return data


def keep_unchanged(stored: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """Where the new case means the same as the stored one, keep the stored spelling."""
    try:
        old = Case.model_validate(stored).model_dump(mode="json")
        new = Case.model_validate(data).model_dump(mode="json")
    except ValidationError:
        return data
    return _keep(stored, data, old, new)


def _keep(stored: Any, data: Any, old: Any, new: Any) -> Any:
    if old == new and stored is not _MISSING:
        return stored
    if isinstance(stored, dict) and isinstance(data, dict):
        old = old if isinstance(old, dict) else {}
        new = new if isinstance(new, dict) else {}
        out = {}
        for k, v in data.items():
            out[k] = _keep(stored.get(k, _MISSING), v, old.get(k, _MISSING), new.get(k, _MISSING))
        return out
    lists = all(isinstance(x, list) for x in (stored, data, old, new))
    if lists and len(stored) == len(data) == len(old) == len(new):
        return [_keep(a, b, c, d) for a, b, c, d in zip(stored, data, old, new, strict=True)]
    return data


# --- structural edits (add, remove, kind, YAML view) ------------------------------------------------


def find_spec(path: str) -> Spec | None:
    """The spec of a list at `path` (rows numbered), e.g. scenarios.0.counts."""
    specs = case_specs()
    spec: Spec | None = None
    parts = path.split(".")
    i = 0
    while i < len(parts):
        part = parts[i]
        pool = [c for s in specs if s.name == "" for c in s.children] + [s for s in specs if s.name]
        spec = next((s for s in pool if s.name == part), None)
        if spec is None:
            return None
        i += 1
        if spec.kind == "group":
            specs = spec.children
        elif spec.kind == "list":
            if i < len(parts) and parts[i].isdigit():
                if spec.union is not None:
                    return None  # rows of a tagged list: no nested lists in evidence items
                specs = spec.children
                i += 1
            elif i < len(parts):
                return None
        elif i < len(parts):
            return None
    return spec


def edit(raw: RawForm, op: str, target: str) -> tuple[RawForm, str]:
    """Apply a structural edit to the raw form; returns the form and the id of the field to focus."""
    raw = {k: list(v) for k, v in raw.items()}
    if op == "add":
        rows = _rows(raw, target)
        i = rows[-1] + 1 if rows else 0
        raw[f"{target}.__list"] = [""]
        raw[f"{target}.{i}.__row"] = [""]
        spec = find_spec(target)
        first = "kind" if spec is not None and spec.union is not None else (
            spec.children[0].name if spec is not None and spec.children else ""
        )
        return raw, dom_id(f"{target}.{i}.{first}") if first else ""
    if op == "remove":
        list_path, _, index = target.rpartition(".")
        if not index.isdigit():
            return raw, ""
        prefix = f"{target}."
        out: RawForm = {}
        pattern = re.compile(re.escape(list_path) + r"\.(\d+)\.(.*)", re.S)
        for k, v in raw.items():
            if k.startswith(prefix):
                continue
            m = pattern.fullmatch(k)
            if m and int(m.group(1)) > int(index):
                out[f"{list_path}.{int(m.group(1)) - 1}.{m.group(2)}"] = v
            else:
                out[k] = v
        out[f"{list_path}.__list"] = [""]
        return out, dom_id(f"{list_path}") + "-add"
    if op == "yaml":
        spec = find_spec(target)
        if spec is None:
            return raw, ""
        errors: dict[str, str] = {}
        value = _parse(raw, spec, target, frozenset(), errors)
        text = "" if value is _MISSING else dump_yaml(value)
        out = {k: v for k, v in raw.items() if not k.startswith(target + ".")}
        out[f"{target}.__list"] = [""]
        out[f"{target}.__mode"] = ["yaml"]
        out[f"{target}.__yaml"] = [text]
        return out, dom_id(target) + "-yaml"
    if op == "form":
        spec = find_spec(target)
        if spec is None:
            return raw, ""
        errors = {}
        value = _parse(raw, spec, target, frozenset(), errors)
        if errors:
            return raw, dom_id(target) + "-yaml"  # stay in the YAML view; the message shows at the list
        out = {k: v for k, v in raw.items() if not k.startswith(target + ".")}
        rows: RawForm = {}
        _fill(rows, [spec], {spec.name: value} if value is not _MISSING else {}, target.rpartition(".")[0])
        out.update(rows)
        out[f"{target}.__list"] = [""]
        return out, dom_id(target) + "-add"
    return raw, ""


def yaml_error(raw: RawForm, target: str) -> str:
    spec = find_spec(target)
    if spec is None:
        return ""
    errors: dict[str, str] = {}
    _parse(raw, spec, target, frozenset(), errors)
    return errors.get(target, "")


# --- what the template renders ----------------------------------------------------------------------


def dom_id(path: str) -> str:
    return "f-" + path.replace(".", "-") if path else "f-form"


@dataclass
class Node:
    spec: Spec
    path: str
    value: str = ""
    values: list[str] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)
    rows: list[Node] = field(default_factory=list)
    mode: str = "form"
    yaml_text: str = ""
    kind_value: str = ""  # the row's kind, for rows of a tagged list
    row_label: str = ""

    @property
    def id(self) -> str:
        return dom_id(self.path)

    @property
    def kind(self) -> str:
        return self.spec.kind

    @property
    def label(self) -> str:
        return self.spec.label

    @property
    def options(self) -> list[tuple[str, str]]:
        if self.spec.kind == "bool":
            return [("true", "Yes"), ("false", "No")]
        return [(o, option_label(o)) for o in self.spec.options]

    @property
    def blank(self) -> str:
        """What the empty choice means."""
        d = self.spec.default
        if d is None or d == [] or d == {}:
            return "not given" if not self.spec.required else "choose one"
        if isinstance(d, bool):
            return f"not given — default: {'Yes' if d else 'No'}"
        return f"not given — default: {option_label(str(d))}"

    @property
    def placeholder(self) -> str:
        d = self.spec.default
        if self.spec.kind == "number" and isinstance(d, int | float) and not isinstance(d, bool):
            return f"default {_text(d)}"
        return ""

    @property
    def kind_options(self) -> list[tuple[str, str]]:
        return [(k, option_label(k)) for k in (self.spec.union or {})]


def nodes(raw: RawForm) -> list[Node]:
    return [_node(raw, s, _join("", s.name)) for s in case_specs()]


def _node(raw: RawForm, s: Spec, path: str) -> Node:
    n = Node(s, path)
    if s.kind == "group":
        n.children = [_node(raw, c, _join(path, c.name)) for c in s.children]
    elif s.kind == "list":
        if _one(raw, f"{path}.__mode") == "yaml":
            n.mode = "yaml"
            n.yaml_text = _one(raw, f"{path}.__yaml") or ""
        else:
            for number, i in enumerate(_rows(raw, path), 1):
                rp = f"{path}.{i}"
                row = Node(Spec(name=str(i), kind="group", label=f"{s.row_name} {number}"), rp)
                if s.union is not None:
                    row.kind_value = (_one(raw, f"{rp}.kind") or "").strip()
                    row.children = [_node(raw, c, _join(rp, c.name)) for c in s.union.get(row.kind_value, [])]
                else:
                    row.children = [_node(raw, c, _join(rp, c.name)) for c in s.children]
                label = _one(raw, f"{rp}.label") or _one(raw, f"{rp}.statute") or ""
                row.row_label = f"{s.row_name} {number}" + (f": {label.strip()}" if label.strip() else "")
                n.rows.append(row)
    elif s.kind == "checks":
        n.values = [v for v in raw.get(path, []) if v]
    else:
        n.value = _one(raw, path) or ""
    return n


def find_node(roots: list[Node], path: str) -> Node | None:
    stack = list(roots)
    while stack:
        n = stack.pop()
        if n.path == path:
            return n
        stack.extend(n.children)
        stack.extend(n.rows)
    return None


def raw_from_multi(items: typing.Iterable[tuple[str, Any]]) -> tuple[RawForm, set[str]]:
    """Starlette's form items as a raw form, and the names the browser flagged as unreadable."""
    raw: RawForm = {}
    bad: set[str] = set()
    for key, value in items:
        if not isinstance(value, str):
            continue
        if key == "__bad":
            bad.update(v for v in value.split(",") if v)
            continue
        raw.setdefault(key, []).append(value)
    return raw, bad
