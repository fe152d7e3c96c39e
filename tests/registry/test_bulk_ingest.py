"""Bulk ingest of posts: one code path per dialect inside the registry's store (executemany on
SQLite; COPY into a staging table and one ``INSERT … ON CONFLICT`` per batch on PostgreSQL),
with the same rows stored and the same new counts reported on both."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from registry.collection.queries import account_posts
from registry.collection.store import store_collection, upsert_posts
from registry.db import dispose_engines, session_scope
from tests.factories import PROVINCE, active_account, small_registry

T = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def _post(pid: str, **fields: Any) -> dict[str, Any]:
    return {"post_id": pid, "text": f"正文{pid}", "published_at": T - DAY, **fields}


def _two_accounts(db: str) -> tuple[int, int]:
    small_registry(db)
    one = active_account(db, unit=PROVINCE, platform="weibo", name="甲", platform_id="2803301701")
    two = active_account(
        db, unit=PROVINCE, platform="weibo", name="乙", platform_id="2803301702", reason="测试"
    )
    return one, two


def _crawl(db: str, results: list[dict[str, Any]]) -> list[int]:
    with session_scope(db) as s:
        return store_collection(s, results, crawl_id="c")


def test_new_updated_and_repeated_posts(any_db: str) -> None:
    """A first crawl, then a batch with conflicts (counts and text refreshed), an approximate
    time made exact, a post id given twice in one batch (the last one wins) and new posts."""
    one, two = _two_accounts(any_db)
    day = T - 2 * DAY
    first = _crawl(
        any_db,
        [
            {
                "account_id": one,
                "outcome": "ok",
                "at": T,
                "posts": [
                    _post("a", likes=1),
                    _post("b", published_at=day, published_latest=day + DAY, published_approx=True),
                ],
            },
            {"account_id": two, "outcome": "ok", "at": T, "posts": [_post("a", likes=5)]},
            {"account_id": two, "outcome": "blocked", "at": T, "posts": [_post("never")]},
        ],
    )
    assert first == [2, 1, 0]
    exact = day + timedelta(hours=10)
    later = T + timedelta(hours=1)
    second = _crawl(
        any_db,
        [
            {
                "account_id": one,
                "outcome": "ok",
                "at": later,
                "posts": [
                    _post("a", likes=9, text="改过的正文"),
                    _post("b", published_at=exact, published_approx=False),
                    _post("c", likes=1),
                    _post("c", likes=2, text="第二次给出"),
                ],
            },
            {
                "account_id": two,
                "outcome": "ok",
                "at": later,
                "posts": [_post("a", published_at=T - 5 * DAY)],
            },
        ],
    )
    assert second == [1, 0]
    with session_scope(any_db) as s:
        mine, theirs = account_posts(s, one), account_posts(s, two)
    assert sorted(mine) == ["a", "b", "c"] and sorted(theirs) == ["a"]
    assert (mine["a"]["likes"], mine["a"]["text"], mine["a"]["fetched_at"]) == (9, "改过的正文", later)
    assert (mine["b"]["published_at"], mine["b"]["published_latest"], mine["b"]["published_approx"]) == (
        exact,
        exact,
        False,
    )
    assert (mine["c"]["likes"], mine["c"]["text"]) == (2, "第二次给出")
    # a re-crawl never moves a stored time: only an exact time refines an approximate one
    assert theirs["a"]["published_at"] == T - DAY and theirs["a"]["likes"] is None
    dispose_engines()


def test_an_exact_time_is_not_replaced_by_an_approximate_one(any_db: str) -> None:
    one, _ = _two_accounts(any_db)
    with session_scope(any_db) as s:
        assert upsert_posts(s, one, [_post("a")]) == 1
        vague = _post("a", published_at=T - 3 * DAY, published_latest=T - 2 * DAY, published_approx=True)
        assert upsert_posts(s, one, [vague, _post("b")]) == 1
    with session_scope(any_db) as s:
        stored = account_posts(s, one)["a"]
    assert (stored["published_at"], stored["published_approx"]) == (T - DAY, False)
    dispose_engines()


def test_a_failed_batch_writes_nothing(any_db: str) -> None:
    one, _ = _two_accounts(any_db)
    with pytest.raises(Exception), session_scope(any_db) as s:  # noqa: B017 (any driver error)
        store_collection(
            s,
            [
                {"account_id": one, "outcome": "ok", "at": T, "posts": [_post("a")]},
                {"account_id": 999_999, "outcome": "ok", "at": T, "posts": [_post("b")]},
            ],
        )
    with session_scope(any_db) as s:
        assert account_posts(s, one) == {}
    dispose_engines()


def test_postgresql_stages_the_batch_with_copy(pg_db: str) -> None:
    """On PostgreSQL the batch goes through the staging table (dropped at commit)."""
    one, _ = _two_accounts(pg_db)
    with session_scope(pg_db) as s:
        assert upsert_posts(s, one, [_post("a"), _post("b")]) == 2
        staged = s.execute(text("SELECT count(*) FROM pg_temp.posts_stage")).scalar()
        assert staged == 2
        assert upsert_posts(s, one, [_post("b"), _post("c")]) == 1  # the same transaction: staged again
        assert s.execute(text("SELECT count(*) FROM pg_temp.posts_stage")).scalar() == 2
    with session_scope(pg_db) as s:
        assert s.execute(text("SELECT to_regclass('pg_temp.posts_stage')")).scalar() is None
        assert sorted(account_posts(s, one)) == ["a", "b", "c"]
    dispose_engines()
