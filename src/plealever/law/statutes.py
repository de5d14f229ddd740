"""Statutes of conviction: read a user's spelling, find the modelled statute, pick its penalties."""

from __future__ import annotations

import datetime as dt
import re

from plealever.errors import UnknownStatuteError, quote
from plealever.law.rulebook import PenaltyVersion, Rulebook, Statute

_PREFIX = re.compile(r"^\s*(?:18\s*U\.?\s*S\.?\s*C\.?(?:\s*A\.?)?)?\s*(?:§+|sec(?:tion|\.)?)?\s*", re.I)


def normalize(text: str) -> str:
    """'18 U.S.C. § 2252A(a)(2)(A)' -> '2252A(a)(2)(A)'; spaces and the title prefix are dropped."""
    rest = _PREFIX.sub("", text)
    return re.sub(r"\s+", "", rest)


def find_statute(book: Rulebook, text: str) -> Statute | None:
    """The modelled statute for `text`: the longest modelled key that the citation starts with.

    '2252A(a)(2)(A)' is '2252A(a)(2)'; '2252A(a)' alone is too vague and finds nothing.
    """
    cite = normalize(text)
    if not cite:
        return None
    best = None
    for key in book.statutes:
        if (cite == key or cite.startswith(key + "(")) and (best is None or len(key) > len(best)):
            best = key
    if best is None:
        # Accept a capital/lower-case slip in the section letter, e.g. "2252a(a)(5)".
        for key in book.statutes:
            if cite.lower() == key.lower() or cite.lower().startswith(key.lower() + "("):
                best = key if best is None or len(key) > len(best) else best
    return book.statutes.get(best) if best else None


def require_statute(book: Rulebook, text: str, *, field: str, source: str | None = None) -> Statute:
    """find_statute, or the error naming the field: every engine that reads a count uses this."""
    statute = find_statute(book, text)
    if statute is None:
        raise UnknownStatuteError(
            f"unknown or unmodelled statute {quote(text)}; expected one of 18 U.S.C. § "
            + ", ".join(book.statutes),
            file=source,
            field=field,
        )
    return statute


def penalty(statute: Statute, offense_date: dt.date) -> PenaltyVersion | None:
    return statute.at(offense_date)
