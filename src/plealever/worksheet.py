"""The human-readable worksheet printed by `plealever calc`."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from plealever.guidelines.trace import NOTICE, Result

MARK = {"verified": "", "contested": " (contested)", "unverified": " (UNVERIFIED)"}


def render_worksheet(result: Result, *, case_name: str, console: Console | None = None) -> None:
    console = console or Console(width=160)
    c = result.calculation
    console.print(f"[bold]plealever worksheet[/bold]: {case_name}")
    console.print(
        f"Manual: Nov. 1, {c.edition.year} edition ({c.edition}){'' if c.edition_verified else ' — UNVERIFIED'}"
    )
    console.print(f"Why this Manual: {result.edition_reason}")
    table = Table(show_lines=False, header_style="bold")
    for col in ("Pin", "Levels", "Total", "Status", "Reason", "Citation"):
        table.add_column(col, overflow="fold")
    table.columns[4].ratio = 3
    table.columns[5].ratio = 2
    for s in c.steps:
        levels = (
            f"{s.levels:+d}" if s.status == "applied" and s.levels else ("" if s.status != "applied" else "0")
        )
        if (
            s.pin.endswith("(a)")
            or s.pin.endswith("(a)(1)")
            or s.pin.endswith("(a)(2)")
            or s.pin.endswith("(a)(3)")
            or s.pin.endswith("(a)(4)")
        ):
            levels = str(s.levels) if s.status == "applied" else levels
        group = f"[{s.group}] " if s.group else ""
        table.add_row(
            s.pin,
            levels,
            "" if s.running_total is None else str(s.running_total),
            s.status.replace("_", " ") + MARK[s.certainty],
            group + s.reason,
            s.citation,
        )
    console.print(table)
    console.print("Counts:")
    for e in c.counts:
        console.print(
            f"  {e.label}: {e.statute}, guideline §{e.guideline}, statutory {e.statutory_range} months "
            f"({e.tier}){MARK[e.certainty]}"
        )
    console.print(
        f"[bold]Total offense level[/bold] {c.total_offense_level}, criminal history category "
        f"{c.criminal_history_category}"
    )
    console.print(f"[bold]Guideline range[/bold] {c.guideline_range} months (zone {c.zone})")
    console.print(f"[bold]Statutory range[/bold] {c.statutory_range} months")
    console.print(f"[bold]Effective range[/bold] {c.effective_range} months")
    console.print(f"Supervised release: {c.supervised_release} months")
    if result.alternative is not None:
        a = result.alternative
        console.print(
            f"Other Manual considered: {a.edition.year} edition: level {a.total_offense_level}, "
            f"range {a.guideline_range}, effective {a.effective_range}"
        )
    warnings = result.warnings + c.warnings
    if warnings:
        console.print("[bold]Warnings[/bold]")
        for w in warnings:
            console.print(f"  - {w}", markup=False)
    console.print(NOTICE)
