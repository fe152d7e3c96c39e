"""Read-side views of the registry: account lists, details and the audit trail."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry import validation as v
from registry.filing.accounts import get_account
from registry.filing.models import Account, AccountName, FilingEvent, Unit
from registry.filing.units import find_unit
from registry.timeutil import local_iso

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
