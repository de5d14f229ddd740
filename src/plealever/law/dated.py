"""The one rule for dated law: the version in force on a day is the latest one that took effect on or
before it (and, where versions end, has not yet ended). Provisions, statutes, editions, supervised
release, charging eras and assessments all answer "which version applies?" through this function."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

T = TypeVar("T")


def _attr(item: Any, name: str) -> Any:
    return item.get(name) if isinstance(item, dict) else getattr(item, name, None)


def in_force(
    versions: Iterable[T],
    day: dt.date,
    *,
    start: str | Callable[[T], dt.date] = "effective",
    end: str | None = None,
) -> T | None:
    """The version in force on `day`: the last to start on or before it, unless it ended before `day`.

    `versions` must be in order of their start dates (the rulebook checks that at load). `start` names
    the attribute (or key) holding the start date, or is a function returning it; `end`, if given, names
    an inclusive end date that may be None (open-ended)."""
    get_start = start if callable(start) else (lambda v: _attr(v, start))  # type: ignore[arg-type]
    found = None
    for version in versions:
        if get_start(version) <= day:
            found = version
        else:
            break
    if found is not None and end is not None:
        last = _attr(found, end)
        if last is not None and last < day:
            return None
    return found
