"""Distributed crawl cycles: enqueue, lease, heartbeat, record, give back, reap.

The truth of a distributed crawl lives here (``registry.collection.cycle_models``); Redis only
carries messages ``(cycle, account)`` pointing at these rows, so a lost or duplicated message
never loses or doubles work:

- **enqueue** (``open_cycle``): one row per account, ``queued``; accounts still pending in an
  earlier open cycle are not enqueued twice.
- **lease** (``take_leases``): one guarded UPDATE per row (``queued``, or ``leased`` with an
  expired lease): of two workers popping the same message, exactly one wins.
- **heartbeat** (``heartbeat``): a live worker pushes the expiry of all its leases forward.
- **record** (``record_outcomes``): the row turns ``done`` by a guarded UPDATE (still ``leased``
  by this worker) in the same transaction that stores the posts and the outcome through
  ``registry.collection.store``; a worker whose lease was taken over stores nothing, so every
  account gets exactly one outcome per cycle.
- **give back** (``release``): a worker that stops puts its unfinished accounts back.
- **reap** (``reap``): expired leases go back to the queue (after ``MAX_LEASES`` leases the
  account's outcome is ``error``); queued rows whose message was lost are pushed again.

Times are the callers' clocks (UTC): machines that share a crawl keep their clocks in step
(NTP); leases last a minute or more, far beyond any clock drift.

Every transaction here locks rows in one order: accounts' rows by (cycle, account), then the
cycle's row, then the worker's row. Two workers' transactions (a heartbeat and a write, a
takeover and a write) therefore wait for each other but never deadlock on PostgreSQL.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, tuple_, update
from sqlalchemy.orm import Session

from registry.collection.cycle_models import CrawlCycle, CrawlWorker, CycleAccount
from registry.collection.store import record_attempt, store_collection
from registry.db import utcnow

Key = tuple[int, int]  # (cycle id, account id): the message a worker pops
MAX_LEASES = 3  # an account whose worker died this many times gets the outcome "error"
LOST_DETAIL = f"采集进程在采集该账号时意外退出 {MAX_LEASES} 次（租约到期未交回），本批次不再重试"


@dataclass
class Enqueued:
    """A new cycle: its accounts (in order) and the accounts left out because an earlier open
    cycle still has them pending (account id → that cycle's crawl id)."""

    cycle_id: int
    crawl_id: str
    accounts: list[int]
    skipped: dict[int, str] = field(default_factory=dict)

    @property
    def keys(self) -> list[Key]:
        return [(self.cycle_id, a) for a in self.accounts]


def pending_elsewhere(session: Session, account_ids: Iterable[int]) -> dict[int, str]:
    """Accounts among ``account_ids`` that an open cycle has not collected yet → its crawl id."""
    wanted = set(account_ids)
    rows = session.execute(
        select(CycleAccount.account_id, CrawlCycle.crawl_id)
        .join(CrawlCycle, CrawlCycle.id == CycleAccount.cycle_id)
        .where(CycleAccount.state != "done")
    )
    return {a: c for a, c in rows if a in wanted}


def open_cycle(
    session: Session,
    *,
    account_ids: Sequence[int],
    holder: str,
    selection: str = "",
    now: datetime | None = None,
) -> Enqueued:
    """A new cycle of the given accounts (those pending in another open cycle are skipped)."""
    now = now or utcnow()
    skipped = pending_elsewhere(session, account_ids)
    taken = [a for a in dict.fromkeys(account_ids) if a not in skipped]
    cycle = CrawlCycle(
        crawl_id=uuid.uuid4().hex[:16],
        created_at=now,
        created_by=holder[:120],
        selection=selection[:300],
        accounts=len(taken),
        finished_at=None if taken else now,
    )
    session.add(cycle)
    session.flush()
    if taken:
        session.execute(
            insert(CycleAccount),
            [
                {"cycle_id": cycle.id, "account_id": a, "state": "queued", "leases": 0, "pushed_at": now}
                for a in taken
            ],
        )
    return Enqueued(cycle.id, cycle.crawl_id, taken, skipped)


def take_leases(
    session: Session, *, holder: str, keys: Sequence[Key], ttl: float, now: datetime | None = None
) -> list[Key]:
    """Lease the popped ``keys`` to ``holder`` for ``ttl`` seconds; return the ones it won.

    A row is taken when it is queued, or leased with an expired lease (its worker died), and
    has been leased fewer than ``MAX_LEASES`` times; a done row or a live lease is left alone.
    The rows are locked in the one order (a row another transaction holds is skipped: another
    worker is taking it, or its holder is renewing it), then taken by one guarded UPDATE."""
    now = now or utcnow()
    wanted = sorted(set(keys))
    if not wanted:
        return []
    row = CycleAccount
    takeable = (row.leases < MAX_LEASES) & (
        (row.state == "queued") | ((row.state == "leased") & (row.lease_expires_at < now))
    )
    ids = session.scalars(
        select(row.id)
        .where(tuple_(row.cycle_id, row.account_id).in_(wanted), takeable)
        .order_by(row.cycle_id, row.account_id)
        .with_for_update(skip_locked=True)
    ).all()
    if not ids:
        return []
    taken = session.execute(
        update(row)
        .where(row.id.in_(ids), takeable)
        .values(
            state="leased",
            holder=holder,
            leased_at=now,
            lease_expires_at=now + timedelta(seconds=ttl),
            leases=row.leases + 1,
        )
        .returning(row.cycle_id, row.account_id)
        .execution_options(synchronize_session=False)
    ).all()
    return sorted((c, a) for c, a in taken)


def crawl_ids(session: Session, cycle_ids: Iterable[int]) -> dict[int, str]:
    """The crawl id (``crawl_attempts.crawl_id``) of each cycle."""
    ids = sorted(set(cycle_ids))
    if not ids:
        return {}
    return dict(
        session.execute(select(CrawlCycle.id, CrawlCycle.crawl_id).where(CrawlCycle.id.in_(ids))).all()
    )


def heartbeat(
    session: Session,
    *,
    holder: str,
    ttl: float,
    keys: Iterable[Key] | None = None,
    now: datetime | None = None,
) -> int:
    """The worker is alive: its heartbeat time, and the leases it holds on ``keys`` (the
    accounts it is still working on; all of them when None) pushed to ``now + ttl``. A lease
    the worker holds but no longer works on (its result could not be stored) is not renewed:
    it expires and the account goes back to the queue. Returns the number renewed."""
    now = now or utcnow()
    ids = _lock_held(session, holder, None if keys is None else set(keys))
    renewed = 0
    for start in range(0, len(ids), 500):
        result = session.execute(
            update(CycleAccount)
            .where(CycleAccount.id.in_(ids[start : start + 500]))
            .values(lease_expires_at=now + timedelta(seconds=ttl))
            .execution_options(synchronize_session=False)
        )
        renewed += _count(result)
    session.execute(
        update(CrawlWorker)
        .where(CrawlWorker.name == holder)
        .values(heartbeat_at=now)
        .execution_options(synchronize_session=False)
    )
    return renewed


def _lock_held(session: Session, holder: str, keys: set[Key] | None) -> list[int]:
    """The rows ``holder`` leases (among ``keys``), locked in the one order."""
    rows = session.execute(
        select(CycleAccount.id, CycleAccount.cycle_id, CycleAccount.account_id)
        .where(CycleAccount.holder == holder, CycleAccount.state == "leased")
        .order_by(CycleAccount.cycle_id, CycleAccount.account_id)
        .with_for_update()
    ).all()
    return [r.id for r in rows if keys is None or (r.cycle_id, r.account_id) in keys]


def record_outcomes(
    session: Session, *, holder: str, results: Sequence[dict[str, Any]], now: datetime | None = None
) -> list[int | None]:
    """Store the results of leased accounts; return each one's new posts, or None when the
    lease was no longer ``holder``'s (another worker took the account over: nothing stored).

    Each result is a ``store_collection`` result with ``cycle_id``. The row turns ``done`` and
    the outcome is stored in the caller's transaction, so both happen or neither does."""
    now = now or utcnow()
    won: dict[int, list[int]] = {}
    order = sorted(range(len(results)), key=lambda i: (results[i]["cycle_id"], results[i]["account_id"]))
    for index in order:
        result = results[index]
        if _finish(
            session, holder=holder, cycle_id=result["cycle_id"], account_id=result["account_id"], now=now
        ):
            won.setdefault(result["cycle_id"], []).append(index)
    counts: list[int | None] = [None] * len(results)
    names = crawl_ids(session, won)
    for cycle_id, indexes in sorted(won.items()):
        stored = store_collection(session, [results[i] for i in indexes], crawl_id=names[cycle_id])
        for i, new in zip(indexes, stored, strict=True):
            counts[i] = new
    _close_finished(session, won, now)
    done = sum(len(i) for i in won.values())
    if done:
        session.execute(
            update(CrawlWorker)
            .where(CrawlWorker.name == holder)
            .values(accounts=CrawlWorker.accounts + done)
            .execution_options(synchronize_session=False)
        )
    return counts


def _finish(session: Session, *, holder: str, cycle_id: int, account_id: int, now: datetime) -> bool:
    result = session.execute(
        update(CycleAccount)
        .where(
            CycleAccount.cycle_id == cycle_id,
            CycleAccount.account_id == account_id,
            CycleAccount.holder == holder,
            CycleAccount.state == "leased",
        )
        .values(state="done", done_at=now, lease_expires_at=None)
        .execution_options(synchronize_session=False)
    )
    return _count(result) == 1


def _close_finished(session: Session, cycle_ids: Iterable[int], now: datetime) -> None:
    """Mark the cycles whose every account is done as finished. The cycle's row is locked
    before counting, so of two workers storing a cycle's last accounts at once the second one
    counts after the first has committed, and one of them closes the cycle."""
    for cycle_id in sorted(set(cycle_ids)):
        session.execute(select(CrawlCycle.id).where(CrawlCycle.id == cycle_id).with_for_update())
        left = session.scalar(
            select(func.count(CycleAccount.id)).where(
                CycleAccount.cycle_id == cycle_id, CycleAccount.state != "done"
            )
        )
        if not left:
            session.execute(
                update(CrawlCycle)
                .where(CrawlCycle.id == cycle_id, CrawlCycle.finished_at.is_(None))
                .values(finished_at=now)
                .execution_options(synchronize_session=False)
            )


def release(session: Session, *, holder: str, now: datetime | None = None) -> list[Key]:
    """Give back every account ``holder`` still leases (a worker that stops): they are queued
    again (the give-back does not count as a failed lease); returns the keys to push."""
    now = now or utcnow()
    ids = _lock_held(session, holder, None)
    keys = [
        (c, a)
        for c, a in session.execute(
            select(CycleAccount.cycle_id, CycleAccount.account_id)
            .where(CycleAccount.id.in_(ids))
            .order_by(CycleAccount.cycle_id, CycleAccount.account_id)
        )
    ]
    session.execute(
        update(CycleAccount)
        .where(CycleAccount.id.in_(ids))
        .values(
            state="queued", holder=None, lease_expires_at=None, pushed_at=now, leases=CycleAccount.leases - 1
        )
        .execution_options(synchronize_session=False)
    )
    return keys


@dataclass
class Reaped:
    """What a reaping pass did: keys to push to the queue again, accounts given up on."""

    requeue: list[Key] = field(default_factory=list)
    failed: list[Key] = field(default_factory=list)


def reap(
    session: Session, *, now: datetime | None = None, queue_empty: bool = False, grace: float = 10.0
) -> Reaped:
    """Expired leases go back to the queue, or, after ``MAX_LEASES`` leases, end with the
    outcome ``error`` (``LOST_DETAIL``). When the queue is empty, queued rows pushed more than
    ``grace`` seconds ago lost their message (Redis restarted, or a worker died between popping
    and leasing) and are pushed again. Every change is a guarded UPDATE, so of two reapers
    one does each."""
    now = now or utcnow()
    out = Reaped()
    expired = session.execute(
        select(CycleAccount.id, CycleAccount.cycle_id, CycleAccount.account_id, CycleAccount.leases)
        .where(CycleAccount.state == "leased", CycleAccount.lease_expires_at < now)
        .order_by(CycleAccount.cycle_id, CycleAccount.account_id)
    ).all()
    names = crawl_ids(session, (r.cycle_id for r in expired))
    for row in expired:
        given_up = row.leases >= MAX_LEASES
        values: dict[str, Any] = (
            {"state": "done", "done_at": now, "lease_expires_at": None}
            if given_up
            else {"state": "queued", "holder": None, "lease_expires_at": None, "pushed_at": now}
        )
        changed = session.execute(
            update(CycleAccount)
            .where(
                CycleAccount.id == row.id, CycleAccount.state == "leased", CycleAccount.lease_expires_at < now
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if _count(changed) != 1:
            continue
        if given_up:
            record_attempt(session, account_id=row.account_id, outcome="error", crawl_id=names[row.cycle_id],
                           at=now, detail=LOST_DETAIL)  # fmt: skip
            out.failed.append((row.cycle_id, row.account_id))
        else:
            out.requeue.append((row.cycle_id, row.account_id))
    _close_finished(session, {c for c, _ in out.failed}, now)
    if queue_empty:
        out.requeue += _lost_messages(session, now - timedelta(seconds=grace), now)
    return out


def _lost_messages(session: Session, before: datetime, now: datetime) -> list[Key]:
    stale = session.execute(
        select(CycleAccount.id, CycleAccount.cycle_id, CycleAccount.account_id, CycleAccount.pushed_at)
        .where(CycleAccount.state == "queued", CycleAccount.pushed_at < before)
        .order_by(CycleAccount.cycle_id, CycleAccount.account_id)
    ).all()
    keys = []
    for row in stale:
        changed = session.execute(
            update(CycleAccount)
            .where(
                CycleAccount.id == row.id,
                CycleAccount.state == "queued",
                CycleAccount.pushed_at == row.pushed_at,
            )
            .values(pushed_at=now)
            .execution_options(synchronize_session=False)
        )
        if _count(changed) == 1:
            keys.append((row.cycle_id, row.account_id))
    return keys


def _count(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
