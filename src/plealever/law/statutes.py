"""Statutes of conviction: read a user's spelling, find the modelled statute, pick its penalties."""

from __future__ import annotations

import datetime as dt
import re

from plealever.errors import UnknownStatuteError, choices, quote
from plealever.law.rulebook import PenaltyVersion, Rulebook, Statute

_PREFIX = re.compile(r"^\s*(?:18\s*U\.?\s*S\.?\s*C\.?(?:\s*A\.?)?)?\s*(?:§+|sec(?:tion|\.)?)?\s*", re.I)
# Words that make a count an attempt or a conspiracy, wherever they sit in the citation: "(attempt)",
# "attempted", "conspiracy to violate", "conspiring".
_INCHOATE = {
    "attempt": re.compile(r"\battempt(?:s|ed|ing)?\b", re.I),
    "conspiracy": re.compile(r"\bconspir(?:acy|e|es|ed|ing)\b", re.I),
}
_FILLER = re.compile(r"\(\s*\)|\b(?:to\s+(?:violate|commit)|of|and|or)\b", re.I)
# What may follow a modelled key: more pins, and "and (b)(1)"-style references to the penalty subsection.
_PIN = r"\((?:[A-Za-z]|[0-9]{1,3}|[ivxIVX]{1,5})\)"  # (A), (b), (2), (ii)
_TAIL = re.compile(rf"^(?:{_PIN})*(?:(?:and|&|,)\([a-z]\)(?:{_PIN})*)*$")


def normalize(text: str) -> str:
    """'18 U.S.C. § 2252A(a)(2)(A)' -> '2252A(a)(2)(A)'; spaces and the title prefix are dropped."""
    rest = _PREFIX.sub("", text)
    return re.sub(r"\s+", "", rest)


def inchoate(text: str) -> tuple[str, str | None]:
    """('2252A(a)(2) (attempt)') -> ('2252A(a)(2)', 'attempt'): the citation without the inchoate words.

    Both words at once is refused by the caller (the kind is returned as 'attempt+conspiracy').
    """
    kinds = [kind for kind, rx in _INCHOATE.items() if rx.search(text)]
    rest = text
    for kind in kinds:
        rest = _INCHOATE[kind].sub(" ", rest)
    if kinds:
        rest = _FILLER.sub(" ", rest)
    return rest.strip(" ,;-"), "+".join(kinds) or None


def find_statute(book: Rulebook, text: str) -> Statute | None:
    """The modelled statute for `text`: the longest modelled key that the citation starts with.

    '2252A(a)(2)(A)' is '2252A(a)(2)'; '2252A(a)' alone is too vague and finds nothing, and so does a key
    followed by anything but more pins ('2252A(a)(2) foo'): words are never dropped silently. Attempt and
    conspiracy words are read by `inchoate` first.
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
    if best is None or not _TAIL.match(cite[len(best) :]):
        return None
    return book.statutes.get(best)


def require_statute(book: Rulebook, text: str, *, field: str, source: str | None = None) -> Statute:
    """The modelled statute a count names (attempt and conspiracy words aside), or the error naming
    the field: every engine that reads a count uses this, so none meets a None."""
    statute = find_statute(book, inchoate(text)[0])
    if statute is None:
        raise UnknownStatuteError(
            f"unknown or unmodelled statute {quote(text)}; expected one of 18 U.S.C. § "
            + choices(book.statutes)
            + " (an attempt or conspiracy as, e.g., '2252A(a)(2) (attempt)')",
            file=source,
            field=field,
        )
    return statute


def penalty(statute: Statute, offense_date: dt.date) -> PenaltyVersion | None:
    return statute.at(offense_date)
