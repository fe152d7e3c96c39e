"""Benchmark: `govmedia status` on a registry of 10,000 approved accounts (SQLite).

Prints the wall time of the whole command in a fresh process (start-up included), as staff
meet it. Target: under 2 s.

    .venv/bin/python bench/status.py [--accounts 10000]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from approvals import prepare
from registry_import import make_rows, write_csv

from registry.db import dispose_engines, session_scope
from registry.filing.accounts import approve_pending

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    units, rows = make_rows(args.accounts)
    with tempfile.TemporaryDirectory() as tmp:
        path, db = Path(tmp) / "filings.csv", str(Path(tmp) / "govmedia.db")
        write_csv(path, rows)
        prepare(db, units, path)
        with session_scope(db) as s:
            approve_pending(s, actor="bench")
        dispose_engines()
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            command = [sys.executable, "-m", "monitor.app.cli.main", "--db", db, "status"]
            subprocess.run(command, cwd=ROOT, capture_output=True, check=True)
            times.append(time.perf_counter() - start)
    median = statistics.median(times)
    print(f"govmedia status，{args.accounts} 个已备案账号：中位数 {median:.2f} 秒（{args.runs} 次）")


if __name__ == "__main__":
    main()
