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
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from registry.db import session_scope, upgrade
from registry.filing import units
from spiders.crawl import CrawlReport, run_crawl
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--posts", type=int, default=20)
    parser.add_argument("--db", default=None, help="database (default: a temporary SQLite file)")
    parser.add_argument("--rounds", type=int, default=2, help="bare/re-crawl pairs after the first pair")
    args = parser.parse_args()
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
