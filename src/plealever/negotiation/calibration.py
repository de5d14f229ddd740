"""Fit and check the judge-position model against Sentencing Commission records.

The supplemental files give, for each sentenced defendant, the sentence's position relative to the
guideline range (SENTRNGE) and the extent of any reduction (PCNTDEPT). For offense category 7 the
codes are bucketed as within range (0), above (1, 6), below on a government motion (2, 3, 4) and
below otherwise (5, 7, 8); the bucketing follows the team's reading of the codes, which matches the
Commission's published FY2016 within-range share.
"""

from __future__ import annotations

import csv
import lzma
from collections import Counter
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from plealever.errors import CaseFileError

BUCKETS = {
    "0": "within",
    "1": "above",
    "6": "above",
    "2": "below_government",
    "3": "below_government",
    "4": "below_government",
    "5": "below_other",
    "7": "below_other",
    "8": "below_other",
}
SHARE_KEYS = {
    "within": "within_range",
    "above": "above_range",
    "below_government": "below_range_government",
    "below_other": "below_range_other",
}
DECILES = list(range(0, 101, 10))


@dataclass
class Records:
    n: int
    shares: dict[str, float]
    reductions_other: np.ndarray
    reductions_government: np.ndarray
    increases: np.ndarray
    codes: dict[str, int] = field(default_factory=dict)  # SENTRNGE code -> rows (unbucketed)


def bundled(year: int) -> Path:
    return Path(
        str(
            resources.files("plealever.negotiation")
            / "calibration_data"
            / f"ussc_sup_fy{year % 100:02d}.csv.xz"
        )
    )


def read(path: str | Path) -> Records:
    """Category-7 records of one supplemental file (CSV, optionally xz-compressed)."""
    path = Path(path)
    opener = lzma.open if path.suffix == ".xz" else open
    try:
        with opener(path, "rt", newline="") as fh:
            reader = csv.DictReader(fh)
            need = {"OFFGUIDE", "SENTRNGE", "PCNTDEPT"}
            if not need <= set(reader.fieldnames or []):
                raise CaseFileError(f"expected columns {', '.join(sorted(need))}", file=str(path))
            rows = [(r["SENTRNGE"], r["PCNTDEPT"]) for r in reader if r["OFFGUIDE"].strip() == "7"]
    except (OSError, lzma.LZMAError, UnicodeDecodeError, csv.Error) as exc:
        raise CaseFileError(f"cannot read the records ({exc})", file=str(path)) from None
    if not rows:
        raise CaseFileError("no records with OFFGUIDE 7 (child pornography)", file=str(path))
    counts = dict.fromkeys(SHARE_KEYS, 0)
    red_o, red_g, inc = [], [], []
    for code, pct in rows:
        bucket = BUCKETS.get(code.strip())
        if bucket is None:
            continue
        counts[bucket] += 1
        if pct.strip():
            value = float(pct)
            {"below_other": red_o, "below_government": red_g, "above": inc}.get(bucket, []).append(value)
    n = sum(counts.values())
    codes = Counter(code.strip() for code, _ in rows if code.strip() in BUCKETS)
    return Records(
        n, {k: v / n for k, v in counts.items()}, np.array(red_o), np.array(red_g), np.array(inc), dict(codes)
    )


def fit(paths: list[str | Path]) -> dict[str, Any]:
    """The `fitted` block of outcome-model.yaml from the given files (pooled)."""
    recs = [read(p) for p in paths]
    n = sum(r.n for r in recs)
    shares = {k: round(sum(r.shares[k] * r.n for r in recs) / n, 4) for k in SHARE_KEYS}
    pooled = lambda attr: np.concatenate([getattr(r, attr) for r in recs])  # noqa: E731
    dec = lambda xs: [round(float(v), 1) for v in np.percentile(xs, DECILES)]  # noqa: E731
    return {
        "n": n,
        "shares": shares,
        "reduction_pct_below_other": dec(pooled("reductions_other")),
        "reduction_pct_below_government": dec(pooled("reductions_government")),
        "increase_pct_above": dec(pooled("increases")),
    }


def compare(fitted: dict[str, Any], observed: Records) -> dict[str, dict[str, float]]:
    """Model (fitted) against observed shares and median reduction, in percent."""
    out = {
        SHARE_KEYS[k]: {
            "model": round(100 * fitted["shares"][k], 1),
            "observed": round(100 * observed.shares[k], 1),
        }
        for k in SHARE_KEYS
    }
    out["median_reduction_pct"] = {
        "model": round(float(fitted["reduction_pct_below_other"][5]), 1),
        "observed": round(float(np.median(observed.reductions_other)), 1),
    }
    return out


def report(book, years_fit=(2014, 2015), holdout=(2016,)) -> dict[str, Any]:
    """The model beside the data it was fitted on, the held-out years, and the published FY2019 cells."""
    from plealever.negotiation.outcomes import Judge, Params, sentence_draws

    params = Params(book)
    fitted = params.fitted
    out: dict[str, Any] = {"fitted_years": list(fitted["years"]), "fitting": {}, "held_out": {}, "cells": []}
    for year in years_fit:
        out["fitting"][str(year)] = compare(fitted, read(bundled(year)))
    for year in holdout:
        out["held_out"][str(year)] = compare(fitted, read(bundled(year)))
    for cell in book.documents["outcome-model"]["published"]["fy2019_cells"]:
        lo, hi = cell["range"]
        judge = Judge(lo, hi, cell["minimum"], 240)
        draws = sentence_draws(params, judge, int(params["draws"]), int(params["seed"]))
        out["cells"].append(
            {
                "cell": f"FY2019 {cell['offense']}, level {cell['level']}, category {cell['category']}, {lo}-{hi}",
                "mean": {"model": round(float(draws.mean()), 1), "published": cell["mean"]},
                "below_range_pct": {
                    "model": round(100 * float((draws < lo - 1e-9).mean()), 1),
                    "published": cell["below_pct"],
                },
                "grade": cell["grade"],
                "note": cell.get("note"),
            }
        )
    return out


def refit() -> dict[str, Any]:
    return fit([bundled(2014), bundled(2015)])


def file_kind(path: str | Path) -> str:
    """'supplemental' (SENTRNGE, no range as found), 'offender' (XMINSOR) or 'neither', from the header."""
    path = Path(path)
    if path.suffix.lower() in (".sas7bdat", ".xpt"):
        return "offender"
    opener = lzma.open if path.suffix == ".xz" else open
    try:
        with opener(path, "rt", newline="") as fh:
            header = {h.strip().upper() for h in next(csv.reader(fh), [])}
    except (OSError, lzma.LZMAError, UnicodeDecodeError, csv.Error, EOFError):
        return "offender"  # the offender-row reader gives the precise error
    if "XMINSOR" in header or not header:
        return "offender"
    if "SENTRNGE" in header:
        return "supplemental"
    return "neither"
