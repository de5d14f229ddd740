"""The human-readable worksheet printed by `plealever calc`."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from plealever.guidelines.trace import NOTICE, Result, Step

MARK = {"verified": "", "contested": " (contested)", "unverified": " (UNVERIFIED)"}


def _levels(s: Step) -> str:
    if s.status != "applied":
        return ""
    # A base offense level is a level, not a change.
    if s.pin.split(")")[0].endswith("(a") and s.pin.startswith("2"):
        return str(s.levels)
    return f"{s.levels:+d}"


def _table(unit: str) -> Table:
    table = Table(header_style="bold")
    for name in ("Pin", unit, "Total", "Status", "Reason", "Citation"):
        table.add_column(name, overflow="fold")
    table.columns[4].ratio = 3
    table.columns[5].ratio = 2
    return table


def _history_table(console: Console, c) -> None:
    table = _table("Points")
    for s in c.history.steps:
        if s.group is None:
            continue
        total = "" if s.running_total is None else str(s.running_total)
        points = f"{s.levels}" if s.status == "applied" else ""
        table.add_row(
            s.pin,
            points,
            total,
            s.status.replace("_", " ") + MARK[s.certainty],
            s.reason.replace("[", r"\["),
            s.citation,
        )
    console.print("Criminal history (Chapter Four, Part A):", style="bold")
    console.print(table)
    points = "" if c.history.points is None else f"{c.history.points} points, "
    console.print(
        f"Criminal history: {points}category {c.history.category}"
        + ("" if c.history.from_records else " (as given)"),
        markup=False,
    )


def render_history(result: Result, *, case_name: str, console: Console | None = None) -> None:
    console = console or Console(width=150)
    c = result.calculation
    console.print(f"[bold]plealever criminal history[/bold]: {case_name}")
    console.print(f"Manual: Nov. 1, {c.edition.year} edition ({c.edition})", markup=False)
    _history_table(console, c)
    if c.criminal_history_category != c.history.category:
        console.print(f"After §4B1.5(a): category {c.criminal_history_category}", markup=False)
    for w in result.warnings + c.warnings:
        if "criminal" in w.lower() or "prior" in w.lower():
            console.print(f"  - {w}", markup=False, highlight=False)
    console.print(NOTICE, markup=False)


def render_worksheet(result: Result, *, case_name: str, console: Console | None = None) -> None:
    console = console or Console(width=150)
    c = result.calculation
    verified = "" if c.edition_verified else " — UNVERIFIED edition"
    console.print(f"[bold]plealever worksheet[/bold]: {case_name}", markup=True)
    console.print(f"Manual: Nov. 1, {c.edition.year} edition ({c.edition}){verified}", markup=False)
    console.print(f"Why this Manual: {result.edition_reason}", markup=False)
    table = _table("Levels")
    group = None
    for s in c.steps:
        if s.group != group and s.group is not None:
            table.add_row("", "", "", "", f"[bold]{s.group}[/bold]", "")
        group = s.group
        total = "" if s.running_total is None else str(s.running_total)
        status = s.status.replace("_", " ") + MARK[s.certainty]
        table.add_row(s.pin, _levels(s), total, status, s.reason.replace("[", r"\["), s.citation)
    console.print(table)
    if c.history is not None and c.history.from_records or (c.history and len(c.history.steps) > 1):
        _history_table(console, c)
    console.print("Counts of conviction:")
    for e in c.counts:
        console.print(
            f"  {e.label}: {e.statute} -> §{e.guideline}; statutory range {e.statutory_range.text()} "
            f"({e.tier}){MARK[e.certainty]}",
            markup=False,
        )
    lines = [
        f"Total offense level {c.total_offense_level}, criminal history category {c.criminal_history_category}",
        f"Guideline range {c.guideline_range.text()} (zone {c.zone})",
        f"Statutory range {c.statutory_range.text()}",
        f"Effective range {c.effective_range.text()}",
        f"Supervised release {c.supervised_release.text()} (18 U.S.C. § 3583(k))",
    ]
    for line in lines:
        console.print(line, markup=False, highlight=False)
    if result.alternative is not None:
        a = result.alternative
        console.print(
            f"Other Manual compared (§1B1.11): {a.edition.year} edition, level {a.total_offense_level}, "
            f"guideline range {a.guideline_range}, effective range {a.effective_range}",
            markup=False,
        )
    warnings = list(dict.fromkeys(result.warnings + c.warnings))
    if warnings:
        console.print("Warnings:", style="bold")
        for w in warnings:
            console.print(f"  - {w}", markup=False, highlight=False)
    console.print(NOTICE, markup=False)
