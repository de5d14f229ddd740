"""Run by hand: time per calculation over 10,000 calculations, and the CLI's start-up for `calc`.

.venv/bin/python benchmarks/bench_calc.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "receipt-plea.yaml"
N = 10_000


def calc_throughput() -> None:
    from plealever import calculate, load_case
    from plealever.law.rulebook import rulebook

    t0 = time.perf_counter()
    rulebook()
    load = time.perf_counter() - t0
    case = load_case(EXAMPLE)
    calculate(case)  # warm
    t0 = time.perf_counter()
    for _ in range(N):
        calculate(case)
    elapsed = time.perf_counter() - t0
    print(f"law data load (once per process): {load * 1000:.1f} ms")
    print(
        f"calculate(): {N} calculations in {elapsed:.2f} s = {elapsed / N * 1e6:.0f} µs each "
        "(the example compares two Manuals, so each is two full calculations)"
    )


def cli_startup(runs: int = 10) -> None:
    exe = Path(sys.executable).parent / "plealever"
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([str(exe), "calc", str(EXAMPLE), "--json"], check=True, capture_output=True)
        times.append(time.perf_counter() - t0)
    print(
        f"`plealever calc {EXAMPLE.name} --json` wall time over {runs} runs: median "
        f"{statistics.median(times) * 1000:.0f} ms, min {min(times) * 1000:.0f} ms"
    )
    t0 = time.perf_counter()
    subprocess.run([str(exe), "--help"], check=True, capture_output=True)
    print(f"`plealever --help` wall time: {(time.perf_counter() - t0) * 1000:.0f} ms")


if __name__ == "__main__":
    calc_throughput()
    cli_startup()
