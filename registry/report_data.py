"""Read-only views the reports need: the registry on a date, the check results and
confirmed findings of an inspection window, relay matches, and the ledger's circulars.

Rows come back as small named tuples so that a national-scale window (hundreds of thousands
of results) stays cheap; the reports package does all the arithmetic.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import and_, func, not_, or_, select
from sqlalchemy.orm import Session

from registry.check_models import CheckResult, CheckRun, Finding, KeyRelease, RelayMatch
from registry.ledger_models import Circular
from registry.models import Account, Unit
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


def results_of(session: Session, runs: Sequence[CheckRun]) -> list[ResultRow]:
    """Every per-account verdict of the given runs."""
    kinds = {r.id: (r.kind, r.at) for r in runs}
    rows: list[ResultRow] = []
    for chunk in _chunks(list(kinds)):
        query = select(
            CheckResult.run_id,
            CheckResult.account_id,
            CheckResult.verdict,
            CheckResult.collection,
            CheckResult.last_post_at,
            CheckResult.last_success_at,
        ).where(CheckResult.run_id.in_(chunk))
        for run_id, account_id, verdict, collection, last_post, last_ok in session.execute(query):
            kind, at = kinds[run_id]
            rows.append(ResultRow(run_id, kind, at, account_id, verdict, collection, last_post, last_ok))
    return rows


def findings_of(
    session: Session,
    run_ids: Iterable[int],
    *,
    statuses: Sequence[str] | None = None,
    levels: Sequence[str] | None = None,
) -> list[FindingRow]:
    """Findings of the given runs, optionally only some review statuses and levels."""
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
