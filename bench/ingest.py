"""Benchmark: bulk ingest of crawled posts through the registry's store, SQLite and PostgreSQL.

Stores ``--posts`` posts (default 500,000; Chinese text of 60–260 characters, counts, times)
for ``--accounts`` accounts through ``registry.collection.store.store_collection``, the path
the spiders' pipeline takes, in batches of ``--batch`` posts (one crawl batch, one unit of
work each): executemany on SQLite, COPY into a staging table and one ``INSERT … ON CONFLICT``
per batch on PostgreSQL. Then stores them all again with new counts (a re-crawl: every row a
conflict, updated). Prints rows/s for each dialect and pass; the research's figure for the
COPY path on this machine kind is 50–70 k rows/s new and 40–45 k rows/s all conflicting.

    .venv/bin/python bench/ingest.py [--posts 500000] [--pg postgresql://postgres@127.0.0.1/postgres]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, insert, text

from registry import db
from registry.collection.store import store_collection
from registry.filing.models import Account, Unit

AT = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def registry(url: str, n_accounts: int) -> None:
    with db.session_scope(url) as s:
        s.execute(
            insert(Unit),
            [
                {
                    "id": 1,
                    "name": "单位",
                    "level": "county",
                    "kind": "government",
                    "region_code": "620102",
                    "created_at": AT,
                }
            ],
        )
        s.execute(
            insert(Account),
            [
                {
                    "id": a,
                    "unit_id": 1,
                    "platform": "weibo",
                    "name": f"账号{a}",
                    "platform_id": f"{10_000_000 + a}",
                    "status": "active",
                    "filed_at": AT,
                    "status_at": AT,
                }
                for a in range(1, n_accounts + 1)
            ],
        )


def batches(n_posts: int, n_accounts: int, batch: int, seed: int, likes: int) -> list[list[dict[str, Any]]]:
    """Crawl results: each account's posts, grouped into batches of about ``batch`` posts."""
    rng = np.random.default_rng(seed)
    table = np.array([0x4E00 + i * 5 for i in range(3500)], dtype=np.uint32)
    lengths = rng.integers(60, 260, size=n_posts)
    codes = table[rng.integers(0, 3500, size=int(lengths.sum()))]
    joined = codes.tobytes().decode("utf-32-le")
    ends = np.cumsum(lengths).tolist()
    per_account = max(1, n_posts // n_accounts)
    out: list[list[dict[str, Any]]] = [[]]
    size = 0
    for start in range(0, n_posts, per_account):
        account = start // per_account % n_accounts + 1
        posts = []
        for i in range(start, min(n_posts, start + per_account)):
            begin = ends[i - 1] if i else 0
            posts.append(
                {
                    "post_id": f"p{i}",
                    "title": joined[begin : begin + 18],
                    "text": joined[begin : ends[i]],
                    "url": f"https://m.example/p{i}",
                    "published_at": AT - timedelta(seconds=i),
                    "likes": likes,
                    "reposts": 1,
                    "comments": 2,
                    "extra": {"source": "bench"},
                }
            )
        out[-1].append({"account_id": account, "outcome": "ok", "at": AT, "posts": posts})
        size += len(posts)
        if size >= batch:
            out.append([])
            size = 0
    return [b for b in out if b]


def run(url: str, args: argparse.Namespace) -> None:
    db.upgrade(url)
    registry(url, args.accounts)
    label = db.get_engine(url).dialect.name
    for name, likes in (("new", 1), ("re-crawl", 7)):
        work = batches(args.posts, args.accounts, args.batch, args.seed, likes)
        started = time.perf_counter()
        new = 0
        for results in work:
            with db.session_scope(url) as s:
                new += sum(store_collection(s, results, crawl_id=name))
        seconds = time.perf_counter() - started
        print(
            f"{label:<11} {name:<9} {args.posts:,} posts in {seconds:6.1f} s = "
            f"{args.posts / seconds:8,.0f} rows/s   (new posts reported: {new:,})",
            flush=True,
        )
    db.dispose_engines()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--posts", type=int, default=500_000)
    parser.add_argument("--accounts", type=int, default=25_000)
    parser.add_argument("--batch", type=int, default=20_000, help="posts per crawl batch (one transaction)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--pg", default="postgresql://postgres@127.0.0.1/postgres", help="a PostgreSQL server URL"
    )
    parser.add_argument("--dialects", default="sqlite,postgresql")
    args = parser.parse_args()
    wanted = args.dialects.split(",")
    print(f"{args.posts:,} posts of {args.accounts:,} accounts, batches of about {args.batch:,} posts")
    if "sqlite" in wanted:
        with tempfile.TemporaryDirectory(prefix="govmedia-ingest-") as tmp:
            run(db.resolve_url(str(Path(tmp) / "ingest.db")), args)
    if "postgresql" in wanted:
        server = db.resolve_url(args.pg)
        name = f"govmedia_ingest_{uuid.uuid4().hex[:8]}"
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            run(server.rsplit("/", 1)[0] + f"/{name}", args)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
