"""Sentencing practice: a distribution of the sentence for a guideline range, fitted to offender rows.

For a range as found (before statutory limits), the criminal-history category, the district (and so
the circuit), the plea type, pre-sentence custody and the fiscal year, the model gives the chance the
sentence falls below, within or above the range and, in each, how far. It is a mixture:

* the position (below / within / above) is a multinomial logit whose district and circuit effects
  are partially pooled (district toward circuit toward nation: Gaussian random effects fitted by
  penalised likelihood, with the prior widths chosen on a later training year);
* below the range, the log ratio of the sentence to the range minimum is a linear model with the same
  pooling and an empirical residual distribution; above it, the log ratio to the maximum; within it,
  the position inside the range, both empirical;
* exact sentences at 60, 120, 180 and 240 months (the statutes' minimums and maximums, which the
  rows do not carry) are point masses learned from the data, unless the case's statutory limits are
  known, when the limits are applied exactly instead.

Never race, sex, national origin or similar traits (USSG §5H1.10): the rows do not carry them.
See docs/decisions/0013-practice-model.md.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from plealever.data.records import LIFE_CODE, Records

LIFE_MONTHS = 470  # the Commission's convention for life
ANCHORS = (60.0, 120.0, 180.0, 240.0)  # statutory minimums and maximums in 18 U.S.C. §§ 2252, 2252A
PLEAS = ("agreement", "straight", "trial", "unknown")
CUSTODY = ("detained", "released", "unknown")
QUANTILES = (0.10, 0.25, 0.50, 0.75, 0.90)
HORIZON = 2  # years the trend may be carried past the last data year
GRID = np.linspace(0.0, 1.0, 201)  # quantile grid for the stored empirical distributions
PARAMS_NAME = "practice-params.json"
MODEL = "plealever practice model 1"  # change when the parameter document's shape changes
TAU_GRID = (0.15, 0.3, 0.5, 0.8)
# Range-minimum bands for the shape of below-range reductions: a 60-month statutory floor makes deep
# reductions rarer the higher the range, and the rows do not say which cases carry the floor.
BANDS = (60.0, 97.0, 151.0, 210.0)


def _band(lo: np.ndarray) -> np.ndarray:
    return np.searchsorted(np.array(BANDS), lo, side="right")


# --- the cell a prediction is for ------------------------------------------------------------------


@dataclass(frozen=True)
class PracticeCell:
    """What the model conditions on. Months; `range_max=None` means life. Unknown fields are None."""

    range_min: float
    range_max: float | None
    chc: int | None = None  # 1..6
    district: int | None = None  # the Commission's DISTRICT code
    circuit: str | None = None
    plea: str = "unknown"
    custody: str = "unknown"
    year: int | None = None  # fiscal year; None: the current one
    statutory_min: float | None = None  # None: unknown (learned from the data)
    statutory_max: float | None = None


def fiscal_year(day: dt.date | None = None) -> int:
    day = day or dt.date.today()
    return day.year + 1 if day.month >= 10 else day.year


def plea_category(dsplea: float) -> str:
    if dsplea in (1, 2, 3):
        return "agreement"
    if dsplea == 5:
        return "straight"
    if dsplea == 8:
        return "trial"
    return "unknown"


def custody_category(present: float) -> str:
    if present == 1:
        return "detained"
    if present in (2, 3, 4):
        return "released"
    return "unknown"


def chc_from_points(points: float) -> int | None:
    """Category from CRIMPTS (status and recency points are not in it, so this can be one low)."""
    if points is None or math.isnan(points):
        return None
    return 1 + sum(points >= t for t in (2, 4, 7, 10, 13))


# --- arrays -----------------------------------------------------------------------------------------


@dataclass
class _Rows:
    lo: np.ndarray  # months; life 470
    hi: np.ndarray  # months; life inf
    chc: np.ndarray  # 1..6, 1 when unknown
    chc_known: np.ndarray
    district: np.ndarray  # int code, -1 unknown
    circuit: np.ndarray  # circuit label, "" unknown
    plea: np.ndarray  # index into PLEAS
    custody: np.ndarray  # index into CUSTODY
    year: np.ndarray
    smin: np.ndarray  # NaN unknown
    smax: np.ndarray

    def __len__(self) -> int:
        return len(self.lo)


def _months(code: np.ndarray, life: float) -> np.ndarray:
    return np.where(code >= LIFE_CODE, life, code)


def rows_from_records(recs: Records) -> tuple[_Rows, np.ndarray, np.ndarray]:
    """The model's inputs for each record, the observed sentence (NaN unknown) and a scorable mask."""
    from plealever.law.districts import circuit_of

    xmin, xmax = recs["XMINSOR"], recs["XMAXSOR"]
    scorable = ~np.isnan(xmin) & ~np.isnan(xmax)
    lo = _months(np.nan_to_num(xmin, nan=0.0), LIFE_MONTHS)
    hi = _months(np.nan_to_num(xmax, nan=0.0), np.inf)
    chc = np.array([chc_from_points(p) or 0 for p in recs["CRIMPTS"]], dtype=float)
    dist = recs["DISTRICT"].astype(int)
    circ = np.array([circuit_of(d) or "" for d in dist], dtype=object)
    rows = _Rows(
        lo=lo.astype(float),
        hi=hi.astype(float),
        chc=np.where(chc == 0, 1.0, chc),
        chc_known=chc > 0,
        district=dist,
        circuit=circ,
        plea=np.array([PLEAS.index(plea_category(v)) for v in recs["DSPLEA"]]),
        custody=np.array([CUSTODY.index(custody_category(v)) for v in recs["PRESENT"]]),
        year=recs["FISCAL_YEAR"].astype(float),
        smin=np.full(len(lo), np.nan),
        smax=np.full(len(lo), np.nan),
    )
    y = recs["SENTTOT"].copy()
    no_prison = np.isnan(y) & np.isin(recs["SENTIMP"], (0, 3, 4))
    y[no_prison] = 0.0
    return rows, y, scorable


def rows_from_cells(cells: list[PracticeCell], params: Params) -> _Rows:
    described = params.described_year()
    return _Rows(
        lo=np.array([c.range_min for c in cells], dtype=float),
        hi=np.array([np.inf if c.range_max is None else c.range_max for c in cells], dtype=float),
        chc=np.array([c.chc or 1 for c in cells], dtype=float),
        chc_known=np.array([c.chc is not None for c in cells]),
        district=np.array([c.district if c.district is not None else -1 for c in cells]),
        circuit=np.array([c.circuit or "" for c in cells], dtype=object),
        plea=np.array([PLEAS.index(c.plea) for c in cells]),
        custody=np.array([CUSTODY.index(c.custody) for c in cells]),
        year=np.array([params.clamp_year(c.year or described) for c in cells], dtype=float),
        smin=np.array([np.nan if c.statutory_min is None else c.statutory_min for c in cells], dtype=float),
        smax=np.array([np.nan if c.statutory_max is None else c.statutory_max for c in cells], dtype=float),
    )


def position(y: np.ndarray, rows: _Rows) -> np.ndarray:
    """0 below, 1 within, 2 above the range as found."""
    eps = 1e-6
    below = y < rows.lo - eps
    above = np.isfinite(rows.hi) & (y > rows.hi + eps)
    return np.where(below, 0, np.where(above, 2, 1))


FEATURES = (
    "year",
    "plea_straight",
    "plea_trial",
    "released",
    "chc",
    "log_min",
    "log_min_sq",
    "min_under_60",
    "max_under_120",
    "min_over_240",
    "max_life",
)


def _mix(rows: _Rows) -> dict[str, float]:
    """The fitting rows' mix of plea types, custody and category: an unknown value is given the mix,
    so a prediction for an unknown plea type is (in the logit) the average over the known ones."""
    plea_known = rows.plea != PLEAS.index("unknown")
    cust_known = rows.custody != CUSTODY.index("unknown")
    return {
        "plea_straight": round(float(np.mean(rows.plea[plea_known] == 1)), 6),
        "plea_trial": round(float(np.mean(rows.plea[plea_known] == 2)), 6),
        "released": round(float(np.mean(rows.custody[cust_known] == 1)), 6),
        "chc": round(float(np.mean(rows.chc[rows.chc_known] - 1)), 6),
    }


def _design(rows: _Rows, ref_year: float, mix: dict[str, float]) -> np.ndarray:
    lm = np.log1p(rows.lo) - math.log(121.0)
    plea_unknown = rows.plea == PLEAS.index("unknown")
    cust_unknown = rows.custody == CUSTODY.index("unknown")
    cols = [
        rows.year - ref_year,
        np.where(plea_unknown, mix["plea_straight"], rows.plea == 1),
        np.where(plea_unknown, mix["plea_trial"], rows.plea == 2),
        np.where(cust_unknown, mix["released"], rows.custody == 1),
        np.where(rows.chc_known, rows.chc - 1, mix["chc"]),
        lm,
        lm**2,
        rows.lo < 60,
        rows.hi < 120,
        rows.lo > 240,
        ~np.isfinite(rows.hi),
    ]
    return np.column_stack([np.ones(len(rows))] + [np.asarray(c, dtype=float) for c in cols])


# --- fitting ----------------------------------------------------------------------------------------


def _softmax_fit(X, groups, masks, target, taus, l2=1e-2, init=None):
    """Penalised multinomial logit: classes 0..K-1 with class `base` fixed at 0 logits.

    `groups` is a list of integer index arrays (circuit, district), each with a prior width in `taus`;
    `masks[k]` marks rows where class k (k >= 1) is possible. Returns the coefficient blocks.
    """
    from scipy.optimize import minimize

    n, p = X.shape
    k = len(masks)  # non-base classes
    sizes = [int(g.max()) + 1 for g in groups]
    dim = k * (p + sum(sizes))

    def unpack(theta):
        out, i = [], 0
        for _ in range(k):
            beta = theta[i : i + p]
            i += p
            effects = []
            for s in sizes:
                effects.append(theta[i : i + s])
                i += s
            out.append((beta, effects))
        return out

    Y = np.stack([target == (j + 1) for j in range(k)], axis=1).astype(float)
    M = np.stack(masks, axis=1)

    def fg(theta):
        blocks = unpack(theta)
        eta = np.empty((n, k))
        for j, (beta, effects) in enumerate(blocks):
            eta[:, j] = X @ beta + sum(e[g] for e, g in zip(effects, groups, strict=True))
        eta = np.where(M, eta, -np.inf)
        top = np.maximum(eta.max(axis=1), 0.0)
        ex = np.exp(eta - top[:, None])
        base = np.exp(-top)
        z = base + ex.sum(axis=1)
        pr = ex / z[:, None]
        ll = np.sum(Y * np.where(M, eta, 0.0)) - np.sum(top + np.log(z))
        r = np.where(M, Y - pr, 0.0)
        grad, pen = [], 0.0
        for j, (beta, effects) in enumerate(blocks):
            grad.append(-(X.T @ r[:, j]) + l2 * beta)
            pen += 0.5 * l2 * beta @ beta
            for e, g, tau, s in zip(effects, groups, taus, sizes, strict=True):
                grad.append(-np.bincount(g, r[:, j], minlength=s) + e / tau**2)
                pen += 0.5 * (e @ e) / tau**2
        return -ll + pen, np.concatenate(grad)

    theta0 = np.zeros(dim) if init is None else init
    res = minimize(fg, theta0, jac=True, method="L-BFGS-B", options={"maxiter": 2000})
    return res.x, unpack(res.x)


def _softmax_predict(X, blocks, groups_idx, masks):
    n = X.shape[0]
    k = len(blocks)
    eta = np.empty((n, k))
    for j, (beta, effects) in enumerate(blocks):
        eta[:, j] = X @ beta
        for e, g in zip(effects, groups_idx, strict=True):
            eta[:, j] += np.where(g >= 0, e[np.maximum(g, 0)], 0.0)
    eta = np.where(np.stack(masks, axis=1), eta, -np.inf)
    top = np.maximum(eta.max(axis=1), 0.0)
    ex = np.exp(eta - top[:, None])
    base = np.exp(-top)
    z = base + ex.sum(axis=1)
    return base / z, ex / z[:, None]


def _ridge(X, groups, taus, y, l2=1e-2):
    """Gaussian linear model with random intercepts by group (penalised least squares)."""
    sizes = [int(g.max()) + 1 for g in groups]
    mats = [X] + [np.eye(s)[g] for g, s in zip(groups, sizes, strict=True)]
    A = np.hstack(mats)
    beta0, *_ = np.linalg.lstsq(X, y, rcond=None)
    sigma2 = float(np.mean((y - X @ beta0) ** 2))
    pen = np.concatenate(
        [np.full(X.shape[1], l2)] + [np.full(s, sigma2 / t**2) for s, t in zip(sizes, taus, strict=True)]
    )
    coef = np.linalg.solve(A.T @ A + np.diag(pen), A.T @ y)
    out, i = [coef[: X.shape[1]]], X.shape[1]
    for s in sizes:
        out.append(coef[i : i + s])
        i += s
    return out


def _quantiles(values: np.ndarray) -> list[float]:
    if len(values) == 0:
        return [0.0] * len(GRID)
    return [round(float(v), 5) for v in np.quantile(values, GRID)]


def _anchor_features(ratio_log: np.ndarray, year: np.ndarray, ref: float) -> np.ndarray:
    return np.column_stack([np.ones_like(ratio_log), ratio_log, ratio_log**2, year - ref])


def _fit_anchors(rows: _Rows, y: np.ndarray, side: str, ref: float) -> dict[str, Any]:
    """Within one side of the range, the share of sentences exactly at each statutory figure."""
    from scipy.optimize import minimize

    n = len(y)
    k = len(ANCHORS)
    a = np.array(ANCHORS)
    if side == "below":
        avail = a[None, :] < rows.lo[:, None] - 1e-6
        d = np.log(rows.lo[:, None] / a[None, :])
    else:
        avail = a[None, :] > rows.hi[:, None] + 1e-6
        d = np.log(a[None, :] / np.where(np.isfinite(rows.hi), rows.hi, 1.0)[:, None])
    hit = np.isclose(y[:, None], a[None, :], atol=0.01) & avail
    F = [_anchor_features(d[:, j], rows.year, ref) for j in range(k)]
    p = F[0].shape[1]

    def fg(theta):
        W = theta.reshape(k, p)
        eta = np.stack([F[j] @ W[j] for j in range(k)], axis=1)
        eta = np.where(avail, eta, -np.inf)
        top = np.maximum(eta.max(axis=1), 0.0)
        ex = np.exp(eta - top[:, None])
        z = np.exp(-top) + ex.sum(axis=1)
        pr = ex / z[:, None]
        ll = np.sum(np.where(hit, eta, 0.0)) - np.sum(top + np.log(z))
        r = np.where(avail, hit - pr, 0.0)
        g = np.stack([-(F[j].T @ r[:, j]) for j in range(k)]) + 0.1 * W
        return -ll + 0.05 * np.sum(W**2), g.ravel()

    if n == 0:
        return {"coef": np.zeros((k, p)).tolist(), "n": 0}
    res = minimize(fg, np.zeros(k * p), jac=True, method="L-BFGS-B")
    return {"coef": res.x.reshape(k, p).round(6).tolist(), "n": int(n), "hits": hit.sum(axis=0).tolist()}


def _anchor_probs(spec, rows: _Rows, side: str, ref: float) -> np.ndarray:
    a = np.array(ANCHORS)
    W = np.array(spec["coef"])
    if side == "below":
        avail = a[None, :] < rows.lo[:, None] - 1e-6
        d = np.log(np.maximum(rows.lo, 1.0)[:, None] / a[None, :])
    else:
        avail = a[None, :] > rows.hi[:, None] + 1e-6
        d = np.log(a[None, :] / np.where(np.isfinite(rows.hi), np.maximum(rows.hi, 1.0), 1.0)[:, None])
    eta = np.stack([_anchor_features(d[:, j], rows.year, ref) @ W[j] for j in range(len(a))], axis=1)
    eta = np.where(avail, eta, -np.inf)
    top = np.maximum(eta.max(axis=1), 0.0)
    ex = np.exp(eta - top[:, None])
    z = np.exp(-top) + ex.sum(axis=1)
    return ex / z[:, None]  # (rows, anchors); the rest is the continuous part


def _index(values: np.ndarray, keys: list) -> np.ndarray:
    lookup = {k: i for i, k in enumerate(keys)}
    return np.array([lookup.get(v, -1) for v in values])


def fit(recs: Records, *, years: list[int] | None = None, taus: tuple[float, float] | None = None) -> dict:
    """Fit every part of the model on the rows of `years` (all if None); returns the parameter document."""
    doc = _fit(recs, years=years, taus=taus)
    doc["quantile_levels"] = _level_map(doc, recs, doc["data"]["fiscal_years"])
    return doc


def _fit(recs: Records, *, years: list[int] | None, taus: tuple[float, float] | None) -> dict:
    rows_all, y_all, ok = rows_from_records(recs)
    keep = ok & ~np.isnan(y_all)
    if years is not None:
        keep &= np.isin(rows_all.year, years)
    rows = _subset(rows_all, keep)
    y = y_all[keep]
    used_years = sorted({int(v) for v in rows.year})
    if len(used_years) == 0:
        raise ValueError("no rows to fit")
    if taus is None:
        taus = _choose_taus(rows, y, used_years)
    ref = float(np.mean(rows.year))
    mix = _mix(rows)
    circuits = sorted({c for c in rows.circuit if c})
    districts = sorted({int(d) for d in rows.district})
    ci = _index(rows.circuit, circuits)
    di = _index(rows.district, districts)
    X = _design(rows, ref, mix)
    pos = position(y, rows)
    # classes: 0 within (base), 1 below, 2 above  (target coded 1 below, 2 above)
    target = np.where(pos == 0, 1, np.where(pos == 2, 2, 0))
    masks = [rows.lo > 0, np.isfinite(rows.hi)]
    _, blocks = _softmax_fit(X, [ci, di], masks, target, taus)
    position_params = {
        cls: {
            "beta": dict(zip(("intercept", *FEATURES), np.round(beta, 6).tolist(), strict=True)),
            "circuit": dict(zip(circuits, np.round(eff[0], 6).tolist(), strict=True)),
            "district": {str(d): v for d, v in zip(districts, np.round(eff[1], 6).tolist(), strict=True)},
        }
        for cls, (beta, eff) in zip(("below", "above"), blocks, strict=True)
    }
    # Below the range: the anchors, then the continuous log ratio to the minimum.
    b = pos == 0
    below_anchor = _fit_anchors(_subset(rows, b), y[b], "below", ref)
    is_anchor_b = (
        b & np.isclose(y[:, None], np.array(ANCHORS)[None, :], atol=0.01).any(axis=1) & (y < rows.lo)
    )
    cont = b & ~is_anchor_b
    lr = np.log1p(y[cont]) - np.log1p(rows.lo[cont])
    coefs = _ridge(X[cont], [ci[cont], di[cont]], taus, lr)
    resid = lr - (X[cont] @ coefs[0] + coefs[1][ci[cont]] + coefs[2][di[cont]])
    # Above the range.
    a = pos == 2
    above_anchor = _fit_anchors(_subset(rows, a), y[a], "above", ref)
    is_anchor_a = a & np.isclose(y[:, None], np.array(ANCHORS)[None, :], atol=0.01).any(axis=1)
    cont_a = a & ~is_anchor_a
    la = np.log1p(y[cont_a]) - np.log1p(rows.hi[cont_a])
    # Within the range: the position inside it (finite ranges) or the log ratio to the minimum (to life).
    w = pos == 1
    finite = w & np.isfinite(rows.hi) & (rows.hi > rows.lo)
    u = (y[finite] - rows.lo[finite]) / (rows.hi[finite] - rows.lo[finite])
    life = w & ~np.isfinite(rows.hi)
    ll = np.log1p(y[life]) - np.log1p(rows.lo[life])
    n_district = {str(d): int(n) for d, n in zip(*np.unique(rows.district, return_counts=True), strict=True)}
    n_circuit = {
        str(c): int(n) for c, n in zip(*np.unique(rows.circuit.astype(str), return_counts=True), strict=True)
    }
    return {
        "model": MODEL,
        "data": {
            "source": recs.source,
            "checksum": recs.checksum(),
            "fiscal_years": used_years,
            "rows": int(len(y)),
            "rows_by_year": {str(yr): int(np.sum(rows.year == yr)) for yr in used_years},
            "rows_by_district": n_district,
            "rows_by_circuit": n_circuit,
            "last_year": max(used_years),
        },
        "reference_year": round(ref, 4),
        "mix": mix,
        "horizon_years": HORIZON,
        "prior_widths": {"circuit": taus[0], "district": taus[1]},
        "features": list(FEATURES),
        "position": position_params,
        "below": {
            "beta": np.round(coefs[0], 6).tolist(),
            "circuit": dict(zip(circuits, np.round(coefs[1], 6).tolist(), strict=True)),
            "district": {str(d): v for d, v in zip(districts, np.round(coefs[2], 6).tolist(), strict=True)},
            "residual_quantiles_by_band": [
                _quantiles(resid[_band(rows.lo[cont]) == b]) for b in range(len(BANDS) + 1)
            ],
            "band_edges": list(BANDS),
            "n_by_band": [int(np.sum(_band(rows.lo[cont]) == b)) for b in range(len(BANDS) + 1)],
            "n": int(cont.sum()),
            "anchors": below_anchor,
        },
        "above": {"log_ratio_quantiles": _quantiles(la), "n": int(cont_a.sum()), "anchors": above_anchor},
        "within": {
            "position_quantiles": _quantiles(u),
            "n": int(finite.sum()),
            "to_life_log_ratio_quantiles": _quantiles(ll) if life.sum() >= 5 else _quantiles(np.array([0.0])),
            "n_to_life": int(life.sum()),
        },
        "observed": {
            "below": round(float(np.mean(pos == 0)), 4),
            "within": round(float(np.mean(pos == 1)), 4),
            "above": round(float(np.mean(pos == 2)), 4),
        },
    }


def _level_map(doc: dict[str, Any], recs: Records, years: list[int]) -> dict[str, float]:
    """Quantile-level recalibration (Kuleshov et al. 2018): the level at which the model's quantile
    covers the nominal share of the fitting rows. The many sentences at round figures make the raw
    mixture's intervals a little wide; this maps each reported level so they are not."""
    sub = recs.subset(np.isin(recs["FISCAL_YEAR"], years))
    rows, y, ok = rows_from_records(sub)
    m = ok & ~np.isnan(y)
    params = Params(doc)
    draws = _jittered(params, _subset(rows, m), n=2000, seed=11)
    pit = np.mean(draws < y[m][:, None], axis=1)
    return {f"{q:.2f}": round(float(np.quantile(pit, q)), 4) for q in QUANTILES}


def _jittered(params: Params, rows: _Rows, *, n: int, seed: int, chunk: int = 400) -> np.ndarray:
    rng = np.random.default_rng(seed)
    out = np.empty((len(rows), n))
    for start in range(0, len(rows), chunk):
        sl = np.zeros(len(rows), dtype=bool)
        sl[start : start + chunk] = True
        sub = _subset(rows, sl)
        u = rng.uniform(0, 1, (3, len(sub), n))
        d = draw_matrix(params, sub, u[0], u[1], u[2])
        # Continuity correction: a sentence of m whole months stands for [m - 0.5, m + 0.5).
        out[sl] = np.maximum(d + rng.uniform(-0.5, 0.5, d.shape), 0.0)
    return out


def _subset(rows: _Rows, mask: np.ndarray) -> _Rows:
    return _Rows(**{k: getattr(rows, k)[mask] for k in rows.__dataclass_fields__})


def _choose_taus(rows: _Rows, y: np.ndarray, years: list[int]) -> tuple[float, float]:
    """Prior widths of the circuit and district effects: the pair that best predicts the last training
    year's range positions from the earlier years (log loss)."""
    if len(years) < 2:
        return (0.3, 0.3)
    last = years[-1]
    early = rows.year < last
    ref = float(np.mean(rows.year[early]))
    tr, te = _subset(rows, early), _subset(rows, ~early)
    circuits = sorted({c for c in tr.circuit if c})
    districts = sorted({int(d) for d in tr.district})
    mix = _mix(tr)
    Xtr, Xte = _design(tr, ref, mix), _design(te, ref, mix)
    pos_tr, pos_te = position(y[early], tr), position(y[~early], te)
    target = np.where(pos_tr == 0, 1, np.where(pos_tr == 2, 2, 0))
    best, best_loss = (0.3, 0.3), np.inf
    for tc in TAU_GRID:
        for td in TAU_GRID:
            _, blocks = _softmax_fit(
                Xtr,
                [_index(tr.circuit, circuits), _index(tr.district, districts)],
                [tr.lo > 0, np.isfinite(tr.hi)],
                target,
                (tc, td),
            )
            p_w, p_k = _softmax_predict(
                Xte,
                blocks,
                [_index(te.circuit, circuits), _index(te.district, districts)],
                [te.lo > 0, np.isfinite(te.hi)],
            )
            probs = np.column_stack([p_k[:, 0], p_w, p_k[:, 1]])
            loss = -np.mean(np.log(np.maximum(probs[np.arange(len(pos_te)), pos_te], 1e-12)))
            if loss < best_loss - 1e-9:
                best, best_loss = (tc, td), loss
    return best


# --- the fitted model ------------------------------------------------------------------------------


@dataclass
class Params:
    doc: dict[str, Any]
    origin: str = "package"
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def last_year(self) -> int:
        return int(self.doc["data"]["last_year"])

    def clamp_year(self, year: float) -> float:
        return float(min(year, self.last_year + HORIZON))

    def described_year(self, today: dt.date | None = None) -> int:
        return int(self.clamp_year(fiscal_year(today)))

    def basis(self, today: dt.date | None = None) -> dict[str, Any]:
        d = self.doc["data"]
        current = fiscal_year(today)
        described = self.described_year(today)
        note = f"fitted on FY{d['fiscal_years'][0]}-FY{d['fiscal_years'][-1]} ({d['rows']} rows)"
        if described < current:
            # A named assumption: practice keeps moving, but a straight line fitted on five years is not
            # carried further than HORIZON years past them.
            note += (
                f"; predicts FY{current}, the current fiscal year, with the year trend held at its FY{described} "
                f"level (it is not extrapolated more than {HORIZON} years past the last data year, "
                f"FY{self.last_year})"
            )
        else:
            note += f"; predicts FY{described}, the current fiscal year"
        return {
            "fiscal_years": d["fiscal_years"],
            "rows": d["rows"],
            "rows_by_year": d["rows_by_year"],
            "data_checksum": d["checksum"],
            "described_year": described,  # the year the trend is evaluated at
            "current_fiscal_year": current,
            "predicted_year": current,
            "parameters": self.origin,
            "note": note,
        }


def _package_params_path() -> Path:
    return Path(str(resources.files("plealever.data") / PARAMS_NAME))


def user_params_path() -> Path:
    from plealever.data.store import data_dir

    return data_dir() / PARAMS_NAME


_LOADED: dict[str, Params] = {}
_USER_PATHS: dict[str | None, Path | None] = {}


def _user_params_path() -> Path | None:
    """Where a refit would be, resolved once per data-directory setting (the model asks per scenario)."""
    import os

    setting = os.environ.get("PLEALEVER_DATA_DIR")
    if setting not in _USER_PATHS:
        user = None
        if setting or Path.home().exists():
            try:
                user = user_params_path()
            except OSError:
                user = None
        _USER_PATHS[setting] = user
    return _USER_PATHS[setting]


def load_params() -> Params:
    """The user's refit (`plealever calibrate --refit`) if there is one, else the shipped parameters."""
    user = _user_params_path()
    path, origin = (
        (user, "refit") if user is not None and user.exists() else (_package_params_path(), "package")
    )
    key = f"{path}:{path.stat().st_mtime_ns}"
    if key not in _LOADED:
        try:
            doc = json.loads(path.read_text())
        except (OSError, ValueError):
            doc = {}
        if origin == "refit" and doc.get("model") != MODEL:
            # unreadable, or a refit by another version of the model: the shipped parameters, until the
            # next `calibrate --refit` (which overwrites it)
            origin = "package (the refit in the data directory is unreadable or from another model version)"
            doc = json.loads(_package_params_path().read_text())
        _LOADED.clear()
        _LOADED[key] = Params(doc, origin=origin)
    return _LOADED[key]


# --- prediction ------------------------------------------------------------------------------------


@dataclass
class _Parts:
    p_below: np.ndarray
    p_within: np.ndarray
    p_above: np.ndarray
    mu_below: np.ndarray
    anchors_below: np.ndarray
    anchors_above: np.ndarray


def components(params: Params, rows: _Rows) -> _Parts:
    doc = params.doc
    ref = doc["reference_year"]
    X = _design(rows, ref, doc["mix"])
    names = ("intercept", *FEATURES)
    blocks, gidx = [], []
    circuits = sorted(doc["position"]["below"]["circuit"])
    districts = sorted(doc["position"]["below"]["district"], key=int)
    ci = _index(rows.circuit, circuits)
    di = _index(np.array([str(d) for d in rows.district]), districts)
    for cls in ("below", "above"):
        block = doc["position"][cls]
        beta = np.array([block["beta"][n] for n in names])
        blocks.append(
            (
                beta,
                [
                    np.array([block["circuit"][c] for c in circuits]),
                    np.array([block["district"][d] for d in districts]),
                ],
            )
        )
    gidx = [ci, di]
    p_w, p_k = _softmax_predict(X, blocks, gidx, [rows.lo > 0, np.isfinite(rows.hi)])
    below = doc["below"]
    mu = X @ np.array(below["beta"])
    mu += np.where(ci >= 0, np.array([below["circuit"][c] for c in circuits])[np.maximum(ci, 0)], 0.0)
    mu += np.where(di >= 0, np.array([below["district"][d] for d in districts])[np.maximum(di, 0)], 0.0)
    return _Parts(
        p_below=p_k[:, 0],
        p_within=p_w,
        p_above=p_k[:, 1],
        mu_below=mu,
        anchors_below=_anchor_probs(below["anchors"], rows, "below", ref),
        anchors_above=_anchor_probs(doc["above"]["anchors"], rows, "above", ref),
    )


def _qf(u: np.ndarray, q: list[float]) -> np.ndarray:
    return np.interp(u, GRID, q)


def _qf_rows(u: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Row-wise inverse of stored quantiles: u (rows, n), q (rows, grid)."""
    pos = u * (len(GRID) - 1)
    i = np.clip(np.floor(pos).astype(int), 0, len(GRID) - 2)
    frac = pos - i
    lo = np.take_along_axis(q, i, axis=1)
    hi = np.take_along_axis(q, i + 1, axis=1)
    return lo + frac * (hi - lo)


def values(params: Params, rows: _Rows, parts: _Parts, u_val: np.ndarray, u_anchor: np.ndarray):
    """The sentence each draw gets in each part of the range: (below, within, above), shape (rows, n).

    Where a case's statutory limits are known, the learned statutory point masses are switched off:
    the below-range ones fall to the continuous part and the above-range ones to within range (the
    limits themselves are applied afterwards, exactly).
    """
    doc = params.doc
    lo, hi = rows.lo[:, None], rows.hi[:, None]
    known = (~np.isnan(rows.smin) | ~np.isnan(rows.smax))[:, None]
    a = np.array(ANCHORS)
    # below: continuous log ratio, truncated to stay below the minimum
    res_q = np.array(doc["below"]["residual_quantiles_by_band"])[_band(rows.lo)]  # (rows, grid)
    cut = np.log1p(np.maximum(rows.lo - 0.5, 0.0)) - np.log1p(rows.lo) - parts.mu_below
    f_cut = np.array([np.interp(c, q, GRID) for c, q in zip(cut, res_q, strict=True)])[:, None]
    eps = _qf_rows(u_val * f_cut, res_q)
    below = np.maximum(np.expm1(parts.mu_below[:, None] + eps + np.log1p(lo)), 0.0)
    cum_b = np.cumsum(parts.anchors_below, axis=1)
    pick_b = np.where(known, len(a), (u_anchor[:, :, None] >= cum_b[:, None, :]).sum(axis=2))
    below = np.where(pick_b < len(a), a[np.minimum(pick_b, len(a) - 1)], below)
    # within
    pos_q = doc["within"]["position_quantiles"]
    life_q = doc["within"]["to_life_log_ratio_quantiles"]
    finite = np.isfinite(hi)
    within = np.where(
        finite,
        lo + _qf(u_val, pos_q) * np.where(finite, hi - lo, 0.0),
        np.expm1(np.log1p(lo) + _qf(u_val, life_q)),
    )
    # above
    cum_a = np.cumsum(parts.anchors_above, axis=1)
    pick_a = (u_anchor[:, :, None] >= cum_a[:, None, :]).sum(axis=2)
    above_cont = np.expm1(
        np.log1p(np.where(finite, hi, 0.0)) + _qf(u_val, doc["above"]["log_ratio_quantiles"])
    )
    above = np.where(pick_a < len(a), a[np.minimum(pick_a, len(a) - 1)], above_cont)
    above_to_within = known & (pick_a < len(a))
    return below, within, above, above_to_within


def draw_matrix(params: Params, rows: _Rows, u_pos, u_val, u_anchor, shares=None) -> np.ndarray:
    """Sentences for each row (rows, n) from given uniforms; layout above | within | below, so moving
    share from within to below can only lower a draw."""
    parts = components(params, rows)
    p_a, p_w = (parts.p_above, parts.p_within) if shares is None else shares
    below, within, above, above_to_within = values(params, rows, parts, u_val, u_anchor)
    is_above = u_pos < p_a[:, None]
    is_within = ~is_above & (u_pos < (p_a + p_w)[:, None])
    out = np.where(is_above, np.where(above_to_within, within, above), np.where(is_within, within, below))
    smin = np.nan_to_num(rows.smin, nan=0.0)[:, None]
    smax = np.nan_to_num(rows.smax, nan=np.inf)[:, None]
    return np.clip(out, smin, smax)


def predict(cell: PracticeCell, *, n: int = 10000, seed: int = 0, params: Params | None = None) -> np.ndarray:
    """`n` sentences in months for one cell, reproducible for a seed."""
    params = params or load_params()
    rows = rows_from_cells([cell], params)
    rng = np.random.default_rng(seed)
    u = rng.uniform(0, 1, (3, 1, n))
    return draw_matrix(params, rows, u[0], u[1], u[2])[0]


def shares(cell: PracticeCell, params: Params | None = None) -> dict[str, float]:
    """The modelled chance of a sentence below, within and above the range as found."""
    params = params or load_params()
    parts = components(params, rows_from_cells([cell], params))
    return {
        "below": float(parts.p_below[0]),
        "within": float(parts.p_within[0]),
        "above": float(parts.p_above[0]),
    }


def summary(
    cell: PracticeCell,
    *,
    params: Params | None = None,
    n: int = 20000,
    seed: int = 0,
    today: dt.date | None = None,
) -> dict:
    """What the model says for one cell, with the n's behind each estimate and the years it rests on."""
    params = params or load_params()
    doc = params.doc
    draws = predict(cell, n=n, seed=seed, params=params)
    hi = np.inf if cell.range_max is None else cell.range_max
    # from the draws, so a known statute's limits are in the shares too
    sh = {
        "below": float(np.mean(draws < cell.range_min - 1e-9)),
        "within": float(np.mean((draws >= cell.range_min - 1e-9) & (draws <= hi + 1e-9))),
        "above": float(np.mean(draws > hi + 1e-9)),
    }
    d = doc["data"]
    n_district = d["rows_by_district"].get(str(cell.district), 0) if cell.district is not None else None
    n_circuit = d["rows_by_circuit"].get(cell.circuit or "", 0) if cell.circuit else None
    weight = None
    if n_district is not None:
        tau = doc["prior_widths"]["district"]
        # the share of a district's own evidence in its effect (a logit's variance is about 1/(n p (1-p)))
        info = n_district * 0.2
        weight = round(info / (info + 1 / tau**2), 2)
    return {
        "range": [cell.range_min, "life" if cell.range_max is None else cell.range_max],
        "shares": {k: round(v, 3) for k, v in sh.items()},
        "quantiles": {f"q{int(q * 100)}": round(float(np.quantile(draws, q)), 1) for q in QUANTILES},
        "mean": round(float(draws.mean()), 1),
        "n": {"nation": d["rows"], "circuit": n_circuit, "district": n_district},
        "district_weight": weight,
        "inputs": {
            "chc": cell.chc,
            "district": cell.district,
            "circuit": cell.circuit,
            "plea": cell.plea,
            "custody": cell.custody,
            "statutory_min": cell.statutory_min,
            "statutory_max": cell.statutory_max,
        },
        "year": cell.year or params.described_year(today),
        "basis": params.basis(today),
    }


# --- scoring ---------------------------------------------------------------------------------------


def levels(params: Params) -> list[float]:
    stored = params.doc.get("quantile_levels") or {}
    return [stored.get(f"{q:.2f}", q) for q in QUANTILES]


def predict_records(params: Params, recs: Records, *, n: int = 4000, seed: int = 7) -> np.ndarray:
    """Per record: p_below, p_within, p_above and the sentence quantiles (NaN where unscorable)."""
    rows, _, ok = rows_from_records(recs)
    rows = replace(rows, year=np.array([params.clamp_year(v) for v in rows.year]))
    out = np.full((len(rows), 3 + len(QUANTILES)), np.nan)
    sub = _subset(rows, ok)
    parts = components(params, sub)
    draws = _jittered(params, sub, n=n, seed=seed)
    out[ok, 0], out[ok, 1], out[ok, 2] = parts.p_below, parts.p_within, parts.p_above
    out[ok, 3:] = np.quantile(draws, levels(params), axis=1).T
    return out


def pinball(y: np.ndarray, q: np.ndarray) -> float:
    """Mean pinball (quantile) loss over rows and the five quantile levels, in months."""
    taus = np.array(QUANTILES)[None, :]
    diff = y[:, None] - q
    return float(np.mean(np.maximum(taus * diff, (taus - 1) * diff)))


def baseline_fit(recs: Records, years: list[int] | None = None, min_n: int = 10) -> dict[str, Any]:
    """JSIN-like: each range cell's national sentence quantiles (cells under `min_n` rows fall back to
    the national quantiles of the sentence as a share of the range minimum)."""
    rows, y, ok = rows_from_records(recs)
    keep = ok & ~np.isnan(y)
    if years is not None:
        keep &= np.isin(rows.year, years)
    cells: dict[str, list[float]] = {}
    keys = np.array([f"{a:g}-{b:g}" for a, b in zip(recs["XMINSOR"], recs["XMAXSOR"], strict=True)])
    for key in np.unique(keys[keep]):
        m = keep & (keys == key)
        if m.sum() >= min_n:
            cells[key] = np.quantile(y[m], QUANTILES).tolist()
    ratio = np.quantile(y[keep] / np.maximum(rows.lo[keep], 1.0), QUANTILES).tolist()
    return {"cells": cells, "ratio": ratio, "min_n": min_n}


def baseline_predict(base: dict[str, Any], recs: Records) -> np.ndarray:
    rows, _, ok = rows_from_records(recs)
    out = np.full((len(rows), len(QUANTILES)), np.nan)
    for i in np.flatnonzero(ok):
        key = f"{recs['XMINSOR'][i]:g}-{recs['XMAXSOR'][i]:g}"
        out[i] = base["cells"].get(key) or [r * max(rows.lo[i], 1.0) for r in base["ratio"]]
    return out


def evaluate(params: Params, recs: Records, base: dict[str, Any], pred: np.ndarray | None = None) -> dict:
    """The scores of predictions on records: interval coverage, range-position shares (model against
    observed) overall, by year and by circuit, and pinball loss against the JSIN-like baseline."""
    rows, y, ok = rows_from_records(recs)
    pred = predict_records(params, recs) if pred is None else pred
    m = ok & ~np.isnan(y)
    pos = position(y, rows)
    q = pred[:, 3:]
    bq = baseline_predict(base, recs)

    def block(mask):
        n = int(mask.sum())
        if n == 0:
            return None
        return {
            "n": n,
            "model": {
                k: round(100 * float(np.mean(pred[mask, i])), 1)
                for i, k in enumerate(("below", "within", "above"))
            },
            "observed": {
                k: round(100 * float(np.mean(pos[mask] == i)), 1)
                for i, k in enumerate(("below", "within", "above"))
            },
        }

    years = sorted({int(v) for v in rows.year[m]})
    circuits = sorted(
        {c for c in rows.circuit[m] if c}, key=lambda c: (c == "DC", int(c) if c.isdigit() else 0)
    )
    inside = (y >= q[:, 0] - 1e-9) & (y <= q[:, 4] + 1e-9)
    model_loss = pinball(y[m], q[m])
    base_loss = pinball(y[m], bq[m])
    return {
        "rows_scored": int(m.sum()),
        "rows_unscorable": int((~ok).sum()),
        "fiscal_years": years,
        "coverage_10_90": round(100 * float(np.mean(inside[m])), 1),
        "coverage_25_75": round(100 * float(np.mean(((y >= q[:, 1]) & (y <= q[:, 3]))[m])), 1),
        "shares": block(m),
        "by_year": {str(yr): block(m & (rows.year == yr)) for yr in years},
        "by_circuit": {c: block(m & (rows.circuit == c)) for c in circuits},
        "pinball": {
            "model": round(model_loss, 2),
            "jsin_like_baseline": round(base_loss, 2),
            "improvement_pct": round(100 * (1 - model_loss / base_loss), 1) if base_loss else None,
            "baseline": f"each range cell's national sentence quantiles (cells with fewer than {base['min_n']} "
            "rows: the national quantiles of sentence / range minimum)",
        },
        "model_basis": params.basis(),
    }


def holdout(recs: Records, *, holdout_year: int | None = None) -> dict[str, Any]:
    """Fit on every year before the last, score on the last: the honest test."""
    years = recs.years
    last = holdout_year or years[-1]
    train = [y for y in years if y < last]
    params = Params(fit(recs, years=train), origin=f"fitted on FY{train[0]}-FY{train[-1]} (held-out run)")
    test = recs.subset(recs["FISCAL_YEAR"] == last)
    base = baseline_fit(recs, years=train)
    out = evaluate(params, test, base)
    out["fitted_on"] = train
    out["held_out"] = last
    return out


def write_params(doc: dict[str, Any], path: Path) -> None:
    import os
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".practice-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as fh:
            json.dump(doc, fh, indent=1, sort_keys=True)
            fh.write("\n")
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


# --- from a case ------------------------------------------------------------------------------------

ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6}
# A scenario's plea type as the Commission records it (DSPLEA): an open plea is a straight plea with no
# agreement (5); a Rule 11(c)(1)(A), (B) or (C) agreement is a written agreement (1); a trial is 8.
PLEA_OF_SCENARIO = {"open": "straight", "A": "agreement", "B": "agreement", "C": "agreement"}


def _month(value) -> float | None:
    return None if value == "life" else float(value)


def cell_for(
    case, calculation, *, plea: str, statutory_known: bool = True, today: dt.date | None = None
) -> PracticeCell:
    """The practice cell for one computed disposition of a case: the range as found (before statutory
    limits), its category, the case's district and circuit and custody, the plea type, and the
    statutory limits the calculation found (known for the user's case)."""
    g, s = calculation.guideline_range, calculation.statutory_range
    district = case.court.district_record()
    smax = _month(s.max)
    return PracticeCell(
        range_min=float(LIFE_MONTHS) if g.min == "life" else float(g.min),
        range_max=_month(g.max),
        chc=ROMAN.get(calculation.criminal_history_category),
        district=district.code if district else None,
        circuit=case.court.effective_circuit(),
        plea=plea,
        custody=case.defendant.custody or "unknown",
        year=load_params().described_year(today),
        statutory_min=float(_month(s.min) or 0.0) if statutory_known else None,
        statutory_max=(smax if smax is not None else float("inf")) if statutory_known else None,
    )


def refit(recs: Records) -> dict[str, Any]:
    """The shipped (or user's) parameters: the held-out test first (fit on all years but the last,
    scored on the last), then the fit on every year, with the held-out scores kept beside it."""
    doc = fit(recs)
    if len(recs.years) >= 2:
        ho = holdout(recs)
        doc["held_out"] = {
            k: ho[k]
            for k in (
                "fitted_on",
                "held_out",
                "rows_scored",
                "coverage_10_90",
                "coverage_25_75",
                "shares",
                "by_year",
                "by_circuit",
                "pinball",
            )
        }
    return doc


def write_predictions(pred: np.ndarray, path: Path) -> None:
    """The scoring contract's CSV, written atomically: one line per data row, empty where unscorable."""
    import csv
    import os
    import tempfile

    path = Path(path)
    fd, tmp = tempfile.mkstemp(
        dir=path.parent if str(path.parent) else ".", prefix=".predictions-", suffix=".tmp"
    )
    try:
        with os.fdopen(fd, "w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["row", "p_below", "p_within", "p_above", "q10", "q25", "q50", "q75", "q90"])
            for i, r in enumerate(pred):
                if np.isnan(r[0]):
                    w.writerow([i] + [""] * 8)
                else:
                    w.writerow([i] + [f"{v:.4f}" for v in r[:3]] + [f"{v:.1f}" for v in r[3:]])
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
