"""Reading the registry: account lists, details and the audit trail, the registry's size on a
date, and the brief facts of accounts and units that other outputs name."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import and_, func, not_, select
from sqlalchemy.orm import Session

from registry import validation as v
from registry.filing.accounts import get_account
from registry.filing.models import Account, AccountName, FilingEvent, Unit
from registry.filing.units import find_unit
from registry.timeutil import day_end, local_iso
from registry.vocab import ACCOUNT_STATUS, FILING_FIELD, PLATFORM, UNIT_FIELD, UNIT_KIND, UNIT_LEVEL

ACCOUNT_KEYS = ("id", "filing_no", "unit", "platform", "name", "platform_id", "status", "level", "region")


def list_accounts(
    session: Session,
    *,
    unit: str | None = None,
    platform: str | None = None,
    status: str | None = None,
    level: str | None = None,
    search: str | None = None,
    unit_ids: Collection[int] | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Filed accounts, optionally filtered; ``search`` finds a text in the current or a former
    name, the platform id or the unit's name, or an exact 备案编号. ``unit_ids`` keeps a user's
    jurisdiction (None: the whole registry); ``limit`` and ``offset`` page the list."""
    a = Account.__table__.c
    query = (
        select(
            a.id,
            a.filing_no,
            Unit.name,
            a.platform,
            a.name,
            a.platform_id,
            a.status,
            Unit.level,
            Unit.region_code,
        )
        .join(Unit, a.unit_id == Unit.id)
        .order_by(a.id)
    )
    if unit:
        query = query.where(a.unit_id == find_unit(session, unit).id)
    if platform:
        query = query.where(a.platform == v.platform(platform))
    if status:
        query = query.where(a.status == v.status(status))
    if level:
        query = query.where(Unit.level == v.level(level))
    if search and search.strip():
        text = search.strip()
        former = select(AccountName.account_id).where(AccountName.name.contains(text, autoescape=True))
        units = select(Unit.id).where(Unit.name.contains(text, autoescape=True))  # matched once, not per row
        query = query.where(
            a.name.contains(text, autoescape=True)
            | a.id.in_(former)
            | a.platform_id.contains(text, autoescape=True)
            | a.unit_id.in_(units)
            | (a.filing_no == text)
        )
    if unit_ids is not None:
        query = query.where(a.unit_id.in_(list(unit_ids)))
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return [dict(zip(ACCOUNT_KEYS, row, strict=True)) for row in session.connection().execute(query)]


def account_rows(session: Session, ids: Sequence[int]) -> list[dict[str, Any]]:
    """``account_row`` of the given accounts, in the order given."""
    found: dict[int, dict[str, Any]] = {}
    for start in range(0, len(ids), CHUNK):
        query = (
            select(Account, Unit)
            .join(Unit, Account.unit_id == Unit.id)
            .where(Account.id.in_(list(ids[start : start + CHUNK])))
        )
        found.update({a.id: account_row(a, u) for a, u in session.execute(query)})
    return [found[i] for i in ids if i in found]


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
    return [_event_row(e) for e in events]


# how the filing history shows the values of each field
_FIELD_VALUES = {"platform": PLATFORM, "status": ACCOUNT_STATUS, "level": UNIT_LEVEL, "kind": UNIT_KIND}


def describe_changes(action: str, changes: dict[str, Any] | None) -> str:
    """One filing event in words: "账号名称 兰州发布 → 兰州发布厅；联系电话 … → …" for a
    change, "主办单位 兰州市人民政府；平台 新浪微博；…" for a filing (labels, not codes); a
    unit's own events (``unit_…``) name the unit's fields."""
    parts = []
    fields = UNIT_FIELD if action.startswith("unit_") else FILING_FIELD
    for key, pair in (changes or {}).items():
        old, new = pair if isinstance(pair, (list, tuple)) and len(pair) == 2 else (None, pair)
        name = fields.label(key)
        if old is None:
            parts.append(f"{name} {_value_text(key, new)}")
        else:
            parts.append(f"{name} {_value_text(key, old)} → {_value_text(key, new)}")
    return "；".join(parts)


def _value_text(key: str, value: Any) -> str:
    if value is None or value == "":
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    vocab = _FIELD_VALUES.get(key)
    if vocab is not None:
        return vocab.label(str(value))
    if isinstance(value, (dict, list)):
        import json

        return json.dumps(value, ensure_ascii=False)
    return str(value)


def unit_history(session: Session, unit: str | int) -> list[dict[str, Any]]:
    """The unit's own filing events (新增、变更、合并), oldest first."""
    found = find_unit(session, unit)
    events = session.scalars(
        select(FilingEvent)
        .where(FilingEvent.unit_id == found.id, FilingEvent.account_id.is_(None))
        .order_by(FilingEvent.id)
    )
    return [_event_row(e) for e in events]


def _event_row(e: FilingEvent) -> dict[str, Any]:
    return {
        "at": local_iso(e.at),
        "action": e.action,
        "actor": e.actor,
        "reason": e.reason,
        "changes": e.changes,
    }


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


def active_contacts(session: Session, *, account_ids: Sequence[int] | None = None) -> list[Contacts]:
    """Every active (已备案) account (or those of the given accounts) with the contacts of its
    filing, by id."""
    a = Account.__table__.c
    query = (
        select(
            a.id,
            a.name,
            a.platform,
            Unit.name,
            a.owner,
            a.email,
            a.phone,
            a.leader,
            a.leader_email,
            a.leader_phone,
            a.filed_at,
            a.opened_on,
        )
        .join(Unit, Unit.id == a.unit_id)
        .where(a.status == "active")
        .order_by(a.id)
    )
    if account_ids is None:
        return [Contacts(*row) for row in session.connection().execute(query)]
    ids, out = sorted(set(account_ids)), []
    for start in range(0, len(ids), CHUNK):
        part = query.where(a.id.in_(ids[start : start + CHUNK]))
        out += [Contacts(*row) for row in session.connection().execute(part)]
    return out
