"""Run by hand: the practice model's fit time, import times (the bundled rows and a synthetic
1.7-million-row file of all offense types at FY2002-2026 scale, generated here, never committed), and
the per-case prediction time.

.venv/bin/python benchmarks/bench_practice.py [--rows 1700000]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np


def synthetic(path: Path, rows: int, seed: int = 5) -> None:
    """Offender rows shaped like the Commission's: every offense category (OFFGUIDE 1-30, about 2% child
    pornography), 25 fiscal years, the 94 districts, ranges from the Sentencing Table."""
    from plealever.law.districts import codes
    from plealever.law.rulebook import rulebook

    rng = np.random.default_rng(seed)
    table = rulebook().table
    cells = np.array(
        [(lo, 9996 if hi == "life" else hi) for row in table.values() for lo, hi in row if lo != "life"]
    )
    dist = np.array(sorted(codes()))
    chunk = 200_000
    with open(path, "w") as fh:
        fh.write("FISCAL_YEAR,OFFGUIDE,DISTRICT,DSPLEA,PRESENT,AGE,CRIMPTS,XMINSOR,XMAXSOR,SENTTOT,SENTIMP\n")
        for start in range(0, rows, chunk):
            n = min(chunk, rows - start)
            c = cells[rng.integers(0, len(cells), n)]
            sent = np.round(c[:, 0] * rng.lognormal(-0.2, 0.4, n), 2)
            cols = [
                rng.integers(2002, 2027, n),
                np.where(rng.random(n) < 0.02, 7, rng.integers(1, 31, n)),
                dist[rng.integers(0, len(dist), n)],
                rng.choice([1, 2, 3, 5, 8, 9], n, p=[0.8, 0.02, 0.01, 0.13, 0.03, 0.01]),
                rng.integers(1, 5, n),
                rng.integers(18, 80, n),
                rng.integers(0, 20, n),
                c[:, 0],
                c[:, 1],
            ]
            lines = []
            prob = rng.random(n) < 0.02
            for i in range(n):
                s = "" if prob[i] else f"{sent[i]:g}"
                imp = 4 if prob[i] else 1
                lines.append(",".join(str(col[i]) for col in cols) + f",{s},{imp}\n")
            fh.writelines(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_700_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="plealever-bench-") as tmp:
        os.environ["PLEALEVER_DATA_DIR"] = str(Path(tmp) / "data")
        from plealever.data import records, store
        from plealever.negotiation import practice

        t = time.perf_counter()
        recs = store.bundled()
        print(f"read the bundled rows ({len(recs)}): {time.perf_counter() - t:.2f} s")
        t = time.perf_counter()
        store.import_files([records.bundled_path()])
        print(f"import the bundled rows into the store: {time.perf_counter() - t:.2f} s")

        t = time.perf_counter()
        doc = practice.fit(recs)
        print(
            f"fit on FY2019-2023 ({doc['data']['rows']} rows, prior widths chosen on FY2023): "
            f"{time.perf_counter() - t:.2f} s"
        )
        t = time.perf_counter()
        practice.refit(recs)
        print(f"refit with the held-out test (fit twice, score FY2023): {time.perf_counter() - t:.2f} s")

        params = practice.Params(doc)
        cell = practice.PracticeCell(
            97,
            121,
            chc=1,
            district=40,
            circuit="5",
            plea="agreement",
            custody="detained",
            statutory_min=60,
            statutory_max=240,
        )
        practice.predict(cell, n=10000, seed=0, params=params)
        t = time.perf_counter()
        reps = 50
        for i in range(reps):
            practice.predict(cell, n=10000, seed=i, params=params)
        print(f"one case's prediction (10,000 draws): {1000 * (time.perf_counter() - t) / reps:.1f} ms")
        t = time.perf_counter()
        practice.predict_records(params, recs)
        print(f"score every bundled row (4,000 draws each): {time.perf_counter() - t:.2f} s")

        big = Path(tmp) / "synthetic.csv"
        t = time.perf_counter()
        synthetic(big, args.rows)
        print(
            f"generate a synthetic file of {args.rows:,} rows ({big.stat().st_size / 1e6:.0f} MB): "
            f"{time.perf_counter() - t:.1f} s"
        )
        t = time.perf_counter()
        status = store.import_files([big])
        print(
            f"import it (validate every value, keep OFFGUIDE 7: {status['files'][-1]['rows_kept']:,} rows, "
            f"FY{min(status['fiscal_years'])}-FY{max(status['fiscal_years'])}): {time.perf_counter() - t:.1f} s"
        )


if __name__ == "__main__":
    main()
