"""The negotiation figures the outcome model takes from the Commission's records, derived here so a
test can recompute every one and compare it with law/data/outcome-model.yaml:

* `plea_agreement_share`: how the sentenced child-pornography offenders of FY2019-FY2023 were
  convicted (plea agreement, straight plea, trial; DSPLEA);
* `trial_below_factor`: the trial penalty at the same range: the share of sentences below the range
  after a trial conviction over the share after a plea, within bands of the range minimum (weighted
  by the trials in each band), with a bootstrap interval;
* `agree_variance_recommendation`: the share of FY2014-FY2016 sentences below the range on a
  government motion other than §5K1.1 (SENTRNGE 3 and 4), and its range across the years.
"""

from __future__ import annotations

from typing import Any

import numpy as np

# Range-minimum bands (months) for comparing trial and plea sentences at the same range.
BANDS = (60.0, 97.0, 151.0, 210.0)
PLEA, STRAIGHT, TRIAL = 0, 1, 2  # indices into practice.PLEAS ("agreement", "straight", "trial")


def plea_shares(recs) -> dict[str, Any]:
    """Counts and shares of plea agreements, straight pleas and trials among rows whose type is known."""
    from plealever.negotiation.practice import plea_category

    kinds = [plea_category(v) for v in recs["DSPLEA"]]
    counts = {k: kinds.count(k) for k in ("agreement", "straight", "trial")}
    n = sum(counts.values())
    return {"n": n, "counts": counts, "shares": {k: v / n for k, v in counts.items()}, "years": recs.years}


def _factor(plea: np.ndarray, below: np.ndarray, band: np.ndarray) -> float:
    num = den = 0.0
    for b in range(len(BANDS) + 1):
        trial = (plea == TRIAL) & (band == b)
        pleas = (plea != TRIAL) & (band == b)
        if trial.any() and pleas.any():
            weight = float(trial.sum())
            num += weight * below[trial].mean()
            den += weight * below[pleas].mean()
    return num / den


def trial_below_factor(recs, *, resamples: int = 2000, seed: int = 1) -> dict[str, Any]:
    """The trial-to-plea ratio of below-range shares at the same range, and a 90% bootstrap interval."""
    from plealever.negotiation.practice import PLEAS, rows_from_records

    rows, y, scorable = rows_from_records(recs)
    keep = scorable & ~np.isnan(y) & (rows.plea != PLEAS.index("unknown"))
    plea, lo, y = rows.plea[keep], rows.lo[keep], y[keep]
    below = y < lo - 1e-6
    band = np.searchsorted(np.array(BANDS), lo, side="right")
    value = _factor(plea, below, band)
    rng = np.random.default_rng(seed)
    n = len(plea)
    boot = []
    for _ in range(resamples):
        i = rng.integers(0, n, n)
        boot.append(_factor(plea[i], below[i], band[i]))
    low, high = np.percentile(boot, [5, 95])
    return {
        "value": float(value),
        "low": float(low),
        "high": float(high),
        "n": int(n),
        "trials": int((plea == TRIAL).sum()),
        "years": recs.years,
    }


def government_below(years=(2014, 2015, 2016)) -> dict[str, Any]:
    """Below-range sentences on a government motion other than §5K1.1 (codes 3 and 4), by year."""
    from plealever.negotiation.calibration import bundled, read

    by_year = {}
    total = hits = 0
    for year in years:
        codes = read(bundled(year)).codes
        n = sum(codes.values())
        k = codes.get("3", 0) + codes.get("4", 0)
        by_year[year] = k / n
        total += n
        hits += k
    return {"value": hits / total, "low": min(by_year.values()), "high": max(by_year.values()), "n": total, "by_year": by_year}
