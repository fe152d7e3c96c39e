"""Scheduled jobs: their leases and their runs.

Leases make "never twice at once" hold across processes on one database: taking a lease is
one atomic INSERT (when no row exists) or one conditional UPDATE (when the row has expired
or is already ours), so exactly one of two racing processes wins on SQLite and PostgreSQL.
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from registry.db import utcnow
from registry.errors import NotFound
from registry.ops.models import JobLease, JobRun
from registry.timeutil import local_iso


def new_holder() -> str:
    """A name for this process that is unique even when a PID is reused: host:pid:random."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


# --- leases ---------------------------------------------------------------------------


def acquire_lease(
    session: Session, *, job: str, holder: str, ttl_seconds: int, now: datetime | None = None
) -> bool:
    """Take the job's lease for ``ttl_seconds``; False when another live holder has it."""
    now = now or utcnow()
    expires = now + timedelta(seconds=ttl_seconds)
    insert = _dialect_insert(session)
    stmt = insert(JobLease).values(job=job, holder=holder, acquired_at=now, expires_at=expires)
    if _count(session.execute(stmt.on_conflict_do_nothing(index_elements=["job"]))) == 1:
        return True
    taken = session.execute(
        update(JobLease)
        .where(JobLease.job == job, or_(JobLease.expires_at < now, JobLease.holder == holder))
        .values(holder=holder, acquired_at=now, expires_at=expires)
        .execution_options(synchronize_session=False)
    )
    return _count(taken) == 1


def renew_lease(
    session: Session, *, job: str, holder: str, ttl_seconds: int, now: datetime | None = None
) -> bool:
    """Extend our own lease (the heartbeat of a long job); False if it is no longer ours."""
    now = now or utcnow()
    result = session.execute(
        update(JobLease)
        .where(JobLease.job == job, JobLease.holder == holder)
        .values(expires_at=now + timedelta(seconds=ttl_seconds))
        .execution_options(synchronize_session=False)
    )
    return _count(result) == 1


def release_lease(session: Session, *, job: str, holder: str) -> None:
    """Give the lease back (only our own)."""
    session.execute(
        delete(JobLease)
        .where(JobLease.job == job, JobLease.holder == holder)
        .execution_options(synchronize_session=False)
    )


def lease_of(session: Session, job: str) -> JobLease | None:
    return session.get(JobLease, job)


# --- job runs -------------------------------------------------------------------------


def start_run(
    session: Session,
    *,
    job: str,
    trigger: str,
    holder: str,
    key: str | None = None,
    now: datetime | None = None,
) -> JobRun:
    run = JobRun(job=job, trigger=trigger, holder=holder, key=key, started_at=now or utcnow())
    session.add(run)
    session.flush()
    return run


def finish_run(
    session: Session,
    run_id: int,
    *,
    status: str,
    error: str | None = None,
    summary: str | None = None,
    now: datetime | None = None,
) -> None:
    run = session.get(JobRun, run_id)
    if run is None:
        return
    run.status = status
    run.error = error[:4000] if error else None
    run.summary = summary[:4000] if summary else None
    run.finished_at = now or utcnow()


def get_run(session: Session, run_id: int) -> JobRun:
    run = session.get(JobRun, run_id)
    if run is None:
        raise NotFound("运行ID", run_id, "任务运行记录")
    return run


def record_skipped(
    session: Session, *, job: str, trigger: str, holder: str, reason: str, now: datetime | None = None
) -> JobRun:
    """A run that did not happen (another process holds the job): kept for the history."""
    at = now or utcnow()
    run = JobRun(
        job=job,
        trigger=trigger,
        holder=holder,
        started_at=at,
        finished_at=at,
        status="skipped",
        error=reason,
    )
    session.add(run)
    session.flush()
    return run


def interrupt_stale_runs(session: Session, *, now: datetime | None = None) -> int:
    """Runs still marked running whose job lease has expired died with their process."""
    now = now or utcnow()
    live = select(JobLease.job).where(JobLease.expires_at >= now)
    result = session.execute(
        update(JobRun)
        .where(JobRun.status == "running", JobRun.job.not_in(live))
        .values(status="interrupted", finished_at=now, error="进程在任务运行中退出")
        .execution_options(synchronize_session=False)
    )
    return _count(result)


def last_attempts(session: Session) -> dict[str, JobRun]:
    """The latest run of each job that actually started (skipped ones do not count)."""
    latest = (
        select(JobRun.job, func.max(JobRun.id).label("id"))
        .where(JobRun.status != "skipped")
        .group_by(JobRun.job)
        .subquery()
    )
    rows = session.scalars(select(JobRun).join(latest, JobRun.id == latest.c.id))
    return {run.job: run for run in rows}


def last_success(session: Session, job: str, *, key: str | None = None) -> JobRun | None:
    query = select(JobRun).where(JobRun.job == job, JobRun.status == "ok")
    if key is not None:
        query = query.where(JobRun.key == key)
    return session.scalars(query.order_by(JobRun.id.desc()).limit(1)).first()


RUN_KEYS = (
    "id",
    "job",
    "trigger",
    "key",
    "status",
    "started_at",
    "finished_at",
    "seconds",
    "error",
    "summary",
    "holder",
)


def run_row(run: JobRun) -> dict[str, Any]:
    seconds = (run.finished_at - run.started_at).total_seconds() if run.finished_at else None
    return {
        "id": run.id,
        "job": run.job,
        "trigger": run.trigger,
        "key": run.key,
        "status": run.status,
        "started_at": local_iso(run.started_at),
        "finished_at": local_iso(run.finished_at),
        "seconds": round(seconds, 1) if seconds is not None else None,
        "error": run.error,
        "summary": run.summary,
        "holder": run.holder,
    }


def job_history(session: Session, *, job: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
    """Job runs, newest first."""
    query = select(JobRun).order_by(JobRun.id.desc()).limit(limit)
    if job:
        query = query.where(JobRun.job == job)
    return [run_row(r) for r in session.scalars(query)]


def _dialect_insert(session: Session) -> Any:
    from sqlalchemy.dialects import postgresql, sqlite

    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def _count(result: Any) -> int:
    """Rows an INSERT/UPDATE touched."""
    return int(getattr(result, "rowcount", 0) or 0)
