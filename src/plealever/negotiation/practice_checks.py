"""The practice model beside what is known: the held-out year, the published FY2019 cells and shares,
and the custody and plea-type contrasts in the rows (model against observed)."""

from __future__ import annotations

from typing import Any

import numpy as np

from plealever.data.records import Records
from plealever.negotiation import practice

# Published FY2019 figures for non-production offenders (../shared/data/published-figures.md §3, grade S:
# secondary sources quoting the Commission's 2021 report). The rows' own range positions are "as found",
# before statutory minimums and maximums, so they are not the Commission's published positions.
PUBLISHED_FY2019 = {"within_range_pct": 30.0, "below_range_pct": 59.0, "mean_sentence": 103.0}


def contrasts(params: practice.Params, recs: Records) -> dict[str, Any]:
    """Below-range share and median sentence by custody and by plea type: model and observed, per group."""
    rows, y, ok = practice.rows_from_records(recs)
    m = ok & ~np.isnan(y)
    pred = practice.predict_records(params, recs.subset(m), n=1000)
    rows_m, y_m = practice._subset(rows, m), y[m]
    pos = practice.position(y_m, rows_m)
    out: dict[str, Any] = {}
    for name, values, labels in (
        ("custody", rows_m.custody, practice.CUSTODY),
        ("plea", rows_m.plea, practice.PLEAS),
    ):
        block = {}
        for i, label in enumerate(labels):
            g = values == i
            if g.sum() < 10:
                continue
            block[label] = {
                "n": int(g.sum()),
                "below_pct": {
                    "model": round(100 * float(pred[g, 0].mean()), 1),
                    "observed": round(100 * float(np.mean(pos[g] == 0)), 1),
                },
                "median_months": {
                    "model": round(float(np.median(pred[g, 5])), 1),
                    "observed": round(float(np.median(y_m[g])), 1),
                },
            }
        out[name] = block
    return out


def published_cells(book, params: practice.Params, recs: Records) -> list[dict[str, Any]]:
    """The FY2019 identical-guideline cells: the model (FY2019, the cell's statute) beside the published
    figure and the rows' own FY2019 cell."""
    out = []
    y_all = recs["SENTTOT"].copy()
    y_all[np.isnan(y_all) & np.isin(recs["SENTIMP"], (0, 3, 4))] = 0.0
    for cell in book.documents["outcome-model"]["published"]["fy2019_cells"]:
        lo, hi = cell["range"]
        pc = practice.PracticeCell(
            range_min=lo, range_max=hi, chc=1, year=2019, statutory_min=cell["minimum"], statutory_max=240
        )
        draws = practice.predict(pc, n=20000, seed=3, params=params)
        mask = (recs["FISCAL_YEAR"] == 2019) & (recs["XMINSOR"] == lo) & (recs["XMAXSOR"] == hi)
        ys = y_all[mask]
        out.append(
            {
                "cell": f"FY2019 {cell['offense']}, level {cell['level']}, category {cell['category']}, {lo}-{hi}",
                "mean": {
                    "model": round(float(draws.mean()), 1),
                    "published": cell["mean"],
                    "rows": round(float(ys.mean()), 1) if len(ys) else None,
                },
                "below_range_pct": {
                    "model": round(100 * float((draws < lo - 1e-9).mean()), 1),
                    "published": cell["below_pct"],
                    "rows": round(100 * float((ys < lo).mean()), 1) if len(ys) else None,
                },
                "rows_n": int(len(ys)),
                "grade": cell["grade"],
                "note": cell.get("note"),
            }
        )
    return out


def fy2019_shares(params: practice.Params, recs: Records) -> dict[str, Any]:
    sub = recs.subset(recs["FISCAL_YEAR"] == 2019)
    if len(sub) == 0:
        return {}
    rows, y, ok = practice.rows_from_records(sub)
    m = ok & ~np.isnan(y)
    pred = practice.predict_records(params, sub.subset(m), n=1000)
    pos = practice.position(y[m], practice._subset(rows, m))
    return {
        "n": int(m.sum()),
        "within_range_pct": {
            "model": round(100 * float(pred[:, 1].mean()), 1),
            "rows": round(100 * float(np.mean(pos == 1)), 1),
            "published": PUBLISHED_FY2019["within_range_pct"],
        },
        "below_range_pct": {
            "model": round(100 * float(pred[:, 0].mean()), 1),
            "rows": round(100 * float(np.mean(pos == 0)), 1),
            "published": PUBLISHED_FY2019["below_range_pct"],
        },
        "mean_sentence": {
            "rows": round(float(np.mean(y[m])), 1),
            "published": PUBLISHED_FY2019["mean_sentence"],
        },
        "note": "the rows' positions are against the range as found, before statutory limits; the published "
        "shares are against the range after them, so the rows show fewer within range",
    }


def report(book) -> dict[str, Any]:
    from plealever.data.store import load

    params = practice.load_params()
    recs = load()
    return {
        "basis": params.basis(),
        "held_out": params.doc.get("held_out"),
        "fy2019": fy2019_shares(params, recs),
        "cells": published_cells(book, params, recs),
        "contrasts": contrasts(params, recs),
    }
