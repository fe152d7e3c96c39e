"""Reading the rectification ledger: its items as rows, one item's history, the state
counts of a circular's items, and the circular before a window."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from registry.filing.models import Account, Unit
from registry.ledger.models import ITEM_STATUSES, Circular, LedgerEvent, LedgerItem
from registry.ledger.store import get_item, unfinished_items
from registry.timeutil import local_iso
from registry.vocab import LEDGER_STATUS

ITEM_KEYS = (
    "id",
    "circular_id",
    "doc_no",
    "account_id",
    "account",
    "platform",
    "unit",
    "rule",
    "level",
    "description",
    "status",
    "deadline",
    "opened_at",
    "updated_at",
    "note",
    "evidence_url",
)


def list_items(
    session: Session,
    *,
    status: str | None = None,
    circular_id: int | None = None,
    account_ids: Sequence[int] | None = None,
    unit_id: int | None = None,
    region: str | None = None,
    unit_ids: Collection[int] | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """The ledger as rows (``ITEM_KEYS``), oldest first; ``unit_id`` and ``region`` (a region
    code prefix, "6201" for a city and its counties) keep one unit's or one area's items."""
    query = (
        select(LedgerItem, Circular.doc_no, Account.name, Account.platform, Unit.name)
        .join(Circular, Circular.id == LedgerItem.circular_id)
        .join(Account, Account.id == LedgerItem.account_id)
        .join(Unit, Unit.id == Account.unit_id)
        .order_by(LedgerItem.id)
    )
    if status:
        query = query.where(LedgerItem.status == LEDGER_STATUS.code(status))
    if circular_id is not None:
        query = query.where(LedgerItem.circular_id == circular_id)
    if account_ids is not None:
        query = query.where(LedgerItem.account_id.in_(list(account_ids)))
    if unit_id is not None:
        query = query.where(Account.unit_id == unit_id)
    if region:
        query = query.where(Unit.region_code.startswith(region))
    if unit_ids is not None:  # a user's jurisdiction
        query = query.where(Account.unit_id.in_(list(unit_ids)))
    if limit is not None:  # a page of the list
        query = query.limit(limit).offset(offset)
    return [
        {
            "id": i.id,
            "circular_id": i.circular_id,
            "doc_no": doc_no,
            "account_id": i.account_id,
            "account": name,
            "platform": platform,
            "unit": unit,
            "rule": i.rule,
            "level": i.level,
            "description": i.description,
            "status": i.status,
            "deadline": i.deadline.isoformat(),
            "opened_at": local_iso(i.opened_at),
            "updated_at": local_iso(i.updated_at),
            "note": i.note,
            "evidence_url": i.evidence_url,
        }
        for i, doc_no, name, platform, unit in session.execute(query)
    ]


def history(session: Session, item_id: int | str) -> list[dict[str, Any]]:
    item = get_item(session, item_id)
    query = select(LedgerEvent).where(LedgerEvent.item_id == item.id).order_by(LedgerEvent.id)
    return [
        {
            "at": local_iso(e.at),
            "action": e.action,
            "actor": e.actor,
            "from": e.from_status,
            "to": e.to_status,
            "note": e.note,
            "evidence_url": e.evidence_url,
            "run_id": e.run_id,
        }
        for e in session.scalars(query)
    ]


def state_counts(session: Session, circular_id: int) -> dict[str, int]:
    """How many of a circular's items are in each status."""
    query = (
        select(LedgerItem.status, func.count())
        .where(LedgerItem.circular_id == circular_id)
        .group_by(LedgerItem.status)
    )
    counts = dict.fromkeys(ITEM_STATUSES, 0)
    counts.update({status: int(n) for status, n in session.execute(query)})
    return counts


def previous_circular(session: Session, *, before: date) -> Circular | None:
    """The latest circular whose window ended before ``before``."""
    query = select(Circular).where(Circular.window_to < before).order_by(Circular.window_to.desc())
    return session.scalar(query.limit(1))


def circular_of_window(session: Session, *, start: date, end: date) -> Circular | None:
    """The circular recorded for exactly this inspection window, if any."""
    return session.scalar(select(Circular).where(Circular.window_from == start, Circular.window_to == end))


def item_ids(
    session: Session, circular_id: int, keys: Sequence[tuple[int, str]] = ()
) -> dict[tuple[int, str], int]:
    """``{(account id, rule): ledger item id}`` of a circular's items, and for each of ``keys``
    (the problems it names) that it did not open, the unfinished item of an earlier circular
    that it names again (one open item per account and problem)."""
    query = select(LedgerItem.account_id, LedgerItem.rule, LedgerItem.id).where(
        LedgerItem.circular_id == circular_id
    )
    own = {(a, r): i for a, r, i in session.execute(query)}
    if keys:
        earlier = unfinished_items(session)
        own.update({k: earlier[k] for k in keys if k not in own and k in earlier})
    return own
