"""Benchmark: how long a registry-only command takes to start.

Runs ``govmedia account list`` (a command that only reads the registry) and, in turn with it,
``python -c "import sqlalchemy"`` (the floor every command pays), several times each,
alternating so that a drift of the machine's speed hits both alike. Prints the median wall
time of each, the median of the pairwise ratios, and which heavy libraries the command
imported (none of pandas, matplotlib, Scrapy, numpy or the Word stack should appear).

Target: a registry-only command starts within 3× the bare ``import sqlalchemy``.

    .venv/bin/python bench/startup.py [--runs 9]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("pandas", "matplotlib", "scrapy", "numpy", "docx", "docxtpl", "openpyxl", "xlsxwriter", "twisted")
PROBE = (
    "import json, sys, runpy; sys.argv = ['govmedia', '--db', sys.argv[1], 'account', 'list'];"
    "from monitor.app.cli.main import main; main(sys.argv[1:]);"
    f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)), file=sys.stderr)"
)


def wall(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    python = sys.executable
    govmedia = str(Path(python).with_name("govmedia"))
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "startup.db")
        env = {**os.environ, "GOVMEDIA_DB": db}
        subprocess.run([govmedia, "db", "upgrade"], env=env, check=True, stdout=subprocess.DEVNULL)
        command = [govmedia, "account", "list"]
        floor = [python, "-c", "import sqlalchemy"]
        wall(command, env), wall(floor, env)  # warm the file cache
        ours, bare = [], []
        for _ in range(args.runs):
            ours.append(wall(command, env))
            bare.append(wall(floor, env))
        probe = subprocess.run(
            [python, "-c", PROBE, db], env=env, cwd=ROOT, capture_output=True, text=True, check=True
        )
    heavy = json.loads(probe.stderr.strip().splitlines()[-1])
    ratios = [a / b for a, b in zip(ours, bare, strict=True)]
    print(f"govmedia account list        median {statistics.median(ours):.3f} s  ({args.runs} runs)")
    print(f'python -c "import sqlalchemy" median {statistics.median(bare):.3f} s')
    print(f"ratio (pairwise median)      {statistics.median(ratios):.2f}×   target ≤ 3×")
    print(f"heavy libraries imported     {', '.join(heavy) if heavy else 'none'}")


if __name__ == "__main__":
    main()
