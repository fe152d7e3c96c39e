"""The near-duplicate index is built as posts arrive: ``govmedia crawl``, ``govmedia post import``
and the scheduler's crawl job index what they stored (with its lexicon hits), so that a check
finds nothing left to index."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select

from monitor.app.config import load_config
from monitor.app.scheduler import JobContext, crawl
from monitor.check.run import run_check
from registry.checks.models import PostFingerprint, PostHit
from registry.collection.models import Post
from registry.db import dispose_engines, session_scope
from spiders.standin import StandinAccount, StandinServer, make_posts
from tests.factories import CITY, active_account, small_registry


def _indexed(db: str) -> tuple[int, int, int]:
    """(posts, fingerprints, lexicon hits) stored."""
    with session_scope(db) as s:
        posts = s.scalar(select(func.count()).select_from(Post)) or 0
        prints = s.scalar(select(func.count()).select_from(PostFingerprint)) or 0
        hits = s.scalar(select(func.count()).select_from(PostHit)) or 0
    return posts, prints, hits


def _imported(cli, tmp_path: Path, lines: list[str]) -> str:  # type: ignore[no-untyped-def]
    """A registry with one active account and ``lines`` (time,text) imported as its posts."""
    db = str(tmp_path / "govmedia.db")
    small_registry(db)
    aid = active_account(db, unit=CITY, platform="weibo", name="兰州发布", platform_id="1669879400")
    path = tmp_path / "内容.csv"
    rows = "".join(f"{aid},p{k},{line}\n" for k, line in enumerate(lines))
    path.write_text("account,post_id,published_at,text\n" + rows, encoding="utf-8")
    assert cli(["--db", db, "post", "import", str(path)]).code == 0
    return db


def test_post_import_indexes_the_posts(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db = _imported(
        cli,
        tmp_path,
        [
            "2026-11-20 10:00,今天召开全市工作会议，部署冬季安全生产",
            "2026-11-21 10:00,明星八卦：某某恋情曝光",
        ],
    )
    posts, prints, hits = _indexed(db)
    assert posts == prints == 2
    assert hits >= 1  # the starter lexicon's entertainment markers, scanned at import
    with session_scope(db) as s:
        outcome = run_check(s, kind="adhoc", actor="t", at=datetime(2026, 11, 23, tzinfo=UTC), seed=1)
    assert outcome.counts["indexed"] == 0 and outcome.counts["rescanned"] == 0
    dispose_engines()


def test_crawl_and_the_scheduled_crawl_index_what_they_stored(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "govmedia.db")
    small_registry(db)
    ids = [
        active_account(
            db, unit=CITY, platform="weibo", name=f"号{k}", platform_id=f"{1669879400 + k}", reason="r"
        )
        for k in range(2)
    ]
    accounts = [
        StandinAccount("weibo", f"{1669879400 + k}", f"号{k}", posts=make_posts(3, prefix=f"a{k}-"))
        for k in range(2)
    ]
    with StandinServer(accounts) as server:
        for key, value in server.env().items():
            monkeypatch.setenv(key, value)
        done = cli(["--db", db, "crawl", "--account", str(ids[0]), "--format", "json"])
        assert done.code == 0 and json.loads(done.out)[0]["outcome"] == "ok"
        posts, prints, _ = _indexed(db)
        assert posts > 0 and prints == posts
        crawl(JobContext(db=db, config=load_config(None), now=datetime.now(UTC) - timedelta(minutes=1)))
    more, prints, _ = _indexed(db)
    assert more > posts and prints == more
    dispose_engines()


def test_posts_stored_out_of_order_are_indexed_by_the_next_check(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Workers on several machines commit out of id order: a post below the newest indexed one
    that has no index row yet (its writer committed late) is indexed by the check of its window."""
    from monitor.app.ingest import index_after_ingest

    db = _imported(
        cli, tmp_path, [f"2026-11-{10 + k} 10:00,第{k}条：全市工作会议部署冬季安全生产" for k in range(4)]
    )
    with session_scope(db) as s:
        late = s.scalar(select(func.min(Post.id)))
        s.execute(delete(PostFingerprint).where(PostFingerprint.post_id == late))
    assert index_after_ingest(db).indexed == 0  # only posts after the newest indexed one are new
    assert _indexed(db)[:2] == (4, 3)
    with session_scope(db) as s:
        outcome = run_check(s, kind="adhoc", actor="t", at=datetime(2026, 11, 23, tzinfo=UTC), seed=1)
    assert outcome.counts["indexed"] == 1
    assert _indexed(db)[:2] == (4, 4)
    dispose_engines()
