"""Terminal views of sentencing practice: the similar-offender panel, the records store, the scores."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from plealever.guidelines.trace import NOTICE

BARS = " ▁▂▃▄▅▆▇█"


def spark(counts: list[int]) -> str:
    """A histogram in one line of block characters, tallest bar = the largest count (the terminal, the
    memo and the web panel draw it alike)."""
    top = max(counts) or 1
    return "".join(BARS[round(8 * c / top)] for c in counts)


def histogram_label(edges: list[int]) -> str:
    """What the bars are: equal bins of months, the last one open-ended."""
    return f"Histogram: {len(edges) - 1} equal bins of months from {edges[0]} to {edges[-1]}, the last {edges[-2]} or more"


def _pct(g: dict[str, Any], key: str) -> str:
    return f"{g[key]:.0f}%"


def render_similar(panel: dict[str, Any], console: Console | None = None) -> None:
    console = console or Console()
    narrow = console.width < 110  # below that the histogram moves under the table
    rec = panel["records"]
    console.print(f"[bold]plealever similar[/bold]: {panel['case'] or 'case'}", highlight=False)
    where = panel["district"] or "no district given (court.district)"
    console.print(
        f"  district: {where}; circuit: {panel['circuit'] or 'not given'}; "
        f"custody: {panel['custody'] or 'not given'}",
        markup=False,
        highlight=False,
    )
    console.print(
        f"  {rec['note']} ({rec['source']}; checksum {rec['checksum'][:12]})", markup=False, highlight=False
    )
    for r in panel["ranges"]:
        title = (
            f"Range {r['range']['text']} months as found (level {r['level']}, category {r['category']}): "
            f"{'; '.join(r['scenarios'])}"
        )
        table = Table(title=title, header_style="bold", title_justify="left")
        histogram = f"Histogram {r['histogram_edges'][0]}-{r['histogram_edges'][-1]} mo"
        names = ["Offenders", "n", "Below", "Within", "Above", "Median (P10-P90) months", "Share of minimum"]
        for name in names + ([] if narrow else [histogram]):
            table.add_column(name, overflow="fold")
        sparks = []
        for g in r["groups"]:
            if g["too_few"]:
                cells = [g["label"], str(g["n"]), f"too few cases (under {panel['min_n']})", "", "", "", ""]
                table.add_row(*cells, *([] if narrow else [""]))
                continue
            s, m = g["sentence"], g["share_of_minimum"]
            table.add_row(
                g["label"],
                str(g["n"]),
                _pct(g, "below_pct"),
                _pct(g, "within_pct"),
                _pct(g, "above_pct"),
                f"{s['median']:g} ({s['p10']:g}-{s['p90']:g})",
                f"{m['median']:.2f} ({m['p10']:.2f}-{m['p90']:.2f})",
                *([] if narrow else [spark(g["histogram"])]),
            )
            sparks.append(f"  {spark(g['histogram'])}  {g['label']}")
        console.print(table)
        if narrow and sparks:
            console.print(f"  {histogram}:", markup=False, highlight=False)
            for line in sparks:
                console.print(line, markup=False, highlight=False)
        mo = r["model"]
        q, sh, n = mo["quantiles"], mo["shares"], mo["n"]
        ns = (
            f"n: nation {n['nation']}"
            + (f", circuit {n['circuit']}" if n["circuit"] is not None else "")
            + (f", district {n['district']}" if n["district"] is not None else "")
        )
        console.print(
            f"  Model for this client ({mo['plea']} plea, custody {mo['inputs']['custody']}, statutory limits "
            f"applied): below {100 * sh['below']:.0f}% / within {100 * sh['within']:.0f}% / above "
            f"{100 * sh['above']:.0f}%; median {q['q50']:g} months (P10-P90 {q['q10']:g}-{q['q90']:g}); {ns}. "
            f"{mo['basis']['note']}.",
            markup=False,
            highlight=False,
        )
    console.print("What these rows cannot separate:", style="bold")
    for line in panel["cannot_separate"]:
        console.print(f"  - {line}", markup=False, highlight=False)
    console.print(f"  {panel['still_useful']}", markup=False, highlight=False)
    console.print(NOTICE, markup=False, highlight=False)


def render_status(status: dict[str, Any], console: Console | None = None) -> None:
    console = console or Console()
    where = (
        "the bundled FY2019-2023 rows (no import yet)" if status["source"] == "bundled" else status["store"]
    )
    console.print(f"Records loaded: {status['rows']} rows from {where}", markup=False, highlight=False)
    console.print(
        "  by fiscal year: " + ", ".join(f"FY{y} {n}" for y, n in status["fiscal_years"].items()),
        markup=False,
        highlight=False,
    )
    console.print(f"  checksum {status['checksum']}", markup=False, highlight=False)
    for f in status["files"]:
        gone = (
            f" (superseded for FY{', FY'.join(map(str, f['superseded_years']))})"
            if f.get("superseded_years")
            else ""
        )
        console.print(
            f"  - {f['file']}: {f['rows_kept']} rows kept, FY{', FY'.join(map(str, f['fiscal_years']))}, "
            f"sha256 {f['sha256'][:12]}{gone}",
            markup=False,
            highlight=False,
        )
    p = status.get("parameters")
    if p:
        console.print(
            f"  model parameters: {p['origin']}, fitted on data {p['checksum'][:12]}"
            + ("" if p["matches"] else " — not the loaded rows: run `plealever calibrate --refit`"),
            markup=False,
            highlight=False,
        )


def _shares_table(title: str, blocks: dict[str, Any]) -> Table:
    table = Table(title=title, header_style="bold", title_justify="left")
    for name in (
        "Group",
        "n",
        "Below: model",
        "observed",
        "Within: model",
        "observed",
        "Above: model",
        "observed",
    ):
        table.add_column(name)
    for key, b in blocks.items():
        if not b:
            continue
        m, o = b["model"], b["observed"]
        table.add_row(
            key,
            str(b["n"]),
            f"{m['below']:.1f}",
            f"{o['below']:.1f}",
            f"{m['within']:.1f}",
            f"{o['within']:.1f}",
            f"{m['above']:.1f}",
            f"{o['above']:.1f}",
        )
    return table


def render_scores(result: dict[str, Any], console: Console | None = None, title: str = "") -> None:
    console = console or Console()
    if title:
        console.print(title, style="bold", markup=False, highlight=False)
    console.print(
        f"  {result['rows_scored']} rows scored"
        + (
            f" ({result['rows_unscorable']} without a range left empty)"
            if result.get("rows_unscorable")
            else ""
        )
        + f"; 10-90% interval coverage {result['coverage_10_90']:.1f}% (aim 80), 25-75% {result['coverage_25_75']:.1f}% (aim 50)",
        markup=False,
        highlight=False,
    )
    p = result["pinball"]
    console.print(
        f"  pinball loss {p['model']:.2f} months against {p['jsin_like_baseline']:.2f} for the JSIN-like "
        f"baseline ({p['improvement_pct']:+.1f}% better); baseline: {p['baseline']}",
        markup=False,
        highlight=False,
    )
    console.print(
        _shares_table(
            "Range position (%), overall and by fiscal year",
            {"all": result["shares"], **{f"FY{k}": v for k, v in result["by_year"].items()}},
        )
    )
    order = sorted(result["by_circuit"], key=lambda c: (c == "DC", int(c) if c.isdigit() else 0))
    console.print(_shares_table("Range position (%) by circuit", {c: result["by_circuit"][c] for c in order}))
    if result.get("model_basis"):
        console.print(f"  model: {result['model_basis']['note']}", markup=False, highlight=False)


def render_practice_checks(checks: dict[str, Any], console: Console | None = None) -> None:
    console = console or Console()
    console.print(
        f"Practice model (offender rows): {checks['basis']['note']}",
        style="bold",
        markup=False,
        highlight=False,
    )
    ho = checks.get("held_out")
    if ho:
        render_scores(
            ho,
            console,
            title=f"Held out: fitted on FY{ho['fitted_on'][0]}-FY{ho['fitted_on'][-1]}, "
            f"scored on FY{ho['held_out']}",
        )
    f = checks.get("fy2019")
    if f:
        t = Table(
            title=f"FY2019 non-production offenders (n {f['n']}): published (secondary source) beside the rows",
            header_style="bold",
            title_justify="left",
        )
        for name in ("Measure", "Model", "Rows", "Published"):
            t.add_column(name)
        for key in ("within_range_pct", "below_range_pct"):
            t.add_row(key, f"{f[key]['model']:.1f}", f"{f[key]['rows']:.1f}", f"{f[key]['published']:.1f}")
        t.add_row(
            "mean_sentence", "", f"{f['mean_sentence']['rows']:.1f}", f"{f['mean_sentence']['published']:.1f}"
        )
        console.print(t)
        console.print(f"  {f['note']}", markup=False, highlight=False)
    t = Table(
        title="Published FY2019 identical-guideline cells (secondary source): the practice model for FY2019",
        header_style="bold",
        title_justify="left",
    )
    for name in ("Cell", "Mean: model", "rows", "published", "Below %: model", "rows", "published"):
        t.add_column(name, overflow="fold")
    for c in checks["cells"]:
        t.add_row(
            c["cell"],
            f"{c['mean']['model']:.0f}",
            f"{c['mean']['rows']}",
            f"{c['mean']['published']}",
            f"{c['below_range_pct']['model']:.1f}",
            f"{c['below_range_pct']['rows']}",
            f"{c['below_range_pct']['published']}",
        )
    console.print(t)
    for name, block in checks["contrasts"].items():
        t = Table(
            title=f"{'Custody' if name == 'custody' else 'Plea type'} contrast (all loaded rows)",
            header_style="bold",
            title_justify="left",
        )
        for col in ("Group", "n", "Below %: model", "observed", "Median months: model", "observed"):
            t.add_column(col)
        for key, b in block.items():
            t.add_row(
                key,
                str(b["n"]),
                f"{b['below_pct']['model']:.1f}",
                f"{b['below_pct']['observed']:.1f}",
                f"{b['median_months']['model']:.0f}",
                f"{b['median_months']['observed']:.0f}",
            )
        console.print(t)
