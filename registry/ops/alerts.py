"""The early-warning deliveries (无更新预警发送记录): whether a step was already delivered,
recording a delivery, and listing them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from registry.db import utcnow
from registry.filing.models import Account
from registry.ops.models import AlertSent
from registry.timeutil import local_iso


def alert_delivered(
    session: Session, *, account_id: int, step: str, silence_since: datetime, channel: str, recipient: str
) -> bool:
    return bool(
        session.scalar(
            select(func.count(AlertSent.id)).where(
                AlertSent.account_id == account_id,
                AlertSent.step == step,
                AlertSent.silence_since == silence_since,
                AlertSent.channel == channel,
                AlertSent.recipient == recipient,
                AlertSent.status == "sent",
            )
        )
    )


def delivered_keys(session: Session, account_ids: Sequence[int]) -> set[tuple[Any, ...]]:
    """(account id, step, silence since, channel, recipient) of every delivery made to the given
    accounts (``alert_delivered`` for many at once)."""
    out: set[tuple[Any, ...]] = set()
    ids = sorted(set(account_ids))
    for start in range(0, len(ids), 900):
        query = select(
            AlertSent.account_id,
            AlertSent.step,
            AlertSent.silence_since,
            AlertSent.channel,
            AlertSent.recipient,
        ).where(AlertSent.account_id.in_(ids[start : start + 900]), AlertSent.status == "sent")
        out.update(tuple(row) for row in session.execute(query))
    return out


def record_alert(session: Session, **fields: Any) -> AlertSent:
    """Store one delivery; a retried delivery of the same step updates its failed row."""
    existing = None
    if fields.get("account_id") is not None:
        existing = session.scalars(
            select(AlertSent).where(
                AlertSent.account_id == fields["account_id"],
                AlertSent.step == fields["step"],
                AlertSent.silence_since == fields["silence_since"],
                AlertSent.channel == fields["channel"],
                AlertSent.recipient == fields["recipient"],
            )
        ).first()
    row = existing or AlertSent()
    for key, value in fields.items():
        setattr(row, key, value)
    row.sent_at = fields.get("sent_at") or utcnow()
    session.add(row)
    session.flush()
    return row


ALERT_KEYS = (
    "id",
    "sent_at",
    "account_id",
    "account",
    "step",
    "days",
    "silence_since",
    "channel",
    "recipient_name",
    "recipient",
    "status",
    "error",
    "subject",
)


def list_alerts(session: Session, *, account_id: int | None = None, limit: int = 200) -> list[dict[str, Any]]:
    """Alerts sent (and failed deliveries), newest first."""
    query = (
        select(AlertSent, Account.name)
        .outerjoin(Account, Account.id == AlertSent.account_id)
        .order_by(AlertSent.id.desc())
        .limit(limit)
    )
    if account_id is not None:
        query = query.where(AlertSent.account_id == account_id)
    return [alert_row(a, name) for a, name in session.execute(query)]


def alert_row(a: AlertSent, account: str | None) -> dict[str, Any]:
    return {
        "id": a.id,
        "sent_at": local_iso(a.sent_at),
        "account_id": a.account_id,
        "account": account,
        "step": a.step,
        "days": a.days,
        "silence_since": local_iso(a.silence_since),
        "channel": a.channel,
        "recipient_name": a.recipient_name,
        "recipient": a.recipient,
        "status": a.status,
        "error": a.error,
        "subject": a.subject,
    }
