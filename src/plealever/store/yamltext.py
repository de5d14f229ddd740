"""Edit a YAML case file in place: the comments, key order, quoting and layout the user wrote survive
a change made in the web editor; only the values that changed are rewritten (ruamel.yaml round trip).

The result is kept only if it reads back, with the project's own loader, as exactly the new case;
otherwise the caller stores canonical YAML instead (never a file that means something else)."""

from __future__ import annotations

import io
from typing import Any

_MISSING = object()


def _yaml():
    from ruamel.yaml import YAML

    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 4096  # never re-wrap a long line the user wrote
    y.indent(mapping=2, sequence=4, offset=2)
    return y


def update(text: str, old: dict[str, Any], new: dict[str, Any]) -> str | None:
    """`text` (which reads as `old`) changed so that it reads as `new`, or None if that cannot be done."""
    from ruamel.yaml.error import YAMLError

    y = _yaml()
    try:
        tree = y.load(text)
    except YAMLError:
        return None
    if not isinstance(tree, dict):
        return None
    _merge(tree, old, new)
    buf = io.StringIO()
    y.dump(tree, buf)
    out = buf.getvalue()
    if text.startswith("%") or "\r\n" in text:
        return None if "\r\n" not in text else _check(out.replace("\n", "\r\n"), new)
    return _check(out, new)


def _check(out: str, new: dict[str, Any]) -> str | None:
    from plealever.case.boundary import read_text
    from plealever.errors import PlealeverError

    try:
        return out if read_text(out, fmt="yaml", source="edit") == new else None
    except PlealeverError:  # the round trip wrote something the boundary refuses: use canonical YAML
        return None


def _plain(value: Any) -> Any:
    """A value for insertion: strings the project's loader (case/boundary.py) would read as something
    else (null, numbers, true) or refuse (0150, 2:30) are quoted."""
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    if isinstance(value, str):
        import datetime as dt
        import re


        if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
            try:
                return dt.date.fromisoformat(value)  # written bare, read back as the same text
            except ValueError:
                return DoubleQuotedScalarString(value)

        from plealever.case.boundary import read_text
        from plealever.errors import PlealeverError

        try:
            if read_text(value, fmt="yaml", source="value") != value:
                return DoubleQuotedScalarString(value)
        except PlealeverError:  # 0150, 2:30, a tag...: text the boundary would not read plain
            return DoubleQuotedScalarString(value)
        return value
    if isinstance(value, dict):
        from ruamel.yaml.comments import CommentedMap

        m = CommentedMap()
        for k, v in value.items():
            m[k] = _plain(v)
        return m
    if isinstance(value, list):
        from ruamel.yaml.comments import CommentedSeq

        return CommentedSeq(_plain(v) for v in value)
    return value


def _merge(node: Any, old: Any, new: Any) -> Any:
    """Change `node` (a ruamel tree reading as `old`) in place to read as `new`; returns the node to use."""
    if old == new:
        return node
    if isinstance(node, dict) and isinstance(old, dict) and isinstance(new, dict):
        for key in [k for k in node if k not in new]:
            del node[key]
        position = 0
        for key, value in new.items():
            if key in node:
                node[key] = _merge(node[key], old.get(key, _MISSING), value)
                position = list(node).index(key) + 1
            else:
                node.insert(position, key, _plain(value))
                position += 1
        return node
    if isinstance(node, list) and isinstance(old, list) and isinstance(new, list):
        for i in range(min(len(node), len(new))):
            node[i] = _merge(node[i], old[i] if i < len(old) else _MISSING, new[i])
        del node[len(new) :]
        for value in new[len(node) :]:
            node.append(_plain(value))
        return node
    return _plain(new)
