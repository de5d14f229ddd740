"""Similar offenders: what happened to offenders sentenced with the case's guideline range.

For each range (the case's own, as charged, and its scenarios'), the loaded offender rows with that
range as found (XMINSOR..XMAXSOR) are counted nationally, in the case's circuit and district, and by
plea type: the shares below / within / above the range, the median and 10th-90th percentiles of the
sentence and of the sentence as a share of the range minimum, and a small histogram. Below MIN_N
rows a group says "too few cases" instead of a number. Beside them, the practice model's estimate
for this client (district, plea type, custody) with the n's it rests on.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from plealever.data.records import LIFE_CODE, Records
from plealever.errors import PlealeverError
from plealever.negotiation import practice

MIN_N = 10  # below this many rows a group's figures are not shown
HISTOGRAM_BINS = 8
PLEA_LABELS = {
    "agreement": "written plea agreement",
    "straight": "straight plea (no agreement)",
    "trial": "trial",
}

CANNOT_SEPARATE = [
    "Possession, receipt and distribution: the rows carry no statute of conviction, so offenders with the "
    "same range may have been convicted of offenses with different statutory minimums and maximums.",
    "Government-sponsored reductions: 'below range' here includes §5K1.1 substantial-assistance and other "
    "government-sponsored sentences as well as departures and variances the court granted on its own.",
    "Statutory minimums: the rows carry none; a sentence of exactly 60 months below the range is usually "
    "the receipt or distribution minimum, not a judge's free choice.",
    "Offense conduct beyond the range (the images, any contact history) and the judge are not in the rows.",
]
STILL_USEFUL = (
    "The range as found is what the judge had before them, so these offenders faced the same guideline "
    "advice; the spread shows how far practice departs from it, nationally and here, and the plea-type "
    "rows show what an agreement or a trial has gone with. They describe past sentences, not this client."
)


def _sentence(recs: Records) -> np.ndarray:
    y = recs["SENTTOT"].copy()
    y[np.isnan(y) & np.isin(recs["SENTIMP"], (0, 3, 4))] = 0.0
    return y


def _group(y: np.ndarray, lo: float, hi: float, mask: np.ndarray, edges: np.ndarray) -> dict[str, Any]:
    vals = y[mask & ~np.isnan(y)]
    n = int(len(vals))
    out: dict[str, Any] = {"n": n}
    if n < MIN_N:
        out["too_few"] = True
        return out
    below = vals < lo - 1e-6
    above = (vals > hi + 1e-6) if np.isfinite(hi) else np.zeros(n, dtype=bool)
    ratio = vals / max(lo, 1.0)
    counts, _ = np.histogram(np.minimum(vals, edges[-1] - 1e-9), bins=edges)
    out.update(
        {
            "too_few": False,
            "below_pct": round(100 * float(below.mean()), 1),
            "within_pct": round(100 * float((~below & ~above).mean()), 1),
            "above_pct": round(100 * float(above.mean()), 1),
            "sentence": {
                k: round(float(np.quantile(vals, q)), 1)
                for k, q in (("p10", 0.1), ("median", 0.5), ("p90", 0.9))
            },
            "share_of_minimum": {
                k: round(float(np.quantile(ratio, q)), 2)
                for k, q in (("p10", 0.1), ("median", 0.5), ("p90", 0.9))
            },
            "histogram": [int(c) for c in counts],
        }
    )
    return out


def panel_for_range(
    recs: Records,
    range_min: int | str,
    range_max: int | str,
    *,
    district: int | None = None,
    circuit: str | None = None,
    label: str = "",
) -> dict[str, Any]:
    """The figures for one range as found (months, or 'life')."""
    from plealever.law.districts import by_code, circuit_of

    code_min = LIFE_CODE if range_min == "life" else int(range_min)
    code_max = LIFE_CODE if range_max == "life" else int(range_max)
    lo = float(practice.LIFE_MONTHS if range_min == "life" else range_min)
    hi = float("inf") if range_max == "life" else float(range_max)
    y = _sentence(recs)
    cell = (recs["XMINSOR"] == code_min) & (recs["XMAXSOR"] == code_max)
    top = max(hi if np.isfinite(hi) else lo, float(np.nanquantile(y[cell], 0.95)) if cell.any() else lo)
    edges = np.unique(np.round(np.linspace(0, top * 1.0001 + 1, HISTOGRAM_BINS + 1)))
    circ = np.array([circuit_of(int(d)) or "" for d in recs["DISTRICT"]], dtype=object)
    plea = np.array([practice.plea_category(v) for v in recs["DSPLEA"]], dtype=object)
    # Each place (the nation, the case's circuit, its district), whole and then by plea type: the
    # national plea rows keep their keys ("plea:agreement"); a place's are "circuit:plea:agreement".
    places: list[tuple[str, str, np.ndarray]] = [("nation", "All districts", cell)]
    if circuit:
        name = "D.C. Circuit" if circuit == "DC" else f"Circuit {circuit}"
        places.append(("circuit", name, cell & (circ == circuit)))
    if district is not None:
        d = by_code(district)
        places.append(("district", d.court_name if d else str(district), cell & (recs["DISTRICT"] == district)))
    groups: list[dict[str, Any]] = [
        {"group": key, "label": name, **_group(y, lo, hi, mask, edges)} for key, name, mask in places
    ]
    for key, name, mask in places:
        prefix = "" if key == "nation" else f"{key}:"
        for plea_key, text in PLEA_LABELS.items():
            groups.append(
                {
                    "group": f"{prefix}plea:{plea_key}",
                    "label": f"{name}, {text}",
                    **_group(y, lo, hi, mask & (plea == plea_key), edges),
                }
            )
    rng = (
        "life"
        if range_min == "life"
        else (f"{range_min} months to life" if range_max == "life" else f"{range_min}-{range_max}")
    )
    return {
        "label": label,
        "range": {"min": range_min, "max": range_max, "text": rng},
        "histogram_edges": [int(e) for e in edges],
        "groups": groups,
    }


def panel(case, result, comparison=None, *, today: dt.date | None = None, records: Records | None = None) -> dict[str, Any]:
    """The panel for the charges' calculation (`result`) and each scenario's (`comparison`); analyse()
    calls this once, and the faces read the result from the Analysis."""
    entries = [("the case as charged", result.calculation, "straight")]
    if comparison is not None:
        for sc in comparison.scenarios.values():
            if sc.result is None:
                continue
            spec = sc.spec
            plea = "trial" if spec.kind == "trial" else practice.PLEA_OF_SCENARIO[spec.plea_type]
            entries.append((spec.label, sc.result.calculation, plea))
    return build(case, entries, today=today, records=records)


def panel_for_analysis(analysis, *, records: Records | None = None) -> dict[str, Any]:
    """The panel of an analysis: the one it carries, or (with other `records`) one built afresh."""
    if analysis.result is None:
        raise analysis.error
    if records is None and analysis.similar is not None:
        if "error" in analysis.similar:
            raise PlealeverError(analysis.similar["error"])
        return analysis.similar
    return panel(analysis.case, analysis.result, analysis.comparison, today=analysis.today, records=records)


def build(
    case, entries: list[tuple[str, Any, str]], *, today: dt.date | None = None, records: Records | None = None
) -> dict[str, Any]:
    """The panel for (label, calculation, plea type) entries; ranges met twice are shown once."""
    from plealever.data.store import load

    recs = records or load()
    district = case.court.district_record()
    circuit = case.court.effective_circuit()
    seen: dict[tuple, dict[str, Any]] = {}
    ranges = []
    for label, c, plea in entries:
        g = c.guideline_range
        key = (g.min, g.max)
        if key in seen:
            if label not in seen[key]["scenarios"]:
                seen[key]["scenarios"].append(label)
            continue
        p = panel_for_range(
            recs, g.min, g.max, district=district.code if district else None, circuit=circuit, label=label
        )
        p["level"] = c.total_offense_level
        p["category"] = c.criminal_history_category
        p["scenarios"] = [label]
        cell = practice.cell_for(case, c, plea=plea, statutory_known=True, today=today)
        p["model"] = practice.summary(cell, today=today)
        p["model"]["plea"] = plea
        seen[key] = p
        ranges.append(p)
    years = recs.years
    return {
        "case": case.name,
        "district": district.court_name if district else None,
        "district_code": district.code if district else None,
        "circuit": circuit,
        "custody": case.defendant.custody,
        "records": {
            "source": recs.source,
            "fiscal_years": years,
            "rows": len(recs),
            "rows_by_year": recs.counts_by_year(),
            "checksum": recs.checksum(),
            "note": f"{len(recs)} child-pornography offender rows (OFFGUIDE 7), FY{years[0]}-FY{years[-1]}, "
            "the Sentencing Commission's individual-offender files",
        },
        "min_n": MIN_N,
        "ranges": ranges,
        "cannot_separate": CANNOT_SEPARATE,
        "still_useful": STILL_USEFUL,
    }
