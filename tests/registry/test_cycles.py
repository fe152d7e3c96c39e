"""Distributed crawl cycles in the database: each account leased to one worker at a time, a
lease that expires only after its time, exactly one outcome per account per cycle whoever
races for it, expired leases handed back, lost messages found again."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from registry.collection import cycles
from registry.collection.cycle_models import CycleAccount
from registry.collection.queries import account_attempts, account_posts
from registry.collection.workers import cycle_progress, cycle_results, register_worker, work_left_for
from registry.db import session_scope
from tests.factories import PROVINCE, active_account, small_registry

T0 = datetime(2026, 12, 6, 6, 0, tzinfo=UTC)
TTL = 60.0


def _accounts(db: str, n: int) -> list[int]:
    small_registry(db)
    return [
        active_account(
            db, unit=PROVINCE, platform="weibo", name=f"账号{i}", platform_id=f"30000{i:05d}", reason="测试"
        )
        for i in range(n)
    ]


def _result(cycle_id: int, account_id: int, posts: int = 2) -> dict[str, object]:
    return {
        "cycle_id": cycle_id,
        "account_id": account_id,
        "outcome": "ok",
        "at": T0,
        "posts": [{"post_id": f"p{i}", "text": "正文", "published_at": T0} for i in range(posts)],
    }


def _row(db: str, cycle_id: int, account_id: int) -> CycleAccount:
    from sqlalchemy import select

    with session_scope(db) as s:
        row = s.scalars(
            select(CycleAccount).where(
                CycleAccount.cycle_id == cycle_id, CycleAccount.account_id == account_id
            )
        ).one()
        s.expunge(row)
        return row


def _open(db: str, ids: list[int]) -> cycles.Enqueued:
    with session_scope(db) as s:
        return cycles.open_cycle(s, account_ids=ids, holder="coordinator", now=T0)


def _take(db: str, holder: str, keys: list[tuple[int, int]], now: datetime) -> list[tuple[int, int]]:
    with session_scope(db) as s:
        return cycles.take_leases(s, holder=holder, keys=keys, ttl=TTL, now=now)


def test_a_cycle_skips_accounts_pending_in_an_open_cycle(any_db: str) -> None:
    ids = _accounts(any_db, 3)
    first = _open(any_db, ids[:2])
    second = _open(any_db, ids)
    assert first.accounts == ids[:2]
    assert second.accounts == [ids[2]]
    assert second.skipped == {ids[0]: first.crawl_id, ids[1]: first.crawl_id}


@pytest.mark.parametrize(
    ("after", "taken"),
    [
        (timedelta(seconds=-1), False),  # the lease is live
        (timedelta(0), False),  # exactly at its expiry it is still the holder's
        (timedelta(microseconds=1), True),  # a moment later another worker may take it
        (timedelta(minutes=5), True),
    ],
)
def test_an_expired_lease_is_taken_over_only_after_its_time(
    any_db: str, after: timedelta, taken: bool
) -> None:
    ids = _accounts(any_db, 1)
    key = _open(any_db, ids).keys[0]
    assert _take(any_db, "A", [key], T0) == [key]
    expiry = T0 + timedelta(seconds=TTL)
    assert (_take(any_db, "B", [key], expiry + after) == [key]) is taken
    assert _row(any_db, *key).holder == ("B" if taken else "A")


def test_a_heartbeat_keeps_the_lease(any_db: str) -> None:
    ids = _accounts(any_db, 1)
    key = _open(any_db, ids).keys[0]
    _take(any_db, "A", [key], T0)
    with session_scope(any_db) as s:
        assert cycles.heartbeat(s, holder="A", ttl=TTL, now=T0 + timedelta(seconds=50)) == 1
    assert _take(any_db, "B", [key], T0 + timedelta(seconds=TTL + 5)) == []
    assert _take(any_db, "B", [key], T0 + timedelta(seconds=50 + TTL + 1)) == [key]


def test_a_heartbeat_renews_only_the_accounts_still_worked_on(any_db: str) -> None:
    ids = _accounts(any_db, 2)
    kept, dropped = _open(any_db, ids).keys
    _take(any_db, "A", [kept, dropped], T0)
    with session_scope(any_db) as s:  # the result of ``dropped`` could not be stored at all
        assert cycles.heartbeat(s, holder="A", ttl=TTL, keys=[kept], now=T0 + timedelta(seconds=50)) == 1
    later = T0 + timedelta(seconds=TTL + 1)
    assert _take(any_db, "B", [kept, dropped], later) == [dropped]


def test_exactly_one_outcome_when_a_slow_worker_finishes_after_a_takeover(any_db: str) -> None:
    ids = _accounts(any_db, 1)
    enq = _open(any_db, ids)
    key = enq.keys[0]
    _take(any_db, "A", [key], T0)
    _take(any_db, "B", [key], T0 + timedelta(seconds=TTL + 1))  # A looked dead
    with session_scope(any_db) as s:  # A was only slow: its result arrives, too late
        assert cycles.record_outcomes(s, holder="A", results=[_result(*key)]) == [None]
    with session_scope(any_db) as s:
        assert cycles.record_outcomes(s, holder="B", results=[_result(*key)]) == [2]
    with session_scope(any_db) as s:  # and a repeat of B's write stores nothing more
        assert cycles.record_outcomes(s, holder="B", results=[_result(*key)]) == [None]
        assert len(cycle_results(s, enq.cycle_id)) == 1
        assert len(account_attempts(s, ids[0])) == 1
        assert len(account_posts(s, ids[0])) == 2
    row = _row(any_db, *key)
    assert (row.state, row.holder, row.leases) == ("done", "B", 2)


def test_done_accounts_are_never_leased_again(any_db: str) -> None:
    ids = _accounts(any_db, 1)
    key = _open(any_db, ids).keys[0]
    _take(any_db, "A", [key], T0)
    with session_scope(any_db) as s:
        cycles.record_outcomes(s, holder="A", results=[_result(*key)])
    assert _take(any_db, "B", [key], T0 + timedelta(days=1)) == []


def test_the_cycle_finishes_with_its_last_outcome(any_db: str) -> None:
    ids = _accounts(any_db, 2)
    enq = _open(any_db, ids)
    _take(any_db, "A", enq.keys, T0)
    with session_scope(any_db) as s:
        cycles.record_outcomes(s, holder="A", results=[_result(*enq.keys[0])])
        assert cycle_progress(s, enq.cycle_id) == {"queued": 0, "leased": 1, "done": 1, "total": 2}
    with session_scope(any_db) as s:
        cycles.record_outcomes(s, holder="A", results=[_result(*enq.keys[1], posts=0) | {"outcome": "empty"}])
    with session_scope(any_db) as s:
        assert [r["outcome"] for r in cycle_results(s, enq.cycle_id)] == ["ok", "empty"]
        assert cycles.pending_elsewhere(s, ids) == {}  # a new cycle may take them again


def test_expired_leases_are_requeued_then_given_up(any_db: str) -> None:
    ids = _accounts(any_db, 1)
    enq = _open(any_db, ids)
    key = enq.keys[0]
    now = T0
    for attempt in range(1, cycles.MAX_LEASES + 1):
        assert _take(any_db, f"W{attempt}", [key], now) == [key]
        now += timedelta(seconds=TTL + 1)  # the worker died: its lease expired
        with session_scope(any_db) as s:
            reaped = cycles.reap(s, now=now)
        if attempt < cycles.MAX_LEASES:
            assert reaped.requeue == [key] and reaped.failed == []
        else:
            assert reaped.requeue == [] and reaped.failed == [key]
    with session_scope(any_db) as s:
        assert cycles.reap(s, now=now + timedelta(hours=1)).failed == []  # decided once
        results = cycle_results(s, enq.cycle_id)
    assert [(r["outcome"], r["detail"]) for r in results] == [("error", cycles.LOST_DETAIL)]
    assert _row(any_db, *key).state == "done"


def test_lost_messages_are_pushed_again_only_when_the_queue_is_empty(any_db: str) -> None:
    ids = _accounts(any_db, 2)
    enq = _open(any_db, ids)
    later = T0 + timedelta(seconds=30)
    with session_scope(any_db) as s:
        assert cycles.reap(s, now=later, queue_empty=False, grace=10).requeue == []
        assert cycles.reap(s, now=T0 + timedelta(seconds=5), queue_empty=True, grace=10).requeue == []
        assert cycles.reap(s, now=later, queue_empty=True, grace=10).requeue == enq.keys
        assert cycles.reap(s, now=later, queue_empty=True, grace=10).requeue == []  # just pushed


def test_a_stopping_worker_gives_its_accounts_back(any_db: str) -> None:
    ids = _accounts(any_db, 2)
    enq = _open(any_db, ids)
    _take(any_db, "A", enq.keys, T0)
    with session_scope(any_db) as s:
        assert sorted(cycles.release(s, holder="A", now=T0)) == enq.keys
    row = _row(any_db, *enq.keys[0])
    assert (row.state, row.holder, row.leases) == ("queued", None, 0)  # a give-back is no failure
    assert _take(any_db, "B", enq.keys, T0) == enq.keys


def test_work_left_for_a_worker(any_db: str) -> None:
    ids = _accounts(any_db, 1)
    key = _open(any_db, ids).keys[0]
    with session_scope(any_db) as s:
        register_worker(s, name="h:1:a", lease_seconds=TTL, heartbeat_seconds=10, now=T0)
        assert work_left_for(s, holder="h:2:b", now=T0)  # queued
    _take(any_db, "h:1:a", [key], T0)
    with session_scope(any_db) as s:
        assert not work_left_for(s, holder="h:2:b", now=T0 + timedelta(seconds=5))  # a live worker has it
        assert work_left_for(s, holder="h:2:b", now=T0 + timedelta(seconds=25))  # its heartbeats stopped
        cycles.record_outcomes(s, holder="h:1:a", results=[_result(*key)])
        assert not work_left_for(s, holder="h:2:b", now=T0 + timedelta(seconds=25))


@pytest.mark.postgres
def test_racing_workers_win_each_lease_once_on_postgresql(pg_db: str) -> None:
    ids = _accounts(pg_db, 20)
    enq = _open(pg_db, ids)
    won: dict[str, list[tuple[int, int]]] = {}
    barrier = threading.Barrier(4)

    def worker(name: str) -> None:
        barrier.wait()
        won[name] = [k for k in enq.keys for k in _take(pg_db, name, [k], T0)]

    threads = [threading.Thread(target=worker, args=(f"W{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    taken = [k for keys in won.values() for k in keys]
    assert sorted(taken) == sorted(enq.keys)  # every account leased, none twice
