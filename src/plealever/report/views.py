"""The rows every face shows, formatted once: the guideline worksheet, the criminal-history worksheet,
the range summary and the scenario table. The terminal, the memo (every format) and the web pages
read these, so the three can never show different steps or different numbers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from plealever.guidelines.trace import Calculation, Range, Step

MARK = {"verified": "", "contested": " (contested)", "unverified": " (UNVERIFIED)"}
STATUS = {"applied": "applied", "not_applied": "not applied", "info": "info"}


@dataclass(frozen=True)
class WorksheetRow:
    """One line of a worksheet. `group` starts a new group of counts (a heading row) when set alone."""

    pin: str
    levels: str
    total: str
    status: str  # e.g. "applied (contested)"
    certainty: str
    reason: str
    citation: str
    authorities: tuple[str, ...]
    group: str | None = None
    heading: bool = False


def levels_text(s: Step) -> str:
    """'+2', '-3', or a base offense level as a level ('22'); empty when the step added nothing."""
    if s.status != "applied":
        return ""
    # A base offense level is a level, not a change.
    if s.pin.startswith("2") and s.pin.split(")")[0].endswith("(a"):
        return str(s.levels)
    return f"{s.levels:+d}"


def status_text(s: Step) -> str:
    return STATUS[s.status] + MARK[s.certainty]


def _row(s: Step, levels: str) -> WorksheetRow:
    return WorksheetRow(
        pin=s.pin,
        levels=levels,
        total="" if s.running_total is None else str(s.running_total),
        status=status_text(s),
        certainty=s.certainty,
        reason=s.reason,
        citation=s.citation,
        authorities=tuple(s.authorities),
        group=s.group,
    )


def worksheet_rows(c: Calculation) -> list[WorksheetRow]:
    """Every step of the calculation in order, with a heading row where a new group of counts starts.

    Nothing is filtered out: a provision considered and not applied is part of the worksheet (and
    says why), so a reader sees what was weighed, not only what added levels."""
    out: list[WorksheetRow] = []
    group = None
    for s in c.steps:
        if s.group != group and s.group is not None:
            out.append(WorksheetRow("", "", "", "", "verified", s.group, "", (), s.group, heading=True))
        group = s.group
        out.append(_row(s, levels_text(s)))
    return out


def history_rows(c: Calculation) -> list[WorksheetRow]:
    """The criminal-history steps (points per record), record by record."""
    if c.history is None:
        return []
    return [
        _row(s, f"{s.levels}" if s.status == "applied" else "")
        for s in c.history.steps
        if s.group is not None
    ]


def shows_history(c: Calculation) -> bool:
    """The criminal-history worksheet is shown when it was computed from records (or has several steps)."""
    return c.history is not None and (c.history.from_records or len(c.history.steps) > 1)


def range_lines(c: Calculation) -> list[str]:
    """The summary under a worksheet: level and category, and the four ranges."""
    return [
        f"Total offense level {c.total_offense_level}, criminal history category {c.criminal_history_category}",
        f"Guideline range {c.guideline_range.text()} (zone {c.zone})",
        f"Statutory range {c.statutory_range.text()}",
        f"Effective range {c.effective_range.text()}",
        f"Supervised release {c.supervised_release.text()} (18 U.S.C. § 3583)",
    ]


def count_lines(c: Calculation) -> list[str]:
    return [
        f"{e.label}: {e.statute} -> §{e.guideline}; statutory range {e.statutory_range.text()} "
        f"({e.tier}){MARK[e.certainty]}"
        for e in c.counts
    ]


def edition_line(c: Calculation) -> str:
    verified = "" if c.edition_verified else " — UNVERIFIED edition"
    return f"Manual: Nov. 1, {c.edition.year} edition ({c.edition}){verified}"


# --- scenarios ----------------------------------------------------------------------------------

SCENARIO_HEADER = (
    "Scenario",
    "Availability",
    "Agreement",
    "Level/CHC",
    "Effective range",
    "Minimum",
    "Mean",
    "10th-90th",
    "Saved vs as charged",
    "Acquittal",
    "Break-even",
    "If pursued",
)


def range_text(r: dict[str, Any] | Range | None) -> str:
    if r is None:
        return ""
    if isinstance(r, Range):
        return str(r)
    lo, hi = r["min"], r["max"]
    return f"{lo}" if lo == hi else f"{lo}-{hi}"


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value:.0%}"


def scenario_rows(rows: list[dict[str, Any]]) -> list[list[str]]:
    """One table row per scenario (the `scenarios --json` rows), the same columns in every face."""
    out = []
    for r in rows:
        if "outcome" not in r:
            out.append([r["label"], "closed", "", "", "", "", "", "", "", "", r.get("error") or "", ""])
            continue
        o = r["outcome"]
        saved = r.get("months_saved_vs_plea_as_charged")
        out.append(
            [
                r["label"],
                r["availability"].replace("_", " "),
                _pct(r.get("agreement_probability")),
                f"{r['total_offense_level']}/{r['criminal_history_category']}",
                range_text(r["effective_range"]),
                str(r["mandatory_minimum"]),
                f"{o['mean']:.0f}",
                f"{o['p10']:.0f}-{o['p90']:.0f}",
                "" if saved is None else f"{saved:+.0f}",
                _pct(o.get("p_acquittal")),
                _pct(r.get("break_even_conviction_probability")),
                ("" if r.get("expected_if_pursued") is None else f"{r['expected_if_pursued']:.0f}")
                + (" (recommended)" if r.get("recommended") else ""),
            ]
        )
    return out


def scenario_notes(rows: list[dict[str, Any]]) -> list[str]:
    """Why each scenario is (un)available, what it carries with it, and what dominates it."""
    out = []
    for r in rows:
        parts = list(r.get("availability_reasons") or []) + list(r.get("notes") or [])
        if r.get("dominated_by"):
            parts.append("dominated by " + ", ".join(r["dominated_by"]))
        if parts:
            out.append(f"{r['label']}: " + "; ".join(parts))
    return out


SCENARIO_NOTE = (
    "Months; means over simulated sentences (trial includes acquittals as 0). Break-even: the "
    "probability of conviction at which trial and the plea have the same expected sentence. If pursued: "
    "the expected months of seeking the scenario (a plea the government refuses falls back to the plea as "
    "charged; trial counts the chance of acquittal); the recommended option has the fewest."
)


def assumptions(parameters: list[dict[str, Any]]) -> list[str]:
    """The outcome-model parameters that are assumptions, not measurements."""
    return [p["parameter"] for p in parameters if p["kind"] == "assumption"]


# --- what is measured and what is assumed; the recommendation and whether it holds -------------------

ASSUMPTION_HEADER = ("Parameter", "Kind", "Value", "Range varied", "Source or reason")
KIND_LABEL = {
    "measured": "measured",
    "fitted": "measured (fitted)",
    "published": "published",
    "assumption": "assumed",
}


def _value(v: Any) -> str:
    if isinstance(v, dict):
        return ", ".join(f"{k} {x:g}" if isinstance(x, int | float) else f"{k} {x}" for k, x in v.items())
    if isinstance(v, float):
        return f"{v:g}"
    return "" if v is None else str(v)


def assumption_rows(items: list[dict[str, Any]]) -> list[list[str]]:
    """One row per parameter of the `assumptions` list: measured, published and assumed alike."""
    return [
        [
            a["name"].replace("_", " "),
            KIND_LABEL.get(a["kind"], a["kind"])
            + (" (set in the case file)" if a.get("overridden") else "")
            + ("" if a.get("used", True) else f" (not used here: {a['unused_because']})"),
            _value(a["value"]),
            "" if a["low"] is None else f"{_value(a['low'])} to {_value(a['high'])}",
            a["source"].split(": ", 1)[-1],
        ]
        for a in items
    ]


def grouped_assumptions(items: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Parameter names by what they are: measured (and fitted), published, assumed."""
    out: dict[str, list[str]] = {"measured": [], "published": [], "assumed": []}
    for a in items:
        key = "measured" if a["kind"] in ("measured", "fitted") else "published" if a["kind"] == "published" else "assumed"
        out[key].append(a["name"].replace("_", " "))
    return out


def _label(rows: list[dict[str, Any]], scenario_id: str) -> str:
    return next((r["label"] for r in rows if r["id"] == scenario_id), scenario_id)


def robust_text(rows: list[dict[str, Any]], recommended: str | None, robust: dict[str, Any]) -> str:
    """'holds for every assumption in its range', or 'depends on X: if X is above T, option Y is better'."""
    if not recommended or recommended not in robust:
        return ""
    verdict = robust[recommended]
    if verdict is True:
        return "the recommendation holds for every assumption in its range"
    name = verdict["assumption"].replace("_", " ")
    if isinstance(verdict["threshold"], dict):  # a table moves as a whole toward one end of its range
        end = "high" if verdict["side"] == "above" else "low"
        where = f"moved more than {verdict['distance']:.0%} of the way from its assumed values to the {end} end of its range"
    else:
        where = (
            f"{verdict['side']} {_value(verdict['threshold'])} (assumed {_value(verdict['value'])}; range "
            f"{_value(verdict['low'])} to {_value(verdict['high'])})"
        )
    also = verdict.get("also") or []
    more = f"; it also turns on {', '.join(a.replace('_', ' ') for a in also)}" if also else ""
    if verdict.get("margin") is not None and verdict["margin"] < 2:
        more += f" (the next option is only {verdict['margin']:.1f} expected months behind)"
    return (
        f'the recommendation depends on {name}: if it is {where}, "{_label(rows, verdict["better"])}" is better{more}'
    )


def recommended_text(rows: list[dict[str, Any]], recommended: str | None) -> str:
    r = next((x for x in rows if x["id"] == recommended), None)
    if r is None:
        return ""
    if r["kind"] == "trial":
        return (
            f'"{r["label"]}": about {r["expected_if_pursued"]:.0f} expected months, counting a '
            f"{r['conviction_probability']['mean']:.0%} chance of conviction"
        )
    if r["id"] == "plea-as-charged" or (r.get("agreement_probability") or 0) >= 0.999:
        return f'"{r["label"]}": about {r["expected_if_pursued"]:.0f} expected months, needing no further agreement'
    return (
        f'pursue "{r["label"]}": about {r["expected_if_pursued"]:.0f} expected months, counting the '
        f"{1 - r['agreement_probability']:.0%} chance the government refuses and the plea as charged follows"
    )


INVESTIGATION_HEADER = ("Rank", "Missing evidence", "Chance favourable", "Best outcome now", "If favourable", "Expected saving")


def investigation_rows(items: list[dict[str, Any]]) -> list[list[str]]:
    return [
        [
            str(i),
            r["what"],
            f"{r['chance_favourable']:.0%}",
            f"{r['expected_months_now']:.0f} months",
            f"{r['expected_months_if_favourable']:.0f} months",
            f"{r['expected_saving']:.1f} months",
        ]
        for i, r in enumerate(items, 1)
    ]


OFFER_HEADER = ("Offer", "Made", "Conveyed", "Expires", "Status today", "Terms", "Range", "Mean", "Versus recommended")


def offer_rows(offers: list[dict[str, Any]]) -> list[list[str]]:
    out = []
    for o in offers:
        versus = o.get("versus_recommended")
        out.append(
            [
                o["id"],
                o["date"],
                o["conveyed"] or "not recorded",
                o["expires"] or "",
                o["status_today"] + ("" if o["option"] else " (history)"),
                o["summary"],
                range_text(o["exposure"]["effective_range"]) if "exposure" in o else o.get("error") or "",
                f"{o['outcome']['mean']:.0f}" if "outcome" in o else "",
                f"{versus['difference']:+.0f} months vs {versus['id']}" if versus else "",
            ]
        )
    return out
