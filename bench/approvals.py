"""Benchmark: approve 10,000 pending filings at once (审核通过), on SQLite and PostgreSQL.

Files the pending accounts through the 备案登记表 import, then times the bulk approval the
way `govmedia account approve ID…` and `govmedia account approve --all-pending` run it (one
UPDATE and one INSERT of filing events for the whole batch), and the same through the CLI in
a fresh process. Target: under 10 s for 10,000 approvals on SQLite.

    .venv/bin/python bench/approvals.py [--accounts 10000] [--backends sqlite,postgres]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from registry_import import drop_db, fresh_db, make_rows, write_csv

from registry import db as dbmod
from registry.db import session_scope
from registry.filing.accounts import approve_pending, transition
from registry.filing.queries import list_accounts
from registry.filing.sheet import import_filings
from registry.filing.units import add_unit

ROOT = Path(__file__).resolve().parents[1]


def prepare(url: str, units: list[tuple[str, str, str]], path: Path) -> list[int]:
    dbmod.upgrade(url)
    with session_scope(url) as s:
        add_unit(s, name="甘肃省人民政府", level="province", region="620000", actor="bench")
        for name, level, region in units:
            add_unit(s, name=name, level=level, region=region, actor="bench")
    with session_scope(url) as s:
        import_filings(s, path, actor="bench")
    with session_scope(url) as s:
        return [a["id"] for a in list_accounts(s, status="pending")]


def by_ids(url: str, ids: list[int]) -> float:
    start = time.perf_counter()
    with session_scope(url) as s:
        done = transition(s, "approve", ids, actor="bench")
    assert done.count == len(ids)
    return time.perf_counter() - start


def all_pending(url: str) -> float:
    start = time.perf_counter()
    with session_scope(url) as s:
        approve_pending(s, actor="bench")
    return time.perf_counter() - start


def by_cli(url: str) -> float:
    dbmod.dispose_engines()
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "monitor.app.cli.main", "--db", url, "account", "approve", "--all-pending"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    return seconds


STEPS = (("按ID（approve ID…）", None), ("--all-pending", all_pending), ("命令行进程", by_cli))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--backends", default="sqlite,postgres")
    args = parser.parse_args()
    units, rows = make_rows(args.accounts)
    print(f"批量审核基准：{args.accounts} 个待审核账号，{len(units)} 个单位")
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        path = workdir / "filings.csv"
        write_csv(path, rows)
        for backend in args.backends.split(","):
            figures = []
            for label, step in STEPS:
                url = fresh_db(backend, workdir)
                try:
                    ids = prepare(url, units, path)
                    seconds = by_ids(url, ids) if step is None else step(url)
                    figures.append(seconds)
                    print(f"  {backend:9s} {label:18s} {len(ids):6d} 个  {seconds:6.2f} 秒", flush=True)
                finally:
                    dbmod.dispose_engines()
                    drop_db(url)
            if backend == "sqlite":
                ok = max(figures) < 10
                print(f"目标 SQLite 上 {args.accounts} 个审核 < 10 秒：{'达到' if ok else '未达到'}")


if __name__ == "__main__":
    main()
