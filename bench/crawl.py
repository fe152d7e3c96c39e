"""Benchmark: a crawl of 1,000 accounts × 20 posts against the local stand-in server.

In the same run it crawls the same pages several times through ``govmedia crawl``'s
library function (a Scrapy subprocess each time), alternating so that machine noise hits
both kinds:

1. **bare**: the accounts spider with every collector and parser, results reported but
   nothing written;
2. **full**: the same with the store pipeline (20,000 new posts upserted, snapshots,
   attempts);
3. ``--rounds`` pairs of **bare** and **again** (the full pipeline re-crawling known posts:
   the steady state of monitoring).

Costs are computed against the median bare run.

It prints pages/s and posts/s of each (Scrapy's own elapsed time, spider open → close),
pages per CPU-second of the crawl process (all threads, the store writer included: stable
when other jobs share the machine), and whether storing costs at most 25 % of the best
bare throughput (the target), by wall clock and by CPU. The accounts are a
mix: Weibo (profile + 2 list pages), Bilibili (card, videos, followers, dynamics), RSS,
Atom and JSON Feed, and HTML list pages. Delays are 0; concurrency 16 per platform.

    .venv/bin/python bench/crawl.py [--accounts 1000] [--posts 20] [--db URL_OR_PATH]

With ``--workers 1,2,3`` it measures the distributed crawl instead (``govmedia crawl worker``
processes fed from Redis): for each worker count, in one run, the workers are started and
ready, one cycle of every account is enqueued (``crawl --distributed``) and timed until every
account has its outcome. The stand-in answers after ``--latency`` seconds (0.5 by default) and
each worker sends at most ``--concurrency`` requests at a time per platform or host, so the
latency, not the CPU, bounds a worker (the CPU share the workers used is printed to show it);
no politeness delay applies (``GOVMEDIA_CRAWL_DELAY=0``: with real delays the platforms' pace,
shared by all workers, is the limit whatever their number). It prints accounts/s and pages/s
per worker count and their ratio to one worker.

    .venv/bin/python bench/crawl.py --workers 1,2,3 [--accounts 600] [--latency 0.5] \
        [--redis redis://127.0.0.1:6379/0] [--db postgresql://…]
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import select, update

from registry.collection.cycle_models import CrawlWorker
from registry.db import session_scope, upgrade
from registry.filing import units
from spiders.crawl import CrawlReport, run_crawl
from spiders.distributed import coordinator
from spiders.distributed.queue import QueueSettings, connect
from spiders.standin import StandinAccount, StandinServer, file_accounts, make_posts

MIX = (
    ("weibo", "native", 4),
    ("bilibili", "native", 2),
    ("douyin", "rss", 4),
    ("toutiao", "json", 2),
    ("kuaishou", "atom", 2),
    ("website", "html", 2),
)


def build_accounts(count: int, posts: int) -> list[StandinAccount]:
    total = sum(weight for _, _, weight in MIX)
    accounts: list[StandinAccount] = []
    for platform, kind, weight in MIX:
        for i in range(count * weight // total):
            pid = {
                "weibo": f"{2800000000 + i}",
                "bilibili": f"{70000000 + i}",
                "douyin": f"MS4wLjABAAAAbench{i:016d}",
                "toutiao": f"{900000000 + i}",
                "kuaishou": f"bench_ks_{i:06d}",
                "website": f"bench-site-{i}",
            }[platform]
            accounts.append(
                StandinAccount(
                    platform,
                    pid,
                    f"{platform}{i}",
                    kind=kind,
                    posts=make_posts(posts, prefix=f"{platform[:2]}{i}x", reposts=2),
                )
            )
    while len(accounts) < count:  # rounding
        i = len(accounts)
        accounts.append(
            StandinAccount(
                "douyin",
                f"MS4wLjABAAAAextra{i:016d}",
                f"extra{i}",
                kind="rss",
                posts=make_posts(posts, prefix=f"ex{i}x"),
            )
        )
    return accounts


def measure(label: str, report: CrawlReport, *, stored: bool) -> tuple[float, float]:
    """Print and return (pages per wall second, pages per CPU second) of one crawl."""
    stats = report.stats
    elapsed = float(stats.get("elapsed_time_seconds") or 0) or 1e-9
    cpu = float(stats.get("govmedia/cpu_seconds") or 0) or 1e-9
    pages = int(stats.get("downloader/response_count") or 0)
    posts = int(stats.get("govmedia/posts_stored" if stored else "govmedia/posts_parsed") or 0)
    outcomes = {}
    for result in report.results:
        outcomes[result["outcome"]] = outcomes.get(result["outcome"], 0) + 1
    kind = "stored" if stored else "parsed"
    print(
        f"{label:5}  {pages:6d} pages in {elapsed:6.2f} s = {pages / elapsed:7.1f} pages/s, "
        f"{posts:6d} posts {kind} = {posts / elapsed:7.1f} posts/s; "
        f"CPU {cpu:6.2f} s = {pages / cpu:7.1f} pages/CPU-s "
        f"(crawl {float(stats.get('govmedia/reactor_cpu_seconds') or 0):5.2f} s, "
        f"writer {float(stats.get('govmedia/store_cpu_seconds') or 0):5.2f} s); outcomes {outcomes}"
    )
    return pages / elapsed, pages / cpu


def _ready(db: str, n: int) -> bool:
    """``n`` workers have registered and beaten once (their spider is running)."""
    with session_scope(db) as s:
        rows = s.scalars(select(CrawlWorker).where(CrawlWorker.stopped_at.is_(None)))
        return sum(1 for w in rows if w.heartbeat_at > w.started_at) >= n


def _start(env: dict[str, str], n: int, db: str, log: Path) -> list[subprocess.Popen[bytes]]:
    """``n`` workers, their log in ``log``, once they are ready."""
    command = [sys.executable, "-m", "monitor.app.cli.main", "crawl", "worker"]
    with log.open("ab") as out:
        procs = [subprocess.Popen(command, env=env, stdout=out, stderr=out) for _ in range(n)]
    deadline = time.monotonic() + 120
    while not _ready(db, n):
        if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
            _stop(procs, db)
            raise SystemExit(f"the workers did not start:\n{log.read_text(errors='replace')[-2000:]}")
        time.sleep(0.2)
    return procs


def _stop(procs: list[subprocess.Popen[bytes]], db: str) -> None:
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in procs:
        p.wait(timeout=120)
    with session_scope(db) as s:  # the next round counts only its own workers as running
        s.execute(
            update(CrawlWorker)
            .where(CrawlWorker.stopped_at.is_(None))
            .values(stopped_at=CrawlWorker.heartbeat_at)
        )


def _cpu(procs: list[subprocess.Popen[bytes]]) -> float:
    """CPU seconds (user + system) the worker processes have used so far (Linux /proc)."""
    total = 0
    for p in procs:
        fields = Path(f"/proc/{p.pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / os.sysconf("SC_CLK_TCK")


def _round(
    db: str, queue: QueueSettings, env: dict[str, str], n: int, server: StandinServer, log: Path
) -> dict[str, Any]:
    """Start ``n`` workers, wait until they are ready, then time one cycle of every account."""
    procs = _start(env, n, db, log)
    try:
        pages_before = sum(server.hits.values())
        cpu_before, here_before, t0 = _cpu(procs), time.process_time(), time.perf_counter()
        enqueued = coordinator.enqueue(db, queue)
        waited = coordinator.wait(db, queue, enqueued.cycle_id, poll=0.2)
        seconds, cpu = time.perf_counter() - t0, _cpu(procs) - cpu_before
        here = time.process_time() - here_before
        pages = sum(server.hits.values()) - pages_before
    finally:
        _stop(procs, db)
    outcomes: dict[str, int] = {}
    for r in waited.results:
        outcomes[r["outcome"]] = outcomes.get(r["outcome"], 0) + 1
    return {
        "workers": n,
        "accounts": len(waited.results),
        "pages": pages,
        "seconds": seconds,
        "cpu": cpu,
        "standin_cpu": here,
        "outcomes": outcomes,
    }


def _line(row: dict[str, Any]) -> str:
    wall, cores = row["seconds"], os.cpu_count() or 1
    return (
        f"{row['workers']} worker(s): {row['accounts']} accounts, {row['pages']} pages in {wall:6.2f} s "
        f"= {row['accounts'] / wall:6.1f} accounts/s, {row['pages'] / wall:6.1f} pages/s; "
        f"CPU: workers {row['cpu']:4.1f} s, stand-in and coordinator {row['standin_cpu']:4.1f} s "
        f"= {100 * (row['cpu'] + row['standin_cpu']) / wall / cores:3.0f} % of {cores} cores; "
        f"outcomes {row['outcomes']}"
    )


def scaling(counts: list[int], accounts: int, posts: int, args: argparse.Namespace) -> int:
    """The distributed crawl's throughput per worker count, in one run (see the docstring)."""
    tmp = tempfile.TemporaryDirectory()
    db = args.db or str(Path(tmp.name) / "bench.db")
    upgrade(db)
    with session_scope(db) as s:
        units.add_unit(s, name="基准测试单位", level="province", region="620000", actor="bench")
    prefix = f"govmedia-bench-{uuid.uuid4().hex[:8]}"
    queue = QueueSettings(args.redis, prefix=prefix, lease_seconds=60, heartbeat_seconds=5)
    client = connect(queue)
    crawl_accounts = build_accounts(accounts, posts)
    rows = []
    try:
        with StandinServer(crawl_accounts, latency=args.latency) as server:
            file_accounts(db, server, crawl_accounts, unit="基准测试单位", actor="bench")
            env = {**os.environ, **server.env(), "GOVMEDIA_DB": db, "GOVMEDIA_REDIS_URL": queue.url}
            env.update(GOVMEDIA_REDIS_PREFIX=queue.prefix, GOVMEDIA_WEIBO_MAX_PAGES="1")
            for key in ("WEIBO", "WECHAT", "BILIBILI", "FEED", "HTML"):
                env[f"GOVMEDIA_{key}_CONCURRENCY"] = str(args.concurrency)
                env[f"GOVMEDIA_{key}_DAILY_BUDGET"] = "0"
            print(
                f"{len(crawl_accounts)} accounts × {posts} posts, stand-in latency {args.latency:g} s, "
                f"{args.concurrency} requests at a time per platform/host per worker, database {db}"
            )
            for n in counts:
                rows.append(_round(db, queue, env, n, server, Path(tmp.name) / "workers.log"))
                print(_line(rows[-1]))
    finally:
        for key in client.scan_iter(match=f"{prefix}:*"):
            client.delete(key)
    first = rows[0]
    base = first["pages"] / first["seconds"]
    for row in rows:
        ratio, ideal = row["pages"] / row["seconds"] / base, row["workers"] / first["workers"]
        print(
            f"{row['workers']} worker(s): {ratio:4.2f}× the pages/s of {first['workers']} "
            f"(ideal {ideal:4.2f}×)"
        )
    tmp.cleanup()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--accounts", type=int, default=None, help="accounts (default 1000; 600 with --workers)"
    )
    parser.add_argument("--posts", type=int, default=20)
    parser.add_argument("--db", default=None, help="database (default: a temporary SQLite file)")
    parser.add_argument("--rounds", type=int, default=2, help="bare/re-crawl pairs after the first pair")
    parser.add_argument("--workers", default=None, help="distributed crawl: worker counts, e.g. 1,2,3")
    parser.add_argument(
        "--latency", type=float, default=0.5, help="--workers: the stand-in's answer time (s)"
    )
    parser.add_argument(
        "--concurrency", type=int, default=4, help="--workers: requests per platform per worker"
    )
    parser.add_argument(
        "--redis", default="redis://127.0.0.1:6379/0", help="--workers: the Redis of the queue"
    )
    args = parser.parse_args()
    if args.workers:
        counts = [int(x) for x in args.workers.split(",") if x.strip()]
        return scaling(counts, args.accounts or 600, args.posts, args)
    args.accounts = args.accounts or 1000
    tmp = tempfile.TemporaryDirectory()
    db = args.db or str(Path(tmp.name) / "bench.db")
    upgrade(db)
    with session_scope(db) as s:
        units.add_unit(s, name="基准测试单位", level="province", region="620000", actor="bench")
    accounts = build_accounts(args.accounts, args.posts)
    with StandinServer(accounts) as server:
        t0 = time.perf_counter()
        file_accounts(db, server, accounts, unit="基准测试单位", actor="bench")
        print(
            f"filed {len(accounts)} accounts × {args.posts} posts in {time.perf_counter() - t0:.1f} s "
            f"(database {db})"
        )
        env = {**server.env(), "GOVMEDIA_WEIBO_MAX_PAGES": str(-(-args.posts // 10))}
        for key in ("WEIBO", "WECHAT", "BILIBILI", "FEED", "HTML"):
            env[f"GOVMEDIA_{key}_CONCURRENCY"] = "16"
            env[f"GOVMEDIA_{key}_DAILY_BUDGET"] = "0"
        bare = [measure("bare", run_crawl(db, env=env, store=False), stored=False)]
        new = measure("full", run_crawl(db, env=env), stored=True)
        again = []
        for _ in range(args.rounds):
            bare.append(measure("bare", run_crawl(db, env=env, store=False), stored=False))
            again.append(measure("again", run_crawl(db, env=env), stored=True))
    for unit, index in (("wall-clock", 0), ("CPU", 1)):
        base = statistics.median(b[index] for b in bare)
        for label, full in (
            ("new posts", new[index]),
            ("re-crawl", statistics.median(a[index] for a in again)),
        ):
            cost = 1 - full / base
            verdict = "达标" if cost <= 0.25 else "未达标"
            print(
                f"storing ({label}) costs {cost * 100:5.1f} % of the median bare {unit} throughput "
                f"(target ≤ 25 %): {verdict}"
            )
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
