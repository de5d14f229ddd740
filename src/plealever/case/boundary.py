"""The one gate for untrusted case data: YAML and JSON text (case files, Import) and already-parsed
data (the JSON API, the web form) become plain Python values here, or a one-line InputRefusedError.

Nothing reaches the case model that breaks a structural rule: no duplicate key, no YAML tag beyond
the core types, no YAML 1.1 number form that other readers would read differently, no alias beyond a
small budget, no nesting, document, string or number past a fixed limit, no NaN or infinity, no lone
surrogate or NUL. Every check runs while the input is read, in one pass with no recursion, so a
hostile file costs time in proportion to its size and no message ever holds more than a short prefix
of what it quotes. Why PyYAML's event stream rather than a YAML 1.2 loader: docs/decisions/0012-hardening.md.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import math
import re
from typing import Any

import yaml

from plealever.errors import InputRefusedError, TooLargeError
from plealever.errors import quote as short

MAX_BYTES = 256 * 1024  # a real case file is a few kilobytes; the largest example is under 10
MAX_DEPTH = 24  # the case model nests 5 deep; outcome_parameters a few more
MAX_NODES = 20_000  # values of every kind, counting each alias expansion in full
MAX_ALIASES = 32  # YAML aliases (*name) in one document
MAX_STRING = 20_000  # characters in one text value (about eight pages)
MAX_KEY = 100  # characters in one key (field names are short)
MAX_DIGITS = 15  # integers and the integer part of numbers: below 10**15, exact as floats too
LIMIT = 10**MAX_DIGITS

_CORE = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {_CORE + t for t in ("str", "int", "float", "bool", "null", "map", "seq")}
# YAML 1.2 core schema (https://yaml.org/spec/1.2.2/#103-core-schema), decimal only.
_NULL = re.compile(r"~|null|Null|NULL|")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"[-+]?[0-9]+")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_SPECIAL_FLOAT = re.compile(r"[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)")
# Forms YAML 1.1 readers (PyYAML, many others) read as numbers that 1.2 reads otherwise, or the reverse.
_LEADING_ZERO = re.compile(r"[-+]?0[0-9]+")
_BASE_PREFIX = re.compile(r"[-+]?0[oxbOXB][0-9a-fA-F_]+")
_SEXAGESIMAL = re.compile(r"[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?")
_UNDERSCORE = re.compile(r"[-+]?[0-9][0-9_]*_[0-9_]*(\.[0-9_]*)?([eE][-+]?[0-9]+)?")
_BAD_CHAR = re.compile(r"[\ud800-\udfff\x00]")


def _prefix(number_text: str) -> str:
    return number_text if len(number_text) <= 20 else number_text[:20] + "..."


def path_text(path: tuple[Any, ...] | list[Any]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _refuse(message: str, source: str, path=(), line: int | None = None) -> InputRefusedError:
    where = path_text(path) or None
    if line is not None:
        where = f"{where} (line {line})" if where else f"line {line}"
    return InputRefusedError(message, file=source, field=where)


def _check_text(value: str, source: str, path, line=None, *, key: bool = False) -> str:
    limit = MAX_KEY if key else MAX_STRING
    if len(value) > limit:
        what = "a key" if key else "text"
        raise _refuse(
            f"{what} longer than the limit of {limit} characters: {short(value)}", source, path, line
        )
    bad = _BAD_CHAR.search(value)
    if bad:
        what = "a NUL character" if bad.group() == "\x00" else "a lone surrogate (invalid Unicode)"
        raise _refuse(f"text contains {what} at character {bad.start() + 1}", source, path, line)
    return value


def _check_number(value: int | float, source: str, path, line=None) -> int | float:
    if isinstance(value, float) and not math.isfinite(value):
        raise _refuse("numbers must be finite (no infinity or NaN)", source, path, line)
    if not -LIMIT < value < LIMIT:
        raise _refuse(f"number {short(value)} is beyond the limit of {MAX_DIGITS} digits", source, path, line)
    return value


def _too_large(source: str) -> TooLargeError:
    return TooLargeError(f"the document is larger than the limit of {MAX_BYTES // 1024} KiB", file=source)


def _check_size(text: str, source: str) -> None:
    if len(text) > MAX_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise _too_large(source)


def read_bytes(raw: bytes, *, fmt: str, source: str) -> Any:
    """Decode (UTF-8, an optional BOM) and read a case file's bytes."""
    if len(raw) > MAX_BYTES:
        raise _too_large(source)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _refuse(f"not UTF-8 text (byte {exc.start + 1} cannot be decoded)", source) from None
    return read_text(text, fmt=fmt, source=source)


def check_characters(text: str, *, source: str) -> None:
    """Refuse a document's text that holds a lone surrogate or a NUL character, naming the line."""
    bad = _BAD_CHAR.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        what = "a NUL character" if bad.group() == "\x00" else "a lone surrogate (invalid Unicode)"
        raise _refuse(f"the text contains {what}", source, line=line)


def read_text(text: str, *, fmt: str, source: str) -> Any:
    """The plain value (dicts, lists, str, int, float, bool, None) of a YAML or JSON document."""
    _check_size(text, source)
    check_characters(text, source=source)
    return _read_json(text, source) if fmt == "json" else _read_yaml(text, source)


# --- JSON -------------------------------------------------------------------------------------


class _Duplicate(InputRefusedError):
    """Raised inside json.loads; its lines are found afterwards (_duplicate_in_json)."""

    def __init__(self, key: str):
        super().__init__(f"duplicate key {short(key)}")
        self.key = key


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _Duplicate(key)
        out[key] = value
    return out


def _json_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise _NumberTooLong(text)
    return int(text)


def _json_float(text: str) -> float:
    if len(text) > 40:
        raise _NumberTooLong(text)
    return float(text)


class _NumberTooLong(InputRefusedError):
    def __init__(self, text: str):
        super().__init__(f"number {_prefix(text)} is beyond the limit of {MAX_DIGITS} digits")
        self.text = text


def _read_json(text: str, source: str) -> Any:
    try:
        data = json.loads(
            text,
            object_pairs_hook=_pairs,
            parse_int=_json_int,
            parse_float=_json_float,
            # NaN and Infinity are read as floats and refused by check_data, which knows their path.
        )
    except json.JSONDecodeError as exc:
        raise _refuse(f"not valid JSON: {exc.msg} (column {exc.colno})", source, line=exc.lineno) from None
    except RecursionError:
        raise _refuse(f"nesting deeper than the limit of {MAX_DEPTH} levels", source) from None
    except _NumberTooLong as exc:
        raise _refuse(
            f"number {_prefix(exc.text)} is beyond the limit of {MAX_DIGITS} digits",
            source,
            line=_line_of(text, exc.text),
        ) from None
    except _Duplicate as exc:
        raise _duplicate_in_json(text, exc.key, source) from None
    return check_data(data, source=source)


def _line_of(text: str, fragment: str) -> int | None:
    at = text.find(fragment)
    return None if at < 0 else text.count("\n", 0, at) + 1


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\],:]')


def _duplicate_in_json(text: str, key: str, source: str) -> InputRefusedError:
    """Name both lines of a duplicate key: a scan of the (valid) JSON text's strings and brackets."""
    frames: list[dict[str, Any]] = []  # each: {"keys": {key: line}, "path": [...], "index": n, "key": k}
    tokens = list(_JSON_TOKEN.finditer(text))
    for i, tok in enumerate(tokens):
        t = tok.group()
        if t in "{[":
            parent = frames[-1] if frames else None
            path = (
                []
                if parent is None
                else [*parent["path"], parent["key"] if parent["obj"] else parent["index"]]
            )
            frames.append({"obj": t == "{", "keys": {}, "path": path, "index": 0, "key": None})
        elif t in "}]":
            frames.pop()
        elif t == ",":
            if frames and not frames[-1]["obj"]:
                frames[-1]["index"] += 1
        elif (
            t.startswith('"')
            and frames
            and frames[-1]["obj"]
            and i + 1 < len(tokens)
            and tokens[i + 1].group() == ":"
        ):
            name = json.loads(t)
            line = text.count("\n", 0, tok.start()) + 1
            frame = frames[-1]
            frame["key"] = name
            if name == key and name in frame["keys"]:
                return _refuse(
                    f"duplicate key {short(key)} (lines {frame['keys'][name]} and {line}); keep one",
                    source,
                    frame["path"],
                )
            frame["keys"][name] = line
    return _refuse(f"duplicate key {short(key)}; keep one", source)


# --- YAML -------------------------------------------------------------------------------------


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Only the parser is used (its events): values are built and resolved here, not by PyYAML."""


def _scalar(event: yaml.ScalarEvent, source: str, path, line: int) -> Any:
    value, tag = event.value, event.tag
    plain = event.implicit[0] and not event.style  # libyaml says "", PyYAML None
    if tag is not None and tag != "!" and tag not in _ALLOWED_TAGS:
        raise _refuse(
            f"YAML tag {short(tag.removeprefix(_CORE))} is not allowed (only plain values); remove it or quote the value",
            source,
            path,
            line,
        )
    if tag == _CORE + "str" or (not plain and tag is None) or tag == "!":
        return _check_text(value, source, path, line)
    want = tag.removeprefix(_CORE) if tag else None
    if _NULL.fullmatch(value) and want in (None, "null"):
        return None
    if value in _BOOL and want in (None, "bool"):
        return _BOOL[value]
    if _INT.fullmatch(value) and want in (None, "int", "float"):
        if _LEADING_ZERO.fullmatch(value):
            raise _refuse(
                f"{short(value)} has a leading zero, which some YAML readers take as octal; "
                "write the number without it, or quote it as text",
                source,
                path,
                line,
            )
        if len(value.lstrip("+-")) > MAX_DIGITS:
            raise _refuse(
                f"number {_prefix(value)} is beyond the limit of {MAX_DIGITS} digits", source, path, line
            )
        number = int(value)
        return _check_number(float(number) if want == "float" else number, source, path, line)
    if (_FLOAT.fullmatch(value) or _SPECIAL_FLOAT.fullmatch(value)) and want in (None, "float"):
        if _SPECIAL_FLOAT.fullmatch(value):
            raise _refuse("numbers must be finite (no .inf or .nan)", source, path, line)
        if len(value) > 40:
            raise _refuse(
                f"number {_prefix(value)} is beyond the limit of {MAX_DIGITS} digits", source, path, line
            )
        return _check_number(float(value), source, path, line)
    if want not in (None, "str"):
        raise _refuse(f"{short(value)} is not a valid !!{want}", source, path, line)
    for form, what in (
        (_BASE_PREFIX, "a number in another base"),
        (_SEXAGESIMAL, "a base-60 number (YAML 1.1 reads 2:30 as 150)"),
        (_UNDERSCORE, "a number with underscores (YAML 1.1 reads 1_000 as 1000)"),
    ):
        if form.fullmatch(value):
            raise _refuse(
                f"{short(value)} looks like {what}, which YAML readers disagree on; "
                "write a plain decimal number, or quote it as text",
                source,
                path,
                line,
            )
    return _check_text(value, source, path, line)


def _yaml_error(exc: yaml.YAMLError, source: str) -> InputRefusedError:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).split("\n")[0]
    context = getattr(exc, "context", None)
    text = " ".join(f"{context + ': ' if context else ''}{problem}".split())[:200]
    if "nesting depth" in text:
        return _refuse(f"nesting deeper than the limit of {MAX_DEPTH} levels", source)
    if mark is None and isinstance(exc, yaml.reader.ReaderError):
        return _refuse(f"not valid YAML: {text}", source)
    line = mark.line + 1 if mark is not None else None
    col = f" (column {mark.column + 1})" if mark is not None else ""
    return _refuse(f"not valid YAML: {text}{col}", source, line=line)


def _read_yaml(text: str, source: str) -> Any:
    """Build values from the parser's events, checking every rule as each event arrives."""
    stack: list[dict[str, Any]] = []  # open collections: value, path, keys seen, pending key, anchor
    anchors: dict[str, tuple[Any, int]] = {}  # name -> (value, nodes it holds)
    open_anchors: set[str] = set()
    nodes = aliases = documents = 0
    root: Any = None

    def place(value: Any, line: int) -> None:
        nonlocal root
        if not stack:
            root = value
            return
        top = stack[-1]
        if isinstance(top["value"], list):
            top["value"].append(value)
        elif top["key"] is _NO_KEY:
            if not isinstance(value, str):
                raise _refuse(
                    f"keys must be field names (text), got {short(value)}", source, top["path"], line
                )
            _check_text(value, source, top["path"], line, key=True)
            if value == "<<":
                raise _refuse(
                    "YAML merge keys (<<) are not supported; write the fields out", source, top["path"], line
                )
            if value in top["lines"]:
                raise _refuse(
                    f"duplicate key {short(value)} (lines {top['lines'][value]} and {line}); keep one",
                    source,
                    top["path"],
                )
            top["lines"][value] = line
            top["key"] = value
        else:
            top["value"][top["key"]] = value
            top["key"] = _NO_KEY

    def child_path() -> tuple[Any, ...]:
        if not stack:
            return ()
        top = stack[-1]
        if isinstance(top["value"], list):
            return (*top["path"], len(top["value"]))
        return (*top["path"], top["key"]) if top["key"] is not _NO_KEY else top["path"]

    def count(n: int, path, line: int) -> None:
        nonlocal nodes
        nodes += n
        if nodes > MAX_NODES:
            raise _refuse(
                f"more than the limit of {MAX_NODES} values (aliases counted in full)", source, path, line
            )

    try:
        for event in yaml.parse(text, Loader=_Loader):
            line = event.start_mark.line + 1 if event.start_mark is not None else None
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise _refuse(
                        "more than one YAML document (---); a case file is one document", source, line=line
                    )
            elif isinstance(event, yaml.ScalarEvent | yaml.MappingStartEvent | yaml.SequenceStartEvent):
                path = child_path()
                count(1, path, line)
                if isinstance(event, yaml.ScalarEvent):
                    value = _scalar(event, source, path, line)
                    if event.anchor:
                        anchors[event.anchor] = (value, 1)
                    place(value, line)
                    continue
                tag = event.tag
                if tag is not None and tag != "!" and tag not in _ALLOWED_TAGS:
                    raise _refuse(
                        f"YAML tag {short(tag.removeprefix(_CORE))} is not allowed (only plain values); remove it",
                        source,
                        path,
                        line,
                    )
                if len(stack) >= MAX_DEPTH:
                    raise _refuse(f"nesting deeper than the limit of {MAX_DEPTH} levels", source, path, line)
                is_map = isinstance(event, yaml.MappingStartEvent)
                if (tag == _CORE + "map" and not is_map) or (tag == _CORE + "seq" and is_map):
                    raise _refuse(
                        f"YAML tag {short(tag.removeprefix(_CORE))} does not fit the value",
                        source,
                        path,
                        line,
                    )
                if event.anchor:
                    open_anchors.add(event.anchor)
                stack.append(
                    {
                        "value": {} if is_map else [],
                        "path": path,
                        "lines": {},
                        "key": _NO_KEY,
                        "anchor": event.anchor,
                        "start": nodes,
                        "line": line,
                    }
                )
            elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                done = stack.pop()
                if done["anchor"]:
                    open_anchors.discard(done["anchor"])
                    anchors[done["anchor"]] = (done["value"], nodes - done["start"] + 1)
                place(done["value"], done["line"])
            elif isinstance(event, yaml.AliasEvent):
                path = child_path()
                aliases += 1
                if aliases > MAX_ALIASES:
                    raise _refuse(
                        f"more than the limit of {MAX_ALIASES} YAML aliases (*name)", source, path, line
                    )
                if event.anchor in open_anchors:
                    raise _refuse(f"alias *{short(event.anchor)} refers to itself", source, path, line)
                if event.anchor not in anchors:
                    raise _refuse(
                        f"alias *{short(event.anchor)} names no anchor before it", source, path, line
                    )
                value, size = anchors[event.anchor]
                count(size, path, line)  # before copying: the budget bounds the copy
                place(copy.deepcopy(value), line)
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, source) from None
    return root


_NO_KEY = object()


# --- data already parsed (the JSON API, the web form, JSON after loading) --------------------


def check_data(data: Any, *, source: str, prefix: tuple[Any, ...] = ()) -> Any:
    """Apply the same limits to a value another parser built; return it unchanged."""
    nodes = 0
    todo: list[tuple[Any, tuple[Any, ...]]] = [(data, prefix)]
    while todo:
        value, path = todo.pop()
        nodes += 1
        if nodes > MAX_NODES:
            raise _refuse(f"more than the limit of {MAX_NODES} values", source, path)
        if len(path) - len(prefix) > MAX_DEPTH:
            raise _refuse(f"nesting deeper than the limit of {MAX_DEPTH} levels", source, path)
        if isinstance(value, dict):
            for key, item in value.items():
                if not isinstance(key, str):
                    raise _refuse(f"keys must be field names (text), got {short(key)}", source, path)
                _check_text(key, source, path, key=True)
                todo.append((item, (*path, key)))
        elif isinstance(value, list):
            todo.extend((item, (*path, i)) for i, item in enumerate(value))
        elif isinstance(value, str):
            _check_text(value, source, path)
        elif isinstance(value, bool | dt.date) or value is None:
            pass  # dates come only from Python callers; text parsers leave them as text
        elif isinstance(value, int | float):
            _check_number(value, source, path)
        else:
            raise _refuse(f"unexpected value {short(value)}", source, path)
    return data
