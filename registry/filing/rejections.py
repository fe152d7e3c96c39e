"""驳回的报备: what a filer needs to fix a filing sent back to it. A rejected filing
(已驳回) carries the reason of its latest 驳回 (who rejected it, when and why) in the append-only
filing history (``filing_events``); the filer changes it (``accounts.change``) and files it
again (``accounts.refile``).

- ``latest_rejections``: the newest ``reject`` event of each given account;
- ``rejected_filings``: the filings of some units that are rejected now, most recently
  rejected first, each with its latest rejection.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from registry.filing.models import Account, FilingEvent
from registry.filing.queries import account_rows
from registry.timeutil import local_iso


def latest_rejections(session: Session, account_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """``{account id: {"at", "actor", "reason"}}``: the latest 驳回 of each account that was
    ever rejected (accounts never rejected are absent)."""
    if not account_ids:
        return {}
    newest = (
        select(func.max(FilingEvent.id))
        .where(FilingEvent.account_id.in_(list(account_ids)), FilingEvent.action == "reject")
        .group_by(FilingEvent.account_id)
    )
    events = session.execute(
        select(FilingEvent.account_id, FilingEvent.at, FilingEvent.actor, FilingEvent.reason).where(
            FilingEvent.id.in_(newest)
        )
    )
    return {e.account_id: {"at": local_iso(e.at), "actor": e.actor, "reason": e.reason} for e in events}


def rejected_filings(session: Session, *, unit_ids: Collection[int], limit: int = 20) -> list[dict[str, Any]]:
    """The rejected filings (已驳回) of ``unit_ids``, most recently rejected first, at most
    ``limit``: each the account's row (``queries.account_row``) with ``rejection``."""
    if not unit_ids:
        return []
    ids = list(
        session.scalars(
            select(Account.id)
            .where(Account.status == "rejected", Account.unit_id.in_(list(unit_ids)))
            .order_by(Account.status_at.desc(), Account.id.desc())
            .limit(limit)
        )
    )
    rejections = latest_rejections(session, ids)
    return [{**row, "rejection": rejections.get(row["id"])} for row in account_rows(session, ids)]
