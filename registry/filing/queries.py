"""Reading the registry: account lists, details and the audit trail, the registry's size on a
date, and the brief facts of accounts and units that other outputs name."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import and_, func, not_, select
from sqlalchemy.orm import Session

from registry import validation as v
from registry.filing.accounts import get_account
from registry.filing.models import Account, AccountName, FilingEvent, Unit
from registry.filing.units import find_unit
from registry.timeutil import day_end, local_iso

ACCOUNT_KEYS = ("id", "filing_no", "unit", "platform", "name", "platform_id", "status", "level", "region")


def list_accounts(
    session: Session,
    *,
    unit: str | None = None,
    platform: str | None = None,
    status: str | None = None,
    level: str | None = None,
    search: str | None = None,
) -> list[dict[str, Any]]:
    """Filed accounts, optionally filtered; ``search`` matches current and former names."""
    query = select(Account, Unit).join(Unit, Account.unit_id == Unit.id).order_by(Account.id)
    if unit:
        query = query.where(Account.unit_id == find_unit(session, unit).id)
    if platform:
        query = query.where(Account.platform == v.platform(platform))
    if status:
        query = query.where(Account.status == v.status(status))
    if level:
        query = query.where(Unit.level == v.level(level))
    if search:
        former = select(AccountName.account_id).where(AccountName.name.contains(search.strip()))
        query = query.where(Account.name.contains(search.strip()) | Account.id.in_(former))
    return [account_row(a, u) for a, u in session.execute(query)]


def account_row(account: Account, unit: Unit) -> dict[str, Any]:
    return {
        "id": account.id,
        "filing_no": account.filing_no,
        "unit": unit.name,
        "platform": account.platform,
        "name": account.name,
        "platform_id": account.platform_id,
        "status": account.status,
        "level": unit.level,
        "region": unit.region_code,
    }


def account_detail(session: Session, account_id: int | str) -> dict[str, Any]:
    """Everything filed about one account, with its former names."""
    account = get_account(session, account_id)
    names = session.scalars(
        select(AccountName).where(AccountName.account_id == account.id).order_by(AccountName.id)
    ).all()
    detail = account_row(account, account.unit)
    detail.update(
        {
            "url": account.url,
            "feed_url": account.feed_url,
            "operator": account.operator,
            "owner": account.owner,
            "phone": account.phone,
            "email": account.email,
            "leader": account.leader,
            "leader_phone": account.leader_phone,
            "leader_email": account.leader_email,
            "verified": account.verified,
            "opened_on": account.opened_on.isoformat() if account.opened_on else None,
            "filed_at": local_iso(account.filed_at),
            "approved_at": local_iso(account.approved_at),
            "status_at": local_iso(account.status_at),
            "selectors": account.selectors,
            "note": account.note,
            "former_names": [n.name for n in names],
        }
    )
    return detail


def history(session: Session, account_id: int | str) -> list[dict[str, Any]]:
    """The append-only filing events of one account, oldest first."""
    account = get_account(session, account_id)
    events = session.scalars(
        select(FilingEvent).where(FilingEvent.account_id == account.id).order_by(FilingEvent.id)
    )
    return [
        {
            "at": local_iso(e.at),
            "action": e.action,
            "actor": e.actor,
            "reason": e.reason,
            "changes": e.changes,
        }
        for e in events
    ]


class AccountBrief(NamedTuple):
    id: int
    name: str
    platform: str
    url: str | None
    unit_id: int


class UnitBrief(NamedTuple):
    id: int
    name: str
    level: str
    kind: str
    region_code: str


CHUNK = 5_000


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


def account_briefs(session: Session, ids: Iterable[int]) -> dict[int, AccountBrief]:
    """Name, platform, link and unit of the given accounts."""
    out: dict[int, AccountBrief] = {}
    wanted = sorted(set(ids))
    for start in range(0, len(wanted), CHUNK):
        query = select(Account.id, Account.name, Account.platform, Account.url, Account.unit_id).where(
            Account.id.in_(wanted[start : start + CHUNK])
        )
        out.update({row[0]: AccountBrief(*row) for row in session.execute(query)})
    return out


def unit_briefs(session: Session) -> dict[int, UnitBrief]:
    """Every unit: name, level, kind and region code (for grouping by 市州 / 县区)."""
    query = select(Unit.id, Unit.name, Unit.level, Unit.kind, Unit.region_code)
    return {row[0]: UnitBrief(*row) for row in session.execute(query)}


def account_platforms(session: Session) -> list[tuple[int, str, int]]:
    """(account id, platform, unit id) of every account, for grouping the figures."""
    return [(a, p, u) for a, p, u in session.execute(select(Account.id, Account.platform, Account.unit_id))]


class Contacts(NamedTuple):
    """Who answers for an active account (for the early warnings), when it was filed (报备时间)
    and its 开设日期 (for its opening, ``registry.filing.history.opening``)."""

    account_id: int
    name: str
    platform: str
    unit: str
    owner: str | None
    email: str | None
    phone: str | None
    leader: str | None
    leader_email: str | None
    leader_phone: str | None
    filed_at: datetime
    opened_on: date | None = None


def active_contacts(session: Session) -> list[Contacts]:
    """Every active (已备案) account with the contacts of its filing, by id."""
    query = (
        select(Account, Unit.name)
        .join(Unit, Unit.id == Account.unit_id)
        .where(Account.status == "active")
        .order_by(Account.id)
    )
    return [
        Contacts(
            a.id,
            a.name,
            a.platform,
            unit,
            a.owner,
            a.email,
            a.phone,
            a.leader,
            a.leader_email,
            a.leader_phone,
            a.filed_at,
            a.opened_on,
        )
        for a, unit in session.execute(query)
    ]
