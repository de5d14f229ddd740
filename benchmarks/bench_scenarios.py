"""Run by hand: time to compare 200 scenarios with 10,000 draws each (calculation, Monte Carlo, the
robustness check over every assumption and the value-of-investigation ranking).

.venv/bin/python benchmarks/bench_scenarios.py
"""

from __future__ import annotations

import datetime as dt
import time

from plealever import parse_case
from plealever.analysis import analyse
from plealever.law.rulebook import rulebook

CASE = {
    "manual": "2025-11-01",
    "offense_date": "2024-01-10",
    "counts": [{"statute": "2252A(a)(2)", "count": 2}, {"statute": "2252A(a)(5)"}],
    "facts": {
        "image_count": 900,
        "prepubescent": True,
        "computer": True,
        "distribution": "knowing",
        "sadistic_or_violent": True,
        "infant_or_toddler": False,
        "pattern_of_activity": False,
    },
    "acceptance": "three_level",
    "criminal_history": {"category": "II"},
}


def main() -> None:
    today = dt.date(2026, 11, 29)
    specs = []
    for i in range(200):
        kind = "trial" if i % 10 == 0 else "plea"
        spec = {"id": f"s{i}", "label": f"s{i}", "kind": kind}
        if kind == "plea":
            spec["facts"] = {"image_count": 50 + 10 * i}
            if i % 3 == 0:
                spec["counts"] = [{"statute": "2252A(a)(5)"}]
            if i % 7 == 0:
                spec.update(plea_type="C", agreed_range={"min": 40, "max": 80})
        specs.append(spec)
    case = parse_case({**CASE, "scenarios": specs})
    rulebook()
    started = time.perf_counter()
    a = analyse(case, today=today, draws=10_000, upto="assessment")
    assessed = time.perf_counter()
    a = analyse(case, today=today, draws=10_000)
    finished = time.perf_counter()
    rows = [r for r in a.scenarios if "outcome" in r]
    assert len(rows) >= 200
    c = a.comparison
    print(
        f"{len(rows)} scenarios, 10,000 draws each: {finished - assessed:.2f} s for the comparison "
        f"({(finished - assessed) / len(rows) * 1000:.1f} ms per scenario; calculation and assessment alone "
        f"{assessed - started:.2f} s); robustness varied {len(c.robustness.get('checked', []))} assumptions; "
        f"{len(c.investigation)} investigation candidates priced"
    )


if __name__ == "__main__":
    main()
