"""Distributed crawl workers and what a person or a coordinator reads about cycles: a worker's
row and heartbeat, a cycle's progress and results, the leases held, whether work is left.

A worker is ``running`` while its heartbeats arrive, ``stopped`` once it exited normally, and
``lost`` when its last heartbeat is older than its lease time (killed, or its machine is gone:
its leases have expired and its accounts return to the queue).
"""

from __future__ import annotations

import socket
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from registry.collection.cycle_models import CrawlCycle, CrawlWorker, CycleAccount
from registry.collection.queries import crawl_outcomes
from registry.db import utcnow
from registry.errors import NotFound
from registry.filing.models import Account

WORKER_STATES = ("running", "stopped", "lost")
RECENT_CYCLES = 5
SHOWN_FOR = timedelta(days=1)  # how long a stopped or lost worker is still listed


def register_worker(
    session: Session,
    *,
    name: str,
    lease_seconds: float,
    heartbeat_seconds: float,
    now: datetime | None = None,
) -> None:
    """A worker starts (``name`` from ``registry.ops.jobs.new_holder``: host:pid:random)."""
    now = now or utcnow()
    host, _, rest = name.partition(":")
    pid = rest.partition(":")[0]
    session.add(
        CrawlWorker(
            name=name,
            host=(host or socket.gethostname())[:64],
            pid=int(pid) if pid.isdigit() else 0,
            started_at=now,
            heartbeat_at=now,
            lease_seconds=lease_seconds,
            heartbeat_seconds=heartbeat_seconds,
            accounts=0,
        )
    )
    session.flush()


def stop_worker(session: Session, *, name: str, now: datetime | None = None) -> None:
    session.execute(
        update(CrawlWorker)
        .where(CrawlWorker.name == name)
        .values(stopped_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )


def worker_state(worker: CrawlWorker, now: datetime) -> str:
    if worker.stopped_at is not None:
        return "stopped"
    if worker.heartbeat_at + timedelta(seconds=worker.lease_seconds) < now:
        return "lost"
    return "running"


def live_workers(session: Session, *, now: datetime | None = None) -> int:
    """How many workers are running (heartbeats arriving)."""
    now = now or utcnow()
    rows = session.scalars(select(CrawlWorker).where(CrawlWorker.stopped_at.is_(None)))
    return sum(1 for w in rows if worker_state(w, now) == "running")


def _presumed_dead(worker: CrawlWorker | None, now: datetime) -> bool:
    """Two heartbeats (and a second) missed: its leases will expire without being renewed."""
    if worker is None or worker.stopped_at is not None:
        return True
    return worker.heartbeat_at + timedelta(seconds=2 * worker.heartbeat_seconds + 1) < now


def work_left_for(session: Session, *, holder: str, now: datetime | None = None) -> bool:
    """Whether an unfinished account exists that ``holder`` could lease now or later: queued
    (its message may still be in flight), leased with an expired lease, or leased by another
    worker presumed dead (its lease will expire). Accounts of live workers are theirs."""
    now = now or utcnow()
    open_rows = select(func.count(CycleAccount.id))
    if session.scalar(open_rows.where(CycleAccount.state == "queued")):
        return True
    if session.scalar(open_rows.where(CycleAccount.state == "leased", CycleAccount.lease_expires_at < now)):
        return True
    holders = {
        h
        for h in session.scalars(
            select(CycleAccount.holder)
            .where(CycleAccount.state == "leased", CycleAccount.holder != holder)
            .distinct()
        )
        if h
    }
    if not holders:
        return False
    workers = {w.name: w for w in session.scalars(select(CrawlWorker).where(CrawlWorker.name.in_(holders)))}
    return any(_presumed_dead(workers.get(h), now) for h in holders)


def cycle_progress(session: Session, cycle_id: int) -> dict[str, int]:
    """How many accounts of a cycle are queued, leased and done (and the total)."""
    counts = dict(
        session.execute(
            select(CycleAccount.state, func.count(CycleAccount.id))
            .where(CycleAccount.cycle_id == cycle_id)
            .group_by(CycleAccount.state)
        ).all()
    )
    out = {state: int(counts.get(state, 0)) for state in ("queued", "leased", "done")}
    out["total"] = sum(out.values())
    return out


def cycle_results(session: Session, cycle_id: int) -> list[dict[str, Any]]:
    """The outcome of each account of a cycle: ``{account_id, outcome, new_posts, detail}``
    (the cycle's stored crawl attempts), by account id."""
    cycle = session.get(CrawlCycle, cycle_id)
    if cycle is None:
        raise NotFound("采集批次", cycle_id, "采集批次")
    return crawl_outcomes(session, cycle.crawl_id)


def crawl_status(session: Session, *, now: datetime | None = None) -> dict[str, Any]:
    """The open cycles (and the latest finished ones) with their progress, every lease held,
    and every worker with its last heartbeat and state."""
    now = now or utcnow()
    open_ids = list(session.scalars(select(CrawlCycle.id).where(CrawlCycle.finished_at.is_(None))))
    recent = list(session.scalars(select(CrawlCycle.id).order_by(CrawlCycle.id.desc()).limit(RECENT_CYCLES)))
    cycles: list[dict[str, Any]] = []
    shown = select(CrawlCycle).where(CrawlCycle.id.in_(set(open_ids) | set(recent))).order_by(CrawlCycle.id)
    for cycle in session.scalars(shown):
        cycles.append(
            {
                "cycle_id": cycle.id,
                "crawl_id": cycle.crawl_id,
                "created_at": cycle.created_at,
                "selection": cycle.selection,
                "finished_at": cycle.finished_at,
                **cycle_progress(session, cycle.id),
            }
        )
    lease_rows = session.execute(
        select(CycleAccount, CrawlCycle.crawl_id, Account.name)
        .join(CrawlCycle, CrawlCycle.id == CycleAccount.cycle_id)
        .join(Account, Account.id == CycleAccount.account_id)
        .where(CycleAccount.state == "leased")
        .order_by(CycleAccount.holder, CycleAccount.account_id)
    ).all()
    leases = [
        {
            "account_id": row.account_id,
            "name": name,
            "crawl_id": crawl_id,
            "holder": row.holder,
            "leased_at": row.leased_at,
            "expires_at": row.lease_expires_at,
            "seconds_left": round((row.lease_expires_at - now).total_seconds(), 1)
            if row.lease_expires_at
            else None,
            "leases": row.leases,
        }
        for row, crawl_id, name in lease_rows
    ]
    workers = [
        {
            "worker": w.name,
            "host": w.host,
            "pid": w.pid,
            "started_at": w.started_at,
            "heartbeat_at": w.heartbeat_at,
            "state": worker_state(w, now),
            "accounts": w.accounts,
            "leases": sum(1 for lease in leases if lease["holder"] == w.name),
        }
        for w in session.scalars(
            select(CrawlWorker)
            .where(  # running ones, and those stopped or lost within a day
                or_(CrawlWorker.stopped_at > now - SHOWN_FOR, CrawlWorker.stopped_at.is_(None)),
                CrawlWorker.heartbeat_at > now - SHOWN_FOR,
            )
            .order_by(CrawlWorker.started_at, CrawlWorker.name)
        )
    ]
    return {"cycles": cycles, "leases": leases, "workers": workers}
