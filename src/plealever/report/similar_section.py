"""The memo's similar-offender section: the panel of negotiation/similar.py as memo blocks."""

from __future__ import annotations

from typing import Any

from plealever.report.practice_view import histogram_label, spark


def similar_blocks(analysis, refs, block) -> list[Any]:
    """Heading, one table per range and the caveats; `block` is the memo's Block type."""
    p = analysis.similar or {"error": "the analysis has no scenarios"}
    if "error" in p:
        return [
            block("heading", 3, "E. Similar offenders"),
            block("para", text=f"Not available: {p['error']}."),
        ]
    rec = p["records"]
    out = [
        block("heading", 3, "E. Similar offenders"),
        block(
            "para",
            text=f"What happened to offenders sentenced with the same guideline range as found: {rec['note']}"
            + refs.mark(["ussc-individual", "ussc-codebook"])
            + f". Groups with fewer than {p['min_n']} offenders show no figures.",
        ),
    ]
    for r in p["ranges"]:
        rows = []
        for g in r["groups"]:
            if g["too_few"]:
                rows.append([g["label"], str(g["n"]), "too few cases", "", "", "", ""])
                continue
            s, m = g["sentence"], g["share_of_minimum"]
            rows.append(
                [
                    g["label"],
                    str(g["n"]),
                    f"{g['below_pct']:.0f}% / {g['within_pct']:.0f}% / {g['above_pct']:.0f}%",
                    f"{s['median']:g}",
                    f"{s['p10']:g}-{s['p90']:g}",
                    f"{m['median']:.2f} ({m['p10']:.2f}-{m['p90']:.2f})",
                    spark(g["histogram"]),
                ]
            )
        mo = r["model"]
        q, n = mo["quantiles"], mo["n"]
        rows.append(
            [
                f"Model for this client ({mo['plea']} plea)",
                f"{n['nation']}" + (f" / {n['district']} in district" if n["district"] is not None else ""),
                f"{100 * mo['shares']['below']:.0f}% / {100 * mo['shares']['within']:.0f}% / {100 * mo['shares']['above']:.0f}%",
                f"{q['q50']:g}",
                f"{q['q10']:g}-{q['q90']:g}",
                "",
                "",
            ]
        )
        out.append(
            block(
                "table",
                caption=f"Range {r['range']['text']} months as found (level {r['level']}, category {r['category']}): "
                + "; ".join(r["scenarios"])
                + f". {histogram_label(r['histogram_edges'])}",
                header=[
                    "Offenders",
                    "n",
                    "Below / within / above",
                    "Median months",
                    "10th-90th",
                    "Share of minimum",
                    "Histogram",
                ],
                rows=rows,
            )
        )
    out.append(
        block("para", text=p["ranges"][0]["model"]["basis"]["note"].capitalize() + "." if p["ranges"] else "")
    )
    out.append(block("bullets", items=[*p["cannot_separate"], p["still_useful"]]))
    return out
