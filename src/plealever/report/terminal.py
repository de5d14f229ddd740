"""The terminal face: the worksheets and tables `plealever calc`, `history`, `assess`, `scenarios` and
`calibrate` print, drawn with Rich from the rows in report/views.py (the same rows the memo and the web
show)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from plealever.guidelines.trace import NOTICE, Result
from plealever.report import views

# Below this width the worksheet puts each citation under its reason instead of in its own column,
# and the scenario table becomes one block per scenario: columns a few characters wide are unreadable.
WIDE = 120


def console(width: int | None = None) -> Console:
    """A console as wide as `width`, or as the terminal (Rich's own detection: the terminal's size, else
    $COLUMNS, else 80 when the output is not a terminal)."""
    return Console(width=width) if width else Console()


def wrapped(text: str, width: int, indent: int = 0, hang: int = 2) -> str:
    """Plain text fitted to `width` columns: the first line indented by `indent`, the lines it wraps onto
    by `indent + hang`, so a long list reads as one entry."""
    import textwrap

    return textwrap.fill(
        " ".join(text.split()),
        width=max(width, indent + hang + 20),
        initial_indent=" " * indent,
        subsequent_indent=" " * (indent + hang),
        break_on_hyphens=False,
    )


def _wide(console: Console) -> bool:
    return console.width >= WIDE


def _table(unit: str, wide: bool = True) -> Table:
    table = Table(header_style="bold", expand=True, pad_edge=False)
    names = ("Pin", unit, "Total", "Status", "Reason", "Citation") if wide else ("Pin", unit, "Total", "Status", "Reason and citation")
    for name in names:
        table.add_column(name, overflow="fold")
    table.columns[0].max_width = 14
    if not wide:
        table.columns[3].max_width = 12  # "not applied" over "(UNVERIFIED)"
    table.columns[4].ratio = 3
    if wide:
        table.columns[5].ratio = 2
    return table


def _add(table: Table, rows: list[views.WorksheetRow], wide: bool = True) -> None:
    from rich.text import Text

    for r in rows:
        if r.heading:
            cells = ["", "", "", "", Text(r.reason, style="bold")]
            table.add_row(*cells, *([""] if wide else []))
            continue
        status = r.status.replace(" (", "\n(") if not wide else r.status
        if wide:
            table.add_row(r.pin, r.levels, r.total, status, Text(r.reason), Text(r.citation))
        else:
            cell = Text(r.reason)
            if r.citation:
                cell.append("\n" + r.citation, style="dim")
            table.add_row(r.pin, r.levels, r.total, status, cell)


def _history_table(console: Console, c) -> None:
    table = _table("Points", _wide(console))
    _add(table, views.history_rows(c), _wide(console))
    console.print("Criminal history (Chapter Four, Part A):", style="bold")
    console.print(table)
    points = "" if c.history.points is None else f"{c.history.points} points, "
    console.print(
        f"Criminal history: {points}category {c.history.category}"
        + ("" if c.history.from_records else " (as given)"),
        markup=False,
    )


def render_history(result: Result, *, case_name: str, console: Console | None = None) -> None:
    console = console or Console()
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
    console = console or Console()
    c = result.calculation
    console.print(f"[bold]plealever worksheet[/bold]: {case_name}", markup=True)
    console.print(views.edition_line(c), markup=False)
    console.print(f"Why this Manual: {result.edition_reason}", markup=False)
    table = _table("Levels", _wide(console))
    _add(table, views.worksheet_rows(c), _wide(console))
    console.print(table)
    if views.shows_history(c):
        _history_table(console, c)
    console.print("Counts of conviction:")
    for line in views.count_lines(c):
        console.print(f"  {line}", markup=False)
    for line in views.range_lines(c):
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


def render_assessment(
    result, *, case_name: str, console: Console | None = None, investigation: list | None = None
) -> None:
    """The mitigation assessment, factor by factor, the value of each missing piece of evidence, with
    numbered references at the end."""
    console = console or Console()
    book = result.book
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
        complete = " — complete defense" if f.complete_defense else ""
        out(f"[bold]{f.title}[/bold]: {f.band.upper()}" + (f" (score {f.score}){complete}" if f.items else ""))
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
    if investigation:
        out("")
        out("[bold]What to investigate first[/bold] (expected months saved = chance favourable x the saving)")
        table = Table(header_style="bold")
        for name in views.INVESTIGATION_HEADER:
            table.add_column(name, overflow="fold")
        for row in views.investigation_rows(investigation):
            table.add_row(*row)
        console.print(table)
    elif investigation is not None:
        out("")
        out("What to investigate first: nothing is missing that the model can price.", markup=False)
    if result.plan:
        out("")
        out("[bold]Disclosure plan[/bold]")
        for i, step in enumerate(result.plan, 1):
            when = (
                f"past due: {step['deadline']} was {step['when']}"
                if step.get("past_due")
                else f"by {step['when']} ({step['deadline']})"
                if step["when"]
                else "no deadline given"
            )
            out(
                f"  {i}. {when}: {step['item']} — {step['action']}; {step['protection']}{cite(step['authorities'])}",
                markup=False,
                highlight=False,
            )
            out(f"     stage: {step['stage_label']} (protect under: {step['protect_under']})", markup=False, highlight=False)
            for exposure in step["exposes"]:
                out(f"     exposes: {exposure}", markup=False, highlight=False)
            for cost in step.get("cost", []):
                out(f"     cost: {cost}", markup=False, highlight=False)
            for kept in step.get("still_protected", []):
                out(f"     still protected: {kept}", markup=False, highlight=False)
            for flag in step["lost_value"]:
                out(f"     ! {flag}", markup=False, highlight=False)
    out("")
    out("[bold]References[/bold]")
    for i, a in enumerate(refs, 1):
        auth = book.authorities[a]
        note = "" if auth.verified else " (citation not yet verified)"
        out(f"  [{i}] {auth.cite}{note} — {auth.url}", markup=False, highlight=False)
    out(NOTICE, markup=False)


def render_scenarios(result, *, case_name: str, console: Console | None = None) -> None:
    """`result` is the Comparison of an Analysis."""
    console = console or Console()
    d = result.to_dict()
    console.print(f"[bold]plealever scenarios[/bold]: {case_name}")
    for w in d["warnings"]:
        console.print(f"  {w}", markup=False, highlight=False)
    rows = views.scenario_rows(d["scenarios"])
    if console.width >= 150:
        table = Table(header_style="bold")
        for name in views.SCENARIO_HEADER:
            table.add_column(name, overflow="fold")
        for row in rows:
            table.add_row(*row)
        console.print(table)
    else:
        # One block per scenario: its label, then the figures as "name value" pairs that wrap.
        for row in rows:
            console.print(row[0], style="bold", markup=False, highlight=False)
            pairs = [f"{h}: {v}" for h, v in zip(views.SCENARIO_HEADER[1:], row[1:], strict=True) if v]
            console.print("  " + "; ".join(pairs), markup=False, highlight=False)

    console.print(views.SCENARIO_NOTE, markup=False)
    if d.get("practice_model"):
        console.print(
            "Sentences: the practice model of the Commission's offender rows, " + d["practice_model"]["note"] + ".",
            markup=False,
            highlight=False,
        )
    for line in views.scenario_notes(d["scenarios"]):
        console.print(f"- {line}", markup=False, highlight=False)
    if d["sensitivity"]:
        console.print("[bold]Sensitivity[/bold] (expected months of the plea as charged):")
        for s in d["sensitivity"]:
            console.print(f"  {s['delta_mean']:+.1f}  {s['change']}", markup=False)
    if d["recommended"]:
        console.print(
            "[bold]Recommended[/bold]: " + views.recommended_text(d["scenarios"], d["recommended"]) + "; "
            + views.robust_text(d["scenarios"], d["recommended"], d["robust"]) + ".",
            highlight=False,
        )
    if d["offers"]:
        render_offers(result, case_name=None, console=console)
    groups = views.grouped_assumptions(d["assumptions"])
    console.print(
        "Measured from Commission records: " + ", ".join(groups["measured"]) + ". Published figures: "
        + ", ".join(groups["published"]) + ". Assumed (each with a range, law/data/outcome-model.yaml): "
        + ", ".join(groups["assumed"]) + ".",
        markup=False,
        highlight=False,
    )
    console.print(NOTICE, markup=False)


def render_offers(result, *, case_name: str | None, console: Console | None = None) -> None:
    """Every offer on file, its exposure and the recommended option beside it."""
    console = console or Console(width=170)
    d = result.to_dict()
    if case_name is not None:
        console.print(f"[bold]plealever offers[/bold]: {case_name}")
    if not d["offers"]:
        console.print("No offers are recorded (negotiation.offers).", markup=False)
    else:
        table = Table(title="Offers", header_style="bold")
        for name in views.OFFER_HEADER:
            table.add_column(name, overflow="fold")
        for row in views.offer_rows(d["offers"]):
            table.add_row(*row)
        console.print(table)
        for o in d["offers"]:
            for w in o["warnings"]:
                console.print(f"  ! {w}", markup=False, highlight=False)
    if case_name is not None:
        if d["recommended"]:
            console.print(
                "Recommended now: " + views.recommended_text(d["scenarios"], d["recommended"]) + ".",
                markup=False,
                highlight=False,
            )
        console.print(NOTICE, markup=False)


def render_calibration(result: dict, *, records: str | None, console: Console | None = None) -> None:
    console = console or Console()

    def shares(title: str, block: dict) -> None:
        table = Table(title=title, header_style="bold")
        for name in ("Measure", "Model", "Observed", "Error (pts)"):
            table.add_column(name)
        for key, v in block.items():
            table.add_row(
                key, f"{v['model']:.1f}", f"{v['observed']:.1f}", f"{v['model'] - v['observed']:+.1f}"
            )
        console.print(table)

    if records:
        shares(f"Model against {records} (offense category 7)", result)
        return
    console.print(f"Fitted on FY{', FY'.join(str(y) for y in result['fitted_years'])}", markup=False)
    for year, block in result["fitting"].items():
        shares(f"FY{year} (fitting year)", block)
    for year, block in result["held_out"].items():
        shares(f"FY{year} (held out)", block)
    table = Table(title="Published FY2019 identical-guideline cells (secondary source)", header_style="bold")
    for name in ("Cell", "Mean: model", "published", "Below range %: model", "published"):
        table.add_column(name, overflow="fold")
    for c in result["cells"]:
        table.add_row(
            c["cell"],
            f"{c['mean']['model']:.0f}",
            f"{c['mean']['published']}",
            f"{c['below_range_pct']['model']:.1f}",
            f"{c['below_range_pct']['published']}",
        )
    console.print(table)
