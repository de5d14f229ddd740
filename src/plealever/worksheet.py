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


def render_worksheet(result: Result, *, case_name: str, console: Console | None = None) -> None:
    console = console or Console(width=150)
    c = result.calculation
    verified = "" if c.edition_verified else " — UNVERIFIED edition"
    console.print(f"[bold]plealever worksheet[/bold]: {case_name}", markup=True)
    console.print(f"Manual: Nov. 1, {c.edition.year} edition ({c.edition}){verified}", markup=False)
    console.print(f"Why this Manual: {result.edition_reason}", markup=False)
    table = Table(header_style="bold")
    for name in ("Pin", "Levels", "Total", "Status", "Reason", "Citation"):
        table.add_column(name, overflow="fold")
    table.columns[4].ratio = 3
    table.columns[5].ratio = 2
    group = None
    for s in c.steps:
        if s.group != group and s.group is not None:
            table.add_row("", "", "", "", f"[bold]{s.group}[/bold]", "")
        group = s.group
        total = "" if s.running_total is None else str(s.running_total)
        status = s.status.replace("_", " ") + MARK[s.certainty]
        table.add_row(s.pin, _levels(s), total, status, s.reason.replace("[", r"\["), s.citation)
    console.print(table)
    console.print("Counts of conviction:")
    for e in c.counts:
        console.print(
            f"  {e.label}: {e.statute} -> §{e.guideline}; statutory range {e.statutory_range} months "
            f"({e.tier}){MARK[e.certainty]}",
            markup=False,
        )
    lines = [
        f"Total offense level {c.total_offense_level}, criminal history category {c.criminal_history_category}",
        f"Guideline range {c.guideline_range} months (zone {c.zone})",
        f"Statutory range {c.statutory_range} months",
        f"Effective range {c.effective_range} months",
        f"Supervised release {c.supervised_release} months (18 U.S.C. § 3583(k))",
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
    warnings = result.warnings + c.warnings
    if warnings:
        console.print("Warnings:", style="bold")
        for w in warnings:
            console.print(f"  - {w}", markup=False, highlight=False)
    console.print(NOTICE, markup=False)
