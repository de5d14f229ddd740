"""What the negotiation model knows and what it assumes, and whether its bottom line survives.

Every parameter of law/data/outcome-model.yaml is listed with its kind: `measured` or `fitted` (from
the Commission's records, with n and years), `published` (someone else's figure, with its source) or
`assumption` (the project's judgment, with a low, a high and a reason). `robustness` varies each one
that has a range over its range, one at a time, and reports whether the recommended option changes
and, if it does, the value at which it changes and what is better beyond it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from plealever.law.parameters import Params

VARIED_KINDS = ("assumption", "measured", "published")
GRID = 4  # steps across a range when looking for the point where the recommendation changes
BISECT = 10  # halvings to place that point (to 1/4096 of the range)


def assumption_list(params: Params, unused: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """The `assumptions` list of `scenarios --json`: every parameter that is not a setting; `unused`
    names those this analysis does not use, and why (they are listed, and not varied)."""
    unused = unused or {}
    out = []
    for name, spec in params.spec.items():
        if spec["kind"] == "setting":
            continue
        overridden = name in params.overridden
        if spec["kind"] in ("measured", "fitted"):
            years = spec.get("years") or []
            span = f"FY{years[0]}-FY{years[-1]}" if years else ""
            source = f"measured: {spec.get('source') or ''} (n={spec.get('n')}, {span})".replace(" ()", "")
        elif spec["kind"] == "published":
            source = f"published: {spec.get('source') or ''}"
        else:
            source = f"assumption: {spec.get('note') or ''}"
        if overridden:
            source = f"set by the case file (outcome_parameters); default {spec['kind']}: " + source
        out.append(
            {
                "name": name,
                "value": params[name],
                "low": spec.get("low"),
                "high": spec.get("high"),
                "source": source,
                "kind": spec["kind"],
                "note": spec.get("note"),
                "authorities": list(spec.get("authorities", [])),
                "n": spec.get("n"),
                "years": spec.get("years"),
                "overridden": overridden,
                "used": name not in unused,
                "unused_because": unused.get(name),
            }
        )
    return out


def varied(params: Params, skip: set[str] | frozenset[str] = frozenset()) -> list[str]:
    """The parameters the robustness check varies: those with a range that the analysis uses."""
    return [
        k for k, v in params.spec.items() if v["kind"] in VARIED_KINDS and v.get("low") is not None and k not in skip
    ]


def _between(low: Any, high: Any, t: float) -> Any:
    if isinstance(low, dict):
        return {k: low[k] + (high[k] - low[k]) * t for k in low}
    return low + (high - low) * t


def _shown(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: round(v, 4) for k, v in value.items()}
    return round(value, 4)


def robustness(
    params: Params,
    choose: Callable[[dict[str, Any]], tuple[str, dict[str, float]]],
    recommended: str,
    skip: set[str] | frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """Vary each assumption over its range, one at a time; `choose(overrides)` gives the recommended
    option and every option's expected months under `params` with `overrides` applied.

    Each end of each range is checked (expected months move monotonically in every parameter, so an
    option that does not win at the end does not win in between); where another option wins at an end,
    the point where the recommendation changes is found on a grid and placed by bisection.

    Returns {"holds": True, "checked": [...]} or {"holds": False, "flips": [...], "checked": [...]},
    each flip naming the assumption, the side of its range where another option wins, the value where
    the recommendation changes and the option that wins beyond it."""
    flips, checked = [], []
    for name in varied(params, skip):
        spec = params.spec[name]
        low, high = spec["low"], spec["high"]
        center = params[name]
        checked.append(name)
        for side, end in (("below", low), ("above", high)):
            if choose({name: end})[0] == recommended:
                continue
            lo_t, hi_t = 0.0, 1.0
            for step in range(1, GRID + 1):
                if choose({name: _between(center, end, step / GRID)})[0] != recommended:
                    lo_t, hi_t = (step - 1) / GRID, step / GRID
                    break
            for _ in range(BISECT):
                mid = (lo_t + hi_t) / 2
                if choose({name: _between(center, end, mid)})[0] == recommended:
                    lo_t = mid
                else:
                    hi_t = mid
            at = _between(center, end, hi_t)
            flips.append(
                {
                    "assumption": name,
                    "side": side,
                    "threshold": _shown(at),
                    "distance": round(hi_t, 4),  # how far toward the end of the range, 0 to 1
                    "better": choose({name: at})[0],
                    "value": _shown(center),
                    "low": low,
                    "high": high,
                }
            )
    out: dict[str, Any] = {"holds": not flips, "checked": checked}
    if flips:
        out["flips"] = sorted(flips, key=lambda f: (f["distance"], f["assumption"]))  # the most fragile first
    return out
