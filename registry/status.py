"""What the registry says needs doing (``govmedia status``): a few aggregate queries over every
domain, each cheap on a large registry (counts, maxima and the latest rows only).

``registry_status`` returns plain values; ``monitor.status`` decides from them which accounts
cannot be collected (with the one definition of 未能采集) and the command adds the next
scheduled job.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, true
from sqlalchemy.orm import Session

from registry.checks.models import CheckRun, Finding
from registry.collection.activity import collection_activity
from registry.collection.models import CrawlAttempt, succeeded
from registry.filing.models import Account, Unit
from registry.ledger.models import Circular, LedgerItem
from registry.ops.models import JobRun

OPEN_LEDGER = ("open", "notified", "reopened", "rectified")


@dataclass
class AccountLine:
    """One account named in the status: who it is, and its latest collection attempt."""

    account_id: int
    name: str
    platform: str
    unit: str
    last_success: datetime | None = None
    last_attempt: datetime | None = None
    outcome: str | None = None
    detail: str | None = None


@dataclass
class RegistryStatus:
    units: int = 0
    accounts: dict[str, int] = field(default_factory=dict)  # status → count
    pending_since: datetime | None = None  # the oldest filing awaiting approval
    # the active accounts without a successful collection since ``fresh_since``, with their latest
    # attempt (every active account the one definition of 未能采集 can find not collected)
    uncollected: list[AccountLine] = field(default_factory=list)
    candidates: int = 0  # findings awaiting review
    overdue: int = 0  # open ledger items past their deadline
    overdue_units: int = 0
    last_crawl: datetime | None = None
    last_check: dict[str, Any] | None = None
    last_circular: dict[str, Any] | None = None
    last_jobs: dict[str, datetime] = field(default_factory=dict)  # job → last start


def registry_status(
    session: Session,
    *,
    now: datetime,
    today: date,
    fresh_since: datetime | None = None,
    unit_ids: Collection[int] | None = None,
) -> RegistryStatus:
    """Counts and latest events across the registry, as of ``now`` (``today`` in Beijing time);
    ``uncollected`` lists the active accounts with no successful collection in
    [``fresh_since``, ``now``] (every active account when not given); ``unit_ids`` keeps a
    user's jurisdiction (the counts of its units' accounts only)."""
    out = RegistryStatus()
    mine = Account.unit_id.in_(list(unit_ids)) if unit_ids is not None else true()
    units = Unit.id.in_(list(unit_ids)) if unit_ids is not None else true()
    out.units = session.scalar(select(func.count(Unit.id)).where(Unit.merged_into_id.is_(None), units)) or 0
    counts = session.execute(select(Account.status, func.count()).where(mine).group_by(Account.status))
    out.accounts = {status: int(n) for status, n in counts}
    out.pending_since = _aware(
        session.scalar(select(func.min(Account.filed_at)).where(Account.status == "pending", mine))
    )
    out.uncollected = _uncollected(session, now=now, fresh_since=fresh_since, mine=mine)
    out.candidates = (
        session.scalar(
            select(func.count(Finding.id))
            .join(Account, Account.id == Finding.account_id)
            .where(Finding.status == "candidate", mine)
        )
        if unit_ids is not None
        else session.scalar(select(func.count(Finding.id)).where(Finding.status == "candidate"))
    ) or 0
    late = (LedgerItem.status.in_(OPEN_LEDGER)) & (LedgerItem.deadline < today) & mine
    out.overdue = (
        session.scalar(
            select(func.count(LedgerItem.id)).join(Account, Account.id == LedgerItem.account_id).where(late)
        )
        or 0
    )
    out.overdue_units = (
        session.scalar(
            select(func.count(func.distinct(Account.unit_id)))
            .select_from(LedgerItem)
            .join(Account, Account.id == LedgerItem.account_id)
            .where(late)
        )
        or 0
    )
    out.last_crawl = _aware(
        session.scalar(select(func.max(CrawlAttempt.at)).where(CrawlAttempt.source == "crawl"))
    )
    run = session.scalars(
        select(CheckRun).order_by(CheckRun.started_at.desc(), CheckRun.id.desc()).limit(1)
    ).first()
    if run is not None:
        out.last_check = {"run_id": run.id, "kind": run.kind, "at": run.at, "started_at": run.started_at}
    circular = session.scalars(select(Circular).order_by(Circular.created_at.desc()).limit(1)).first()
    if circular is not None:
        out.last_circular = {
            "id": circular.id,
            "title": circular.title,
            "window_from": circular.window_from,
            "window_to": circular.window_to,
            "created_at": circular.created_at,
        }
    jobs = session.execute(select(JobRun.job, func.max(JobRun.started_at)).group_by(JobRun.job))
    out.last_jobs = {job: when for job, when in ((j, _aware(w)) for j, w in jobs) if when is not None}
    return out


def _uncollected(
    session: Session, *, now: datetime, fresh_since: datetime | None, mine: Any
) -> list[AccountLine]:
    """Active accounts without a successful collection in [fresh_since, now], in region order,
    with their latest collection attempt: one probe per account of the successes' index, then
    the names of the few found."""
    ids = select(Account.id).where(Account.status == "active", mine)
    if fresh_since is not None:
        recent = select(CrawlAttempt.id).where(
            CrawlAttempt.account_id == Account.id,
            succeeded(),
            CrawlAttempt.at >= fresh_since,
            CrawlAttempt.at <= now,
        )
        ids = ids.where(~recent.exists())
    found = list(session.scalars(ids))
    rows: list[Any] = []
    for start in range(0, len(found), 5_000):
        query = (
            select(Account.id, Account.name, Account.platform, Unit.name, Unit.region_code)
            .join(Unit, Unit.id == Account.unit_id)
            .where(Account.id.in_(found[start : start + 5_000]))
        )
        rows += session.execute(query).all()
    rows.sort(key=lambda r: (r[4], r[0]))
    activity = collection_activity(session, until=now, account_ids=found)
    lines = []
    for aid, name, platform, unit, _region in rows:
        a = activity.get(aid)
        lines.append(
            AccountLine(aid, name, platform, unit, a.last_success, a.last_attempt, a.last_outcome)
            if a is not None
            else AccountLine(aid, name, platform, unit)
        )
    return lines


def attempt_details(session: Session, account_ids: list[int]) -> dict[int, str | None]:
    """The detail of each account's latest collection attempt (why it failed)."""
    if not account_ids:
        return {}
    latest = (
        select(func.max(CrawlAttempt.id))
        .where(CrawlAttempt.account_id.in_(account_ids))
        .group_by(CrawlAttempt.account_id)
    )
    query = select(CrawlAttempt.account_id, CrawlAttempt.detail).where(CrawlAttempt.id.in_(latest))
    return dict(session.execute(query).all())


def _aware(value: Any) -> Any:
    """Aggregates bypass the column type on SQLite: restore a UTC-aware datetime."""
    from datetime import UTC

    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def ever_collected(session: Session) -> bool:
    """Whether anything was ever collected or imported (a check on a registry never crawled
    can only find every account 未能采集)."""
    return session.scalar(select(CrawlAttempt.id).limit(1)) is not None
