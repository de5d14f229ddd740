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


def render_assessment(result, *, case_name: str, console: Console | None = None) -> None:
    """The mitigation assessment, factor by factor, with numbered references at the end."""
    from plealever.law.rulebook import rulebook

    console = console or Console(width=110)
    book = rulebook()
    refs: list[str] = []

    def cite(ids: list[str]) -> str:
        marks = []
        for a in ids:
            if a not in refs:
                refs.append(a)
            marks.append(str(refs.index(a) + 1))
        return f" [{', '.join(marks)}]" if marks else ""

    out = console.print
    out(f"[bold]plealever mitigation assessment[/bold]: {case_name}")
    if result.edition:
        out(f"Sentencing frame: the Nov. 1, {result.edition.year} Manual", markup=False)
    for w in result.warnings:
        out(f"! {w}", markup=False, highlight=False)
    for f in result.factors:
        out("")
        out(f"[bold]{f.title}[/bold]: {f.band.upper()}" + (f" (score {f.score})" if f.items else ""))
        if f.items:
            out(f"  Evidence: {', '.join(f.items)}", markup=False)
        for r in f.reasons:
            out(f"  - {r.text}{cite(r.authorities)}", markup=False, highlight=False)
        for lv in f.levers:
            why = f" — {'; '.join(lv.why)}" if lv.why else ""
            out(
                f"  Lever: {lv.label} [{lv.status.replace('_', ' ')}]: {lv.how}{why}{cite(lv.authorities)}",
                markup=False,
                highlight=False,
            )
        for m in f.missing:
            out(f"  Gap: {m.text}{cite(m.authorities)}", markup=False, highlight=False)
        for r in f.risks:
            out(f"  {r.text[0].upper() + r.text[1:]}{cite(r.authorities)}", markup=False, highlight=False)
        for fr in f.frame:
            out(f"  Law: {fr.text}{cite(fr.authorities)}", markup=False, highlight=False)
    p = result.package
    out("")
    out(f"[bold]Package[/bold]: {p['complete']} of {p['of']} checklist items complete")
    for row in p["checklist"]:
        mark = "x" if row["complete"] else " "
        extra = f" (sought: {', '.join(row['sought'])})" if row["sought"] else ""
        out(f"  [{mark}] {row['label']}{extra}", markup=False)
    if result.plan:
        out("")
        out("[bold]Disclosure plan[/bold]")
        for i, step in enumerate(result.plan, 1):
            when = f"by {step['when']} ({step['deadline']})" if step["when"] else "no deadline given"
            out(
                f"  {i}. {when}: {step['item']} — {step['action']}; {step['protection']}{cite(step['authorities'])}",
                markup=False,
                highlight=False,
            )
            for flag in step["lost_value"]:
                out(f"     ! {flag}", markup=False, highlight=False)
    out("")
    out("[bold]References[/bold]")
    for i, a in enumerate(refs, 1):
        auth = book.authorities[a]
        note = "" if auth.verified else " (citation not yet verified)"
        out(f"  [{i}] {auth.cite}{note} — {auth.url}", markup=False, highlight=False)
    out(NOTICE, markup=False)
