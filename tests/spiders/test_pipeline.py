"""The pipeline writes through ``registry``: idempotent on SQLite and PostgreSQL, a blocked
fetch never becomes "no posts", approximate times are refined, snapshots are kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from registry.collection.queries import account_attempts, account_posts, account_snapshots, crawl_outcomes
from registry.db import dispose_engines, session_scope
from spiders.collectors.base import make_post
from spiders.crawl import run_crawl
from spiders.items import AccountResult
from spiders.pipelines import store_results
from spiders.standin import StandinAccount, StandinServer, file_accounts, make_posts
from tests.factories import PROVINCE, active_account, small_registry

FETCHED = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def _result(
    account_id: int,
    outcome: str = "ok",
    *,
    posts: list[dict] | None = None,
    likes: int = 1,
    when: str = "昨天 10:00",
) -> AccountResult:
    default = [
        make_post(
            f"p{i}",
            fetched_at=FETCHED,
            time_value=when if i == 0 else 1763800000 + i,
            text=f"第{i}条",
            counts={"likes": likes},
        )
        for i in range(3)
    ]
    return AccountResult(
        account_id=account_id,
        outcome=outcome,
        collector="weibo",
        fetched_at=FETCHED,
        posts=default if posts is None else posts,
        snapshot={"shown_name": "甘肃发布", "followers": 10, "verified": True},
    )


def test_store_is_idempotent_and_refines(any_db: str) -> None:
    small_registry(any_db)
    aid = active_account(any_db, unit=PROVINCE, platform="weibo", name="甘肃发布", platform_id="2803301701")
    first = store_results(any_db, [_result(aid)], crawl_id="c1")
    again = store_results(any_db, [_result(aid, likes=7)], crawl_id="c2")
    assert [e["new_posts"] for e in first] == [3] and [e["new_posts"] for e in again] == [0]
    exact = make_post("p0", fetched_at=FETCHED, time_value="2026-11-22 10:00:05", text="第0条")
    store_results(any_db, [_result(aid, posts=[exact])], crawl_id="c3")
    with session_scope(any_db) as s:
        posts = account_posts(s, aid)
        outcomes = crawl_outcomes(s, "c2")
        snaps = account_snapshots(s, aid)
    assert sorted(posts) == ["p0", "p1", "p2"]
    assert posts["p1"]["likes"] == 7  # counts refreshed
    assert posts["p0"]["published_approx"] is False  # "昨天 10:00" replaced by the exact time
    assert posts["p0"]["published_at"] == datetime(2026, 11, 22, 2, 0, 5, tzinfo=UTC)
    assert outcomes == [{"account_id": aid, "outcome": "ok", "new_posts": 0, "detail": None}]
    assert len(snaps) == 3 and snaps[-1]["shown_name"] == "甘肃发布"
    dispose_engines()


def test_blocked_result_writes_no_posts_and_no_snapshot(any_db: str) -> None:
    small_registry(any_db)
    aid = active_account(any_db, unit=PROVINCE, platform="weibo", name="甘肃发布", platform_id="2803301701")
    store_results(any_db, [_result(aid)], crawl_id="c1")
    blocked = AccountResult(
        account_id=aid,
        outcome="blocked",
        collector="weibo",
        fetched_at=FETCHED,
        detail="平台拦截：HTTP 432",
        http_status=432,
        snippet="<html>Forbidden</html>",
        posts=[make_post("p9", fetched_at=FETCHED, text="不应写入")],
        snapshot={"shown_name": "x"},
    )
    store_results(any_db, [blocked], crawl_id="c2")
    with session_scope(any_db) as s:
        attempts = account_attempts(s, aid)
        snaps = account_snapshots(s, aid)
        posts = account_posts(s, aid)
    assert [(a["outcome"], a["http_status"], a["new_posts"]) for a in attempts] == [
        ("ok", None, 3),
        ("blocked", 432, 0),
    ]
    assert attempts[-1]["snippet"] == "<html>Forbidden</html>"
    assert len(snaps) == 1 and len(posts) == 3
    dispose_engines()


def test_full_crawl_twice_never_duplicates(any_db: str) -> None:
    small_registry(any_db)
    accounts = [
        StandinAccount("weibo", "2803301701", "甘肃发布", posts=make_posts(5)),
        StandinAccount(
            "douyin", "MS4wLjABAAAAidempotent00000001", "抖音", kind="json", posts=make_posts(4, prefix="dy")
        ),
    ]
    with StandinServer(accounts) as server:
        ids = file_accounts(any_db, server, accounts, unit=PROVINCE)
        first = run_crawl(any_db, env=server.env())
        accounts[0].posts.insert(
            0, make_posts(1, prefix="new", start=datetime.now(UTC) - timedelta(minutes=5))[0]
        )
        second = run_crawl(any_db, env=server.env())
    assert [r["new_posts"] for r in first.results] == [5, 4]
    assert [r["new_posts"] for r in second.results] == [1, 0]
    with session_scope(any_db) as s:
        assert len(account_posts(s, ids[accounts[0].key])) == 6
        assert len(account_posts(s, ids[accounts[1].key])) == 4
    dispose_engines()


def test_bulk_store_writes_the_same_rows_as_upsert_posts(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The SQLite fast path of ``store_collection`` and the generic ``upsert_posts`` agree."""
    from registry.collection.store import store_collection, upsert_posts

    db = str(tmp_path / "govmedia.db")
    small_registry(db)
    one = active_account(db, unit=PROVINCE, platform="weibo", name="甲", platform_id="2803301701")
    two = active_account(
        db, unit=PROVINCE, platform="weibo", name="乙", platform_id="2803301702", reason="测试"
    )
    posts = [
        make_post(
            "a",
            fetched_at=FETCHED,
            time_value="昨天 10:00",
            html="<p>第一</p>",
            counts={"reposts": "100万+", "likes": 3},
            is_repost=True,
            source="人民日报",
            pinned=True,
        ),
        make_post("b", fetched_at=FETCHED, time_value=1763800000, text="第二", extra={"k": ["v", 1]}),
        make_post("c", fetched_at=FETCHED, time_value=None, text="无时间"),
    ]
    with session_scope(db) as s:
        upsert_posts(s, one, posts, fetched_at=FETCHED)
        store_collection(
            s, [{"account_id": two, "outcome": "ok", "at": FETCHED, "posts": posts}], crawl_id="x"
        )
    with session_scope(db) as s:
        generic, bulk = account_posts(s, one), account_posts(s, two)
    assert generic == bulk
    assert bulk["a"]["extra"]["approx_counts"] == ["reposts"] and bulk["a"]["pinned"] is True
    assert bulk["c"]["published_at"] is None and bulk["c"]["extra"] == {"time_raw": None}
    dispose_engines()
