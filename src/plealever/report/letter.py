"""A short plain-language letter to the client: the charge, the options and what each could mean, what
helps and what is still needed, and the next date; with its reading level stated.

The reading level is the Flesch-Kincaid grade, 0.39 x words per sentence + 11.8 x syllables per word
- 15.59, with syllables counted by Pyphen's English hyphenation (the method textstat uses), which can
only undercount: the stated grade is a floor, and the memo says so."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from plealever.report.casefacts import plain_offense, years

PLAIN_FACTOR = {
    "mental_health": "the reports about your mental health",
    "coercion_duress": "the proof that you were threatened and controlled",
    "entrapment": "the chats that show the officer pushed you",
    "knowledge": "the computer expert's findings",
    "cooperation": "what you can tell the government",
    "personal_history": "your work, family and life story",
}


@cache
def _hyphenator():
    import pyphen

    return pyphen.Pyphen(lang="en_US")


def syllables(word: str) -> int:
    word = re.sub(r"[^A-Za-z]", "", word)
    if not word:
        return 0
    return max(1, len(_hyphenator().positions(word.lower())) + 1)


def reading_grade(text: str) -> float:
    """The Flesch-Kincaid grade level of `text`."""
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if re.search(r"[A-Za-z]", s)]
    words = [w for w in re.findall(r"[A-Za-z][A-Za-z'-]*", text)]
    if not sentences or not words:
        return 0.0
    syl = sum(syllables(w) for w in words)
    return round(0.39 * len(words) / len(sentences) + 11.8 * syl / len(words) - 15.59, 1)


def letter(analysis, rows: dict[str, dict[str, Any]], best: dict[str, Any] | None) -> list[str]:
    """The letter's paragraphs (plain text, short sentences), each built on this case's own numbers,
    evidence and dates."""
    case, book, a = analysis.case, analysis.book, analysis.assessment
    result = analysis.result
    paras: list[str] = []
    n = sum(c.count for c in case.counts)
    count_words = {1: "one count", 2: "two counts", 3: "three counts"}.get(n, f"{n} counts")
    court = f" in {case.court.district}" if case.court.district else ""
    paras.append(f"You are charged{court} with {count_words} of {plain_offense(book, case)}.")
    as_charged = rows.get("plea-as-charged")
    if result is not None:
        c = result.calculation
        minimum = (
            f"The law's minimum is {years(c.statutory_range.min).removeprefix('about ')}"
            if c.statutory_range.min
            else "The law sets no minimum"
        )
        guess = (
            f", and our best guess is {years(as_charged['outcome']['mean'])}"
            if as_charged and "outcome" in as_charged
            else ""
        )
        paras.append(
            f"If you plead guilty as charged, the rules point to {_span(c.effective_range)} in prison. {minimum}{guess}."
        )
    if best and as_charged:
        label = (
            _join([PLAIN_LEVER[lv] for lv in best.get("levers", []) if lv in PLAIN_LEVER]) or "a better plea"
        )
        paras.append(
            f"A better deal may be possible ({label}), with a best guess of {years(best['outcome']['mean'])}; "
            f"the government must agree, and we put that chance near {best['agreement_probability']:.0%}."
        )
    trial = rows.get("trial-all")
    if trial and "outcome" in trial:
        lose = trial["outcome"].get("mean_if_convicted", trial["outcome"]["mean"])
        paras.append(
            f"At trial, the chance a jury finds you not guilty is near {trial['outcome']['p_acquittal']:.0%}; "
            f"if you lose, expect {years(lose)} or more."
        )
    helps = [
        f"{PLAIN_FACTOR[f.factor]} ({_join(f.items)})" for f in a.factors if f.band in ("moderate", "strong")
    ]
    if helps:
        paras.append("What helps you most: " + _join(helps) + ".")
    for f in (f for f in a.factors if f.complete_defense):
        paras.append(DEFENSE[f.factor].format(items=_join(sorted({i for e in f.elements for i in e.items}))))
    sought = [s["item"] for s in a.plan if s["status"] == "sought"]
    if sought:
        paras.append("We are still getting: " + _join(sought) + ".")
    held = [s["item"] for s in a.plan if s["stage"] == "withhold"]
    if held:
        paras.append("We will keep " + _join(held) + " private for now, because parts of it could hurt you.")
    when = case.deadlines.plea_offer_expires
    closing = "Please talk about the case only with us; this draft is for your lawyer to check and promises nothing."
    if when and when < analysis.today:
        paras.append(
            f"The offer's date, {when:%B %-d, %Y}, has passed; we will ask if it can be renewed. {closing}"
        )
    elif when:
        paras.append(f"The offer is open until {when:%B %-d, %Y}, so we need to talk before then. {closing}")
    else:
        paras.append(f"No offer date is set yet. {closing}")
    return paras


PLAIN_LEVER = {
    "count_reduction": "a plea to a lesser charge",
    "fact_stipulation": "an agreement about some facts",
    "binding_plea": "an agreed limit on the sentence",
    "government_recommendation": "the government asking for less time",
    "substantial_assistance": "credit for helping the government",
}
DEFENSE = {
    "entrapment": "The chats ({items}) give you a real defense at trial: the officer started it and kept pushing.",
    "coercion_duress": "The proof of the threats ({items}) gives you a real defense at trial: you acted out of fear.",
    "knowledge": "The computer findings ({items}) give you a real defense: there is doubt you knew the files were there.",
    "mental_health": "The doctors' findings ({items}) could support an insanity defense at trial.",
}


def _span(r) -> str:
    lo, hi = r.min, r.max
    if hi == "life":
        return f"{years(lo)} to life"
    a, b = years(lo), years(hi)
    if lo == hi:
        return f"{lo} months ({years(lo).removeprefix('about ')})"
    if a == b:
        return f"{a} ({lo} to {hi} months)"
    return f"{a} to {b.removeprefix('about ')}"


def _join(values: list[str]) -> str:
    if len(values) <= 2:
        return " and ".join(values)
    return ", ".join(values[:-1]) + " and " + values[-1]
