"""Benchmark: the quarterly circular for a national-scale registry.

Builds a synthetic registry (default 500,000 accounts over ~45,000 units in 31 provinces,
filed through the registry's bulk import) and stores check runs through
``registry.checks.store.store_run``: three monthly checks of every account in the window
(2026-10-01..2026-12-31) and one in the previous quarter, with ~3 % confirmed no-update
vetoes, ~4 % confirmed deduct findings, ~1 % candidates and ~1 % uncollected accounts.
Then times ``govmedia report circular`` (``reports.service.circular``: compute, charts,
.docx, .html, .xlsx annex, ledger items) and prints seconds per stage and peak memory.
Target: under 60 s at national scale on this machine.

    .venv/bin/python bench/reports.py [--accounts 500000] [--db PATH]   # --accounts 20000 for a quick run
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psutil

from registry import db as dbmod
from registry.checks import store as checks
from registry.db import session_scope
from registry.filing.queries import account_briefs
from registry.filing.sheet import COLUMNS, import_filings
from registry.filing.units import add_unit
from reports import service

PLATFORMS = [
    ("微信公众号", "gh_{:012x}"),
    ("新浪微博", "{}"),
    ("抖音", "MS4wLjABAAAA{:020d}"),
    ("快手", "ks{:010d}"),
    ("今日头条", "{}"),
    ("哔哩哔哩", "{}"),
    ("微信视频号", "sph{:08d}"),
    ("小红书", "{:024x}"),
    ("百家号", "{}"),
    ("移动客户端", "app-{}"),
    ("网站", "www{}.gov.cn"),
]
PROVINCES = [
    11,
    12,
    13,
    14,
    15,
    21,
    22,
    23,
    31,
    32,
    33,
    34,
    35,
    36,
    37,
    41,
    42,
    43,
    44,
    45,
    46,
    50,
    51,
    52,
    53,
    54,
    61,
    62,
    63,
    64,
    65,
]


def units_for(n_accounts: int) -> list[tuple[str, str, str]]:
    """(name, level, region): a government per province and 市州, the rest county bodies."""
    units: list[tuple[str, str, str]] = []
    for p in PROVINCES:
        units.append((f"{p}省人民政府", "province", f"{p}0000"))
        units += [(f"{p}省{c}市人民政府", "city", f"{p}{c:02d}00") for c in range(1, 15)]
    i = 0
    while len(units) * len(PLATFORMS) < n_accounts:
        p, c, d = PROVINCES[i % 31], 1 + (i // 31) % 14, 1 + (i // 434) % 20
        units.append((f"{p}{c:02d}{d:02d}县第{i}号单位", "county", f"{p}{c:02d}{d:02d}"))
        i += 1
    return units


def write_filings(path: Path, units: list[tuple[str, str, str]], n_accounts: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([label for _, label in COLUMNS] + ["状态"])
        for n in range(n_accounts):
            unit = units[n // len(PLATFORMS)][0]
            label, shape = PLATFORMS[n % len(PLATFORMS)]
            pid = shape.format(n + 100000)
            writer.writerow(
                [unit, label, f"{unit}{label}", pid, f"https://example.gov.cn/{n}", "", "", "", ""]
                + [""] * (len(COLUMNS) - 9)
                + ["已备案"]
            )


def results_for(ids: list[int], rng: random.Random) -> list[dict[str, Any]]:
    out = []
    for account_id in ids:
        roll = rng.random()
        findings: list[dict[str, Any]] = []
        verdict, collection = "qualified", "collected"
        if roll < 0.01:
            verdict, collection = "uncollected", "failed"
        elif roll < 0.04:
            verdict = "unqualified"
            findings.append(
                {
                    "rule": "no_update",
                    "level": "veto",
                    "status": "confirmed",
                    "evidence": {
                        "note": "监测时间点前14天内无更新",
                        "last_post_at": "2026-09-01T10:00:00+08:00",
                    },
                }
            )
        elif roll < 0.08:
            findings.append(
                {
                    "rule": "low_originality",
                    "level": "deduct",
                    "status": "confirmed",
                    "evidence": {
                        "note": "原创比例低于30%",
                        "posts": [{"url": f"https://example.gov.cn/p/{account_id}"}],
                    },
                }
            )
        elif roll < 0.09:
            findings.append(
                {"rule": "sensitive_word", "level": "warn", "status": "candidate", "evidence": {}}
            )
        out.append(
            {
                "account_id": account_id,
                "sample_reason": "all",
                "verdict": verdict,
                "score": None,
                "collection": collection,
                "last_post_at": None,
                "last_success_at": None,
                "posts_in_window": 10,
                "original_posts": 6,
                "stats": {},
                "findings": findings,
            }
        )
    return out


def store(url: str, at: datetime, ids: list[int], seed: int) -> None:
    run = {
        "kind": "monthly",
        "at": at,
        "window_from": at.replace(day=1),
        "window_to": at,
        "sample_rate": None,
        "seed": seed,
        "profile": "national",
        "thresholds": {},
        "actor": "bench",
        "population": len(ids),
    }
    with session_scope(url) as s:
        checks.store_run(s, run=run, results=results_for(ids, random.Random(seed)))


def build(url: str, n_accounts: int, work: Path) -> None:
    t = time.perf_counter()
    dbmod.upgrade(url)
    units = units_for(n_accounts)
    with session_scope(url) as s:
        for name, level, region in units:
            add_unit(s, name=name, level=level, region=region, actor="bench")
    path = work / "filings.csv"
    write_filings(path, units, n_accounts)
    with session_scope(url) as s:
        import_filings(s, path, actor="bench")
    print(f"registry: {len(units):,} units, {n_accounts:,} accounts filed in {time.perf_counter() - t:.1f} s")
    with session_scope(url) as s:
        ids = sorted(account_briefs(s, range(1, n_accounts + 1)))
    t = time.perf_counter()
    for n, at in enumerate(
        [
            datetime(2026, 9, 15, 2, tzinfo=UTC),
            datetime(2026, 10, 15, 2, tzinfo=UTC),
            datetime(2026, 11, 15, 2, tzinfo=UTC),
            datetime(2026, 11, 22, 2, tzinfo=UTC),
        ]
    ):
        store(url, at, ids, seed=n)
    print(f"check runs: 4 monthly runs × {len(ids):,} accounts stored in {time.perf_counter() - t:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=500_000)
    parser.add_argument("--db", help="reuse a database built by an earlier run (skips generation)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="govmedia-bench-reports-"))
    url = args.db or str(work / "national.db")
    if args.db:
        dbmod.upgrade(url)
    else:
        build(url, args.accounts, work)
    process = psutil.Process()
    rss_before = process.memory_info().rss
    t = time.perf_counter()
    with session_scope(url) as s:
        summary = service.circular(
            s,
            start=date(2026, 10, 1),
            end=date(2026, 12, 31),
            out=work / "out",
            actor="bench",
            deadline=date(2027, 1, 31),
            today=date(2027, 1, 5),
        )
    elapsed = time.perf_counter() - t
    peak = process.memory_info().rss
    print(f"circular: {elapsed:.1f} s (target < 60 s); RSS {rss_before / 2**20:.0f} → {peak / 2**20:.0f} MB")
    print(
        f"  registry {summary['registry_total']:,}, checked {summary['checked']:,}, "
        f"unqualified {summary['unqualified']:,}, pass rate {summary['pass_rate']}%, "
        f"annex rows {summary['annex_rows']:,}, ledger items opened {summary['ledger_opened']:,}"
    )
    for kind, path in summary["files"].items():
        print(f"  {kind}: {path} ({Path(path).stat().st_size / 2**20:.1f} MB)")
    print(f"database: {url}")


if __name__ == "__main__":
    main()
