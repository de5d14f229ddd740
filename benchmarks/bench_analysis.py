"""Run by hand: the analysis spine's costs, printed as figures.

    .venv/bin/python benchmarks/bench_analysis.py

- guideline calculations per memo of each bundled example (one per Manual compared, per scenario and
  per stipulation variant) and the time to analyse;
- the time to render each memo format from a finished Analysis (nothing is computed there);
- in a running `plealever serve`: the scenarios page with both charts, then each memo format;
- `plealever calc CASE --json` from a cold process against a bare `python -c pass`.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
EXAMPLES = ["receipt-plea.yaml", "mitigation-sting.yaml"]


def analysis_costs() -> None:
    from plealever import analyse, load_case, render_memo

    for name in EXAMPLES:
        case = load_case(ROOT / "examples" / name)
        started = time.perf_counter()
        a = analyse(case, today=dt.date(2026, 11, 29))
        took = time.perf_counter() - started
        scenarios = len([r for r in a.scenarios if "outcome" in r])
        variants = len([s for s in a.comparison.sensitivity if s["kind"] == "stipulation"])
        print(
            f"{name}: {a.calculations} calculations for {scenarios} scenarios and {variants} stipulation "
            f"variants ({a.result.calculations} Manual(s) compared); analyse {took * 1000:.0f} ms"
        )
        for fmt in ("md", "html", "docx", "pdf"):
            started = time.perf_counter()
            render_memo(a, fmt)
            print(f"  render_memo {fmt}: {(time.perf_counter() - started) * 1000:.0f} ms")


def web_timings() -> None:
    import httpx

    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite:///{tmp}/bench.sqlite3"
        subprocess.run([BIN / "plealever", "cases", "import", ROOT / "examples" / "receipt-plea.yaml", "--db", db],
                       check=True, capture_output=True)
        proc = subprocess.Popen([BIN / "plealever", "serve", "--port", "0", "--db", db],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            line = proc.stdout.readline()
            url = re.search(r"(http://\S+)", line).group(1)
            base = url.split("/?")[0]
            client = httpx.Client(base_url=base, follow_redirects=True, timeout=60)
            client.get(url)  # the token for a cookie
            time.sleep(3)  # start-up: the heavy libraries warm in the background
            case_id = client.get("/api/cases").json()[0]["id"]
            started = time.perf_counter()
            assert client.get(f"/cases/{case_id}/scenarios").status_code == 200
            for chart in ("distribution", "tornado"):
                assert client.get(f"/cases/{case_id}/charts/{chart}.png").status_code == 200
            print(f"serve: scenarios page with both charts {(time.perf_counter() - started) * 1000:.0f} ms")
            for fmt in ("md", "html", "docx", "pdf"):
                started = time.perf_counter()
                assert client.get(f"/cases/{case_id}/memo.{fmt}").status_code == 200
                print(f"serve: memo.{fmt} {(time.perf_counter() - started) * 1000:.0f} ms")
        finally:
            proc.terminate()
            proc.wait(10)


def cli_start_up(runs: int = 25) -> None:
    def once(cmd: list) -> float:
        started = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
        return time.perf_counter() - started

    bare, calc, floor = [], [], []
    example = str(ROOT / "examples" / "receipt-plea.yaml")
    once([BIN / "plealever", "calc", example, "--json"])  # the law-data cache is written once
    for _ in range(runs):  # interleaved, so machine load hits all three alike
        bare.append(once([sys.executable, "-c", "pass"]))
        calc.append(once([BIN / "plealever", "calc", example, "--json"]))
        floor.append(once([sys.executable, "-c", "import typer, pydantic"]))
    b, c, f = (statistics.median(x) * 1000 for x in (bare, calc, floor))
    print(
        f"cold `plealever calc receipt-plea.yaml --json`: median {c:.0f} ms = {c / b:.1f}x a bare "
        f"`python -c pass` ({b:.0f} ms); importing Typer and pydantic alone: {f:.0f} ms = {f / b:.1f}x"
    )


if __name__ == "__main__":
    os.chdir(ROOT)
    analysis_costs()
    web_timings()
    cli_start_up()
