"""Read-only views the reports need: the registry on a date, the check results and
confirmed findings of an inspection window, relay matches, and the ledger's circulars.

Rows come back as small named tuples so that a national-scale window (hundreds of thousands
of results) stays cheap; the reports package does all the arithmetic.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

from sqlalchemy import and_, case, func, not_, or_, select
from sqlalchemy.orm import Session

from registry.checks.models import CheckResult, CheckRun, Finding, KeyRelease, RelayMatch
from registry.filing.models import Account, Unit
from registry.ledger.models import Circular
from registry.timeutil import day_end

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


class AccountFacts(NamedTuple):
    id: int
    name: str
    platform: str
    url: str | None
    unit_id: int


class UnitFacts(NamedTuple):
    id: int
    name: str
    level: str
    kind: str
    region_code: str


class RelayRow(NamedTuple):
    release_id: int
    title: str
    account_id: int
    relayed: bool
    on_time: bool


def registry_size(session: Session, *, on: date) -> list[tuple[str, str, int]]:
    """(unit level, platform, accounts) for accounts filed, approved and not yet closed or
    cancelled at the end of ``on`` (Beijing time)."""
    end = day_end(on)
    ended = and_(Account.status.in_(("closed", "cancelled")), Account.status_at <= end)
    query = (
        select(Unit.level, Account.platform, func.count(Account.id))
        .join(Unit, Unit.id == Account.unit_id)
        .where(Account.approved_at.is_not(None), Account.approved_at <= end, not_(ended))
        .group_by(Unit.level, Account.platform)
    )
    return [(level, platform, int(n)) for level, platform, n in session.execute(query)]


def runs_between(session: Session, *, start: datetime, end: datetime) -> list[CheckRun]:
    """Check runs whose check time lies in [start, end], oldest first."""
    query = select(CheckRun).where(CheckRun.at >= start, CheckRun.at <= end)
    return list(session.scalars(query.order_by(CheckRun.at, CheckRun.id)))


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


def account_platforms(session: Session) -> list[tuple[int, str, int]]:
    """(account id, platform, unit id) of every account, for grouping the figures."""
    return [(a, p, u) for a, p, u in session.execute(select(Account.id, Account.platform, Account.unit_id))]


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


def accounts_facts(session: Session, ids: Iterable[int]) -> dict[int, AccountFacts]:
    """Name, platform, link and unit of the given accounts."""
    out: dict[int, AccountFacts] = {}
    for chunk in _chunks(sorted(set(ids))):
        query = select(Account.id, Account.name, Account.platform, Account.url, Account.unit_id).where(
            Account.id.in_(chunk)
        )
        out.update({row[0]: AccountFacts(*row) for row in session.execute(query)})
    return out


def units_facts(session: Session) -> dict[int, UnitFacts]:
    """Every unit: name, level, kind and region code (for grouping by 市州 / 县区)."""
    query = select(Unit.id, Unit.name, Unit.level, Unit.kind, Unit.region_code)
    return {row[0]: UnitFacts(*row) for row in session.execute(query)}


def relays_of(session: Session, runs: Sequence[CheckRun]) -> list[RelayRow]:
    """Relay duty per (key release, account), as the latest run of the window found it."""
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
            .where(RelayMatch.run_id.in_(chunk))
        )
        for run_id, release_id, title, account_id, relayed_at, on_time in session.execute(query):
            key = (release_id, account_id)
            row = RelayRow(release_id, title, account_id, relayed_at is not None, bool(on_time))
            if key not in latest or order[run_id] > latest[key][0]:
                latest[key] = (order[run_id], row)
    return [row for _, row in latest.values()]


def previous_run(session: Session, run: CheckRun) -> CheckRun | None:
    """The latest earlier run of the same kind (for the check sheet's comparison)."""
    query = (
        select(CheckRun)
        .where(
            CheckRun.kind == run.kind,
            or_(CheckRun.at < run.at, and_(CheckRun.at == run.at, CheckRun.id < run.id)),
        )
        .order_by(CheckRun.at.desc(), CheckRun.id.desc())
        .limit(1)
    )
    return session.scalar(query)


def verdict_counts(session: Session, run_id: int) -> dict[str, int]:
    query = (
        select(CheckResult.verdict, func.count())
        .where(CheckResult.run_id == run_id)
        .group_by(CheckResult.verdict)
    )
    counts = {"qualified": 0, "unqualified": 0, "uncollected": 0}
    counts.update({verdict: int(n) for verdict, n in session.execute(query)})
    return counts


def sample_reasons(session: Session, run_id: int) -> dict[str, int]:
    query = (
        select(CheckResult.sample_reason, func.count())
        .where(CheckResult.run_id == run_id)
        .group_by(CheckResult.sample_reason)
    )
    return {reason: int(n) for reason, n in session.execute(query)}


def previous_circular(session: Session, *, before: date) -> Circular | None:
    """The latest circular whose window ended before ``before``."""
    query = select(Circular).where(Circular.window_to < before).order_by(Circular.window_to.desc())
    return session.scalar(query.limit(1))


def _chunks(values: list[Any]) -> Iterable[list[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]
