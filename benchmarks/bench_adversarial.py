"""The large adversarial run: seeded generated case files through the Python API (load, calculate,
assess; every tenth accepted one also scenarios and the Markdown memo) and a sample through the CLI.

    .venv/bin/python benchmarks/bench_adversarial.py [--files 20000] [--cli 300] [--seed 2026]

Prints the count of each outcome (definitions in tests/adversarial.py): tracebacks, hangs,
accepted-invalid and unclean messages should all be 0. Files are split across two worker processes.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.adversarial import contract_rejects, generate, run, unclean  # noqa: E402

BAD = ("traceback", "hang", "accepted_invalid", "unclean")


def _chunk(args: tuple[int, int]):
    seed, n = args
    counts, examples, _ = run(seed, n, deep_every=10, time_limit=20.0)
    return counts, examples


def _cli_sample(seed: int, n: int) -> tuple[Counter, list[str]]:
    """Files through `plealever calc` as a user runs it: exit 0 or 2, one clean line, within 60 s."""
    exe = str(Path(sys.executable).parent / "plealever")
    counts: Counter = Counter()
    examples: list[str] = []
    rng = random.Random(seed)
    samples = [s for s in generate(seed + 1, n * 4) if rng.random() < 0.34][:n]
    with tempfile.TemporaryDirectory() as folder:
        for i, sample in enumerate(samples):
            path = Path(folder) / f"case-{i}.{sample.fmt}"
            path.write_text(sample.text, encoding="utf-8", errors="surrogatepass")
            command = rng.choice(["calc", "assess", "history"])
            try:
                out = subprocess.run([exe, command, str(path)], capture_output=True, text=True, timeout=60)
            except subprocess.TimeoutExpired:
                counts["hang"] += 1
                examples.append(f"hang: {sample.kind}")
                continue
            err = out.stderr.strip()
            if out.returncode not in (0, 2) or "Traceback" in out.stderr:
                counts["traceback"] += 1
                examples.append(f"traceback: {sample.kind}: {err[-200:]}")
            elif out.returncode == 2:
                why = unclean(err.removeprefix("error: "), sample.text, str(path))
                counts["unclean" if why or "\n" in err else "clean_error"] += 1
                if why:
                    examples.append(f"unclean: {sample.kind}: {why}: {err[:200]}")
            elif contract_rejects(sample):
                counts["accepted_invalid"] += 1
                examples.append(f"accepted_invalid: {sample.kind}")
            else:
                counts["accepted"] += 1
    return counts, examples


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=20_000)
    parser.add_argument("--cli", type=int, default=300)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    start = time.perf_counter()
    half = args.files // 2
    totals: Counter = Counter()
    examples: dict[str, list[str]] = {}
    with ProcessPoolExecutor(max_workers=2) as pool:
        for counts, found in pool.map(_chunk, [(args.seed, half), (args.seed + 1, args.files - half)]):
            totals.update(counts)
            for key, items in found.items():
                examples.setdefault(key, []).extend(items)
    api_seconds = time.perf_counter() - start
    print(f"Python API: {args.files} files in {api_seconds:.0f} s")
    for key in ("accepted", "clean_error", *BAD):
        print(f"  {key:18} {totals[key]:6d}")
    print("  by kind: " + ", ".join(f"{k[5:]} {v}" for k, v in sorted(totals.items()) if k.startswith("kind:")))
    for key in BAD:
        for item in examples.get(key, [])[:5]:
            print(f"    {key}: {item}")

    start = time.perf_counter()
    cli, cli_examples = _cli_sample(args.seed + 7, args.cli)
    print(f"CLI sample: {sum(cli.values())} files in {time.perf_counter() - start:.0f} s")
    for key in ("accepted", "clean_error", *BAD):
        print(f"  {key:18} {cli[key]:6d}")
    for item in cli_examples[:10]:
        print(f"    {item}")
    sys.exit(1 if any(totals[k] or cli[k] for k in BAD) else 0)


if __name__ == "__main__":
    main()
