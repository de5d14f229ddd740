"""The client advisement record for one plea offer: what the government offered, when it was made and
conveyed, how long it stays open, what it exposes the client to beside the alternatives, counsel's
advice, and the client's decision, on one printable page a lawyer can keep (Missouri v. Frye: every
formal offer must be conveyed; Lafler v. Cooper: advice on it must be competent).

Built from an `Analysis` like the memo, and rendered by the same renderers; it computes nothing."""

from __future__ import annotations

from typing import Any

from plealever.analysis import Analysis
from plealever.errors import UsageError
from plealever.guidelines.trace import NOTICE
from plealever.report import views
from plealever.report.context import Block, MemoContext, _Refs
from plealever.report.render import render


def _exposure_row(label: str, row: dict[str, Any], note: str) -> list[str]:
    o = row["outcome"]
    return [
        label,
        views.range_text(row["exposure"]["effective_range"] if "exposure" in row else row["effective_range"]),
        str(row["exposure"]["mandatory_minimum"] if "exposure" in row else row["mandatory_minimum"]),
        f"{o['mean']:.0f}",
        f"{o['p10']:.0f}-{o['p90']:.0f}",
        note,
    ]


def _months(r: dict[str, Any]) -> str:
    return f"{r['min']} months to life" if r["max"] == "life" else f"{r['min']}-{r['max']} months"


def build_advisement(analysis: Analysis, offer_id: str) -> MemoContext:
    analysis.require("scenarios")
    records = {o["id"]: o for o in analysis.offers}
    if offer_id not in records:
        known = ", ".join(records) or "none recorded"
        raise UsageError(f"no offer {offer_id!r} in negotiation.offers (offers: {known})", field="--advisement")
    o = records[offer_id]
    rows = {r["id"]: r for r in analysis.scenarios}
    refs = _Refs(analysis.book)
    blocks: list[Block] = []
    add = blocks.append
    conveyed = f"conveyed to the client on {o['conveyed']}" if o["conveyed"] else "not yet recorded as conveyed to the client"
    open_until = f"open until {o['expires']}" if o["expires"] else "no expiry set"
    add(Block("heading", 2, "The offer"))
    add(
        Block(
            "para",
            text=f"Made by the government on {o['date']}; {conveyed}; {open_until}. Status on "
            f"{analysis.today.isoformat()}: {o['status_today']}"
            + (f" (decided {o['decided']})" if o["decided"] else "")
            + ".",
        )
    )
    add(Block("para", text="Terms: " + o["summary"] + (f"; {o['terms']['other']}" if o["terms"].get("other") else "") + "."))
    add(Block("heading", 2, "Exposure compared"))
    if "outcome" not in o:
        add(Block("para", text=f"The exposure under this offer could not be computed: {o.get('error')}."))
    else:
        note = "certain if accepted while open" if o["option"] else f"no longer open ({o['status_today']})"
        table = [_exposure_row("This offer", o, note)]
        charged = rows.get("plea-as-charged")
        if charged and "outcome" in charged:
            table.append(_exposure_row("Plea as charged (no agreement)", charged, "open to the client"))
        best = rows.get(analysis.comparison.recommended or "")
        if best and "outcome" in best and best["id"] not in ("plea-as-charged", o.get("scenario")):
            if best["kind"] == "trial":
                note = f"recommended; conviction {best['conviction_probability']['mean']:.0%} likely"
            else:
                note = f"recommended; government agreement about {best['agreement_probability']:.0%} likely"
            table.append(_exposure_row(best["label"], best, note))
        trial = rows.get("trial-all")
        if trial and "outcome" in trial and (best is None or best["id"] != "trial-all"):
            p = trial["conviction_probability"]["mean"]
            table.append(
                _exposure_row(
                    "Trial", trial, f"conviction about {p:.0%} likely; {trial['outcome']['mean_if_convicted']:.0f} if convicted"
                )
            )
        add(
            Block(
                "table",
                caption="Months (estimates from the case file as entered; trial means count acquittals as 0)",
                header=["Option", "Range", "Minimum", "Mean", "10th-90th", "Note"],
                rows=table,
            )
        )
        e = o["exposure"]
        cons = e["consequences"]
        add(
            Block(
                "bullets",
                items=[
                    f"Counts of conviction: {', '.join(e['counts'])}; supervised release "
                    + _months(e["supervised_release"]),
                    f"Registration: tier {cons['registration']['tier']} ({cons['registration']['years']} years)"
                    + (f"; {cons['registration']['note']}" if cons["registration"].get("note") else ""),
                    f"Appeal: {cons['appeal']}" + refs.mark(["frcrp-11"]),
                ]
                + [n[0].upper() + n[1:] for n in o.get("notes", [])],
            )
        )
    add(Block("heading", 2, "Advice and decision"))
    add(Block("para", text="Counsel's advice: " + (o["advice"] or "(not recorded)").rstrip(".") + "."))
    decision = {
        "accepted": "accepted",
        "rejected": "rejected",
        "withdrawn": "withdrawn by the government",
        "expired": "lapsed",
        "open": "not yet decided",
    }[o["status_today"]]
    add(Block("para", text=f"Client's decision: {decision}" + (f" on {o['decided']}" if o["decided"] else "") + "."))
    add(
        Block(
            "para",
            text="Counsel must convey every formal offer and advise on it competently"
            + refs.mark(["frye", "lafler"])
            + ". The figures are estimates on stated assumptions, not promises of an outcome.",
        )
    )
    add(Block("para", text="Client: ______________________  Date: __________     Counsel: ______________________  Date: __________"))
    return MemoContext(
        title=f"Client advisement record: offer {o['id']} ({analysis.name})",
        question="What the government offered, when it was conveyed, and how it compares.",
        notice="Privileged and confidential: attorney-client communication and work product. " + NOTICE,
        blocks=blocks,
        references=refs.references(),
        bottom_line="",
    )


def render_advisement(analysis: Analysis, offer_id: str, fmt: str = "md") -> bytes:
    return render(build_advisement(analysis, offer_id), fmt, compact=True)
