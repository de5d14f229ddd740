"""Run by hand: the acquittal and agreement figures for the bundled examples and the review's cases
(decision 0014 quotes them beside the figures before issue 14), and the time each analysis takes.

.venv/bin/python benchmarks/bench_negotiation.py
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from plealever.analysis import analyse
from plealever.case import load_case

ROOT = Path(__file__).resolve().parents[1]
TODAY = dt.date(2026, 9, 1)  # the review cases' dates are relative to this day


def main() -> None:
    files = sorted((ROOT / "examples").glob("*.yaml")) + sorted((ROOT / "tests" / "review").glob("*.yaml"))
    for path in files:
        started = time.perf_counter()
        a = analyse(load_case(path), today=TODAY, draws=4000)
        took = time.perf_counter() - started
        c = a.comparison
        verdict = c.robust.get(c.recommended)
        holds = "holds" if verdict is True else f"depends on {verdict['assumption']}" if verdict else "-"
        print(f"{path.relative_to(ROOT)} ({took:.2f} s): recommended {c.recommended} ({holds})")
        for r in a.scenarios:
            if "outcome" not in r:
                continue
            acquittal = r["outcome"].get("p_acquittal")
            figure = f"acquittal {acquittal:.1%}" if acquittal is not None else f"agreement {r['agreement_probability']:.0%}"
            print(f"  {r['id']:32s} {r['availability']:18s} {figure:18s} mean {r['outcome']['mean']:6.1f}")


if __name__ == "__main__":
    main()
