"""Run by hand: time to evaluate 200 scenarios with 10,000 draws each (calculation + Monte Carlo).

.venv/bin/python benchmarks/bench_scenarios.py
"""

from __future__ import annotations

import datetime as dt
import time

from plealever import parse_case
from plealever.law.rulebook import rulebook
from plealever.mitigation.levers import lever_statuses
from plealever.negotiation.compare import _row  # noqa: PLC2701 - the per-scenario unit of work
from plealever.negotiation.outcomes import Params
from plealever.negotiation.scenarios import evaluate

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
    book = rulebook()
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
    params = Params(book)
    statuses = lever_statuses(book, case, today)
    started = time.perf_counter()
    evaluated = [evaluate(book, case, s, False, statuses, today) for s in case.scenarios]
    calc_done = time.perf_counter()
    rows = [_row(book, case, sc, params, 10_000, 1, "absent", "unsettled", {}) for sc in evaluated]
    for r in rows:
        r.pop("_draws", None)
    finished = time.perf_counter()
    assert len(rows) == 200 and all("outcome" in r for r in rows)
    print(
        f"200 scenarios: calculations {calc_done - started:.2f} s, 10,000 draws each {finished - calc_done:.2f} s, "
        f"total {finished - started:.2f} s ({(finished - started) / 200 * 1000:.1f} ms per scenario)"
    )


if __name__ == "__main__":
    main()
