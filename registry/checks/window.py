"""The stored results of the checks run in an inspection window (for the circular).

Everything is read as the checks stored it: the verdict of each result (合格 / 不合格 /
未能采集, already decided by the monitor and updated by reviews), its confirmed findings and
its relay matches. Rows come back as small named tuples so that a national-scale window
(hundreds of thousands of results) stays cheap; the reports package groups and words them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from registry.checks.models import CheckResult, CheckRun, Finding, KeyRelease, RelayMatch

CHUNK = 5_000


class ResultRow(NamedTuple):
    run_id: int
    kind: str
    run_at: datetime
    account_id: int
    verdict: str
    collection: str
    last_post_at: datetime | None
    last_success_at: datetime | None


class FindingRow(NamedTuple):
    id: int
    run_id: int
    account_id: int
    rule: str
    level: str
    status: str
    evidence: dict[str, Any]


class RelayRow(NamedTuple):
    release_id: int
    title: str
    account_id: int
    relayed: bool
    on_time: bool


def runs_between(session: Session, *, start: datetime, end: datetime) -> list[CheckRun]:
    """Check runs whose check time lies in [start, end], oldest first."""
    query = select(CheckRun).where(CheckRun.at >= start, CheckRun.at <= end)
    return list(session.scalars(query.order_by(CheckRun.at, CheckRun.id)))


def unqualified_accounts(session: Session, run_ids: Sequence[int]) -> set[int]:
    """Accounts that at least one of the runs found unqualified (the stored verdict)."""
    query = (
        select(CheckResult.account_id)
        .where(CheckResult.run_id.in_(list(run_ids)), CheckResult.verdict == "unqualified")
        .distinct()
    )
    return set(session.scalars(query))


def judged_accounts(session: Session, run_ids: Sequence[int]) -> set[int]:
    """Accounts that at least one of the runs judged (verdict qualified or unqualified)."""
    query = (
        select(CheckResult.account_id)
        .where(CheckResult.run_id.in_(list(run_ids)), CheckResult.verdict != "uncollected")
        .distinct()
    )
    return set(session.scalars(query))


def uncollected_only(session: Session, runs: Sequence[CheckRun]) -> dict[int, ResultRow]:
    """Accounts that every one of the runs found ``uncollected``, with their latest result."""
    run_ids = [r.id for r in runs]
    judged = func.sum(case((CheckResult.verdict != "uncollected", 1), else_=0))
    ids = list(
        session.scalars(
            select(CheckResult.account_id)
            .where(CheckResult.run_id.in_(run_ids))
            .group_by(CheckResult.account_id)
            .having(judged == 0)
        )
    )
    kinds = {r.id: (r.kind, r.at) for r in runs}
    latest: dict[int, ResultRow] = {}
    for chunk in _chunks(ids):
        query = select(
            CheckResult.run_id,
            CheckResult.account_id,
            CheckResult.verdict,
            CheckResult.collection,
            CheckResult.last_post_at,
            CheckResult.last_success_at,
        ).where(CheckResult.run_id.in_(run_ids), CheckResult.account_id.in_(chunk))
        for run_id, account_id, verdict, collection, last_post, last_ok in session.execute(query):
            kind, at = kinds[run_id]
            row = ResultRow(run_id, kind, at, account_id, verdict, collection, last_post, last_ok)
            if account_id not in latest or at > latest[account_id].run_at:
                latest[account_id] = row
    return latest


def last_posts(session: Session, run_ids: Sequence[int], account_ids: Iterable[int]) -> dict[int, datetime]:
    """The latest post time the runs saw for each of the given accounts."""
    out: dict[int, datetime] = {}
    for chunk in _chunks(sorted(set(account_ids))):
        query = (
            select(CheckResult.account_id, func.max(CheckResult.last_post_at))
            .where(CheckResult.run_id.in_(list(run_ids)), CheckResult.account_id.in_(chunk))
            .group_by(CheckResult.account_id)
        )
        for account_id, value in session.execute(query):
            if value is not None:
                out[account_id] = _aware(value)
    return out


def _aware(value: datetime | str) -> datetime:
    """Aggregates bypass the column type on SQLite: restore a UTC-aware datetime."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def findings_of(
    session: Session,
    run_ids: Iterable[int],
    *,
    statuses: Sequence[str] | None = None,
    levels: Sequence[str] | None = None,
    judged_only: bool = False,
) -> list[FindingRow]:
    """Findings of the given runs, optionally only some review statuses and levels, and only
    on results that judged the account (``judged_only``: not on ``uncollected`` ones)."""
    rows: list[FindingRow] = []
    for chunk in _chunks(list(run_ids)):
        query = select(
            Finding.id,
            Finding.run_id,
            Finding.account_id,
            Finding.rule,
            Finding.level,
            Finding.status,
            Finding.evidence,
        ).where(Finding.run_id.in_(chunk))
        if judged_only:
            query = query.join(CheckResult, CheckResult.id == Finding.result_id).where(
                CheckResult.verdict != "uncollected"
            )
        if statuses:
            query = query.where(Finding.status.in_(list(statuses)))
        if levels:
            query = query.where(Finding.level.in_(list(levels)))
        rows.extend(FindingRow(*row) for row in session.execute(query.order_by(Finding.id)))
    return rows


def relays_of(session: Session, runs: Sequence[CheckRun]) -> list[RelayRow]:
    """Relay duty per (key release, account), as the latest run of the window that collected the
    account found it (an account the run could not collect has no known relays)."""
    order = {r.id: (r.at, r.id) for r in runs}
    latest: dict[tuple[int, int], tuple[tuple[datetime, int], RelayRow]] = {}
    for chunk in _chunks(list(order)):
        query = (
            select(
                RelayMatch.run_id,
                RelayMatch.release_id,
                KeyRelease.title,
                RelayMatch.account_id,
                RelayMatch.relayed_at,
                RelayMatch.on_time,
            )
            .join(KeyRelease, KeyRelease.id == RelayMatch.release_id)
            .join(
                CheckResult,
                (CheckResult.run_id == RelayMatch.run_id) & (CheckResult.account_id == RelayMatch.account_id),
            )
            .where(RelayMatch.run_id.in_(chunk), CheckResult.collection == "collected")
        )
        for run_id, release_id, title, account_id, relayed_at, on_time in session.execute(query):
            key = (release_id, account_id)
            row = RelayRow(release_id, title, account_id, relayed_at is not None, bool(on_time))
            if key not in latest or order[run_id] > latest[key][0]:
                latest[key] = (order[run_id], row)
    return [row for _, row in latest.values()]


def _chunks(values: list[Any]) -> Iterable[list[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]
