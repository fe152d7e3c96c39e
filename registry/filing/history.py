"""The registry as it stood at a moment, rebuilt from the audit trail (``filing_events``).

A check "as of" a past time judges the accounts that were in service then, under the unit,
name and level recorded then. Registries are often filed in the tool long after the accounts
opened (补充备案), so the filing date alone never excludes an account: what counts is when
the account **opened**.

- **Opening** (``opening``): the account's 开设日期 (the start of that Beijing day), or its
  first known post when that is earlier; without a 开设日期, the earlier of its first known
  post and its filing (先报备后开设: a filing may precede the opening).
- **In service at T** (``registry_at``): the filing was approved at some time (a filing that
  is still 待审核, or was withdrawn before approval, is not in service; an approval after T
  does not exclude it), the account opened on or before T, and it was not closed (关停) or
  cancelled (注销) on or before T according to the audit trail. Its unit, name and platform
  verification are those recorded at T: every change after T is undone (``changes``
  ``{field: [old, new]}``), and an account filed or imported after T is taken as filed late.
- **Ended at T**: closed or cancelled on or before T (status and the time of that step), for
  the check of accounts that still publish after closing.

An account written without any audit event (a bulk load) is read from its current row.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.filing.models import Account, FilingEvent, Unit
from registry.timeutil import day_start

ENDED = ("closed", "cancelled")
STATUS_ACTIONS = ("file", "import", "approve", "close", "cancel")
KEYS = (
    "id",
    "unit_id",
    "unit",
    "level",
    "kind",
    "region",
    "platform",
    "name",
    "status",
    "status_at",
    "verified",
    "approved_at",
    "opened_on",
    "filed_at",
)


@dataclass(frozen=True)
class Opening:
    """When an account opened, and what says so: ``opened_on`` (开设日期), ``first_post``
    (首次发布) or ``filed`` (报备时间)."""

    at: datetime
    basis: str


def opening(*, opened_on: date | None, first_post: datetime | None, filed_at: datetime) -> Opening:
    """The account's opening (see the module docstring)."""
    if opened_on is not None:
        start = day_start(opened_on)
        if first_post is not None and first_post < start:
            return Opening(first_post, "first_post")
        return Opening(start, "opened_on")
    if first_post is not None and first_post <= filed_at:
        return Opening(first_post, "first_post")
    return Opening(filed_at, "filed")


@dataclass
class RegistryAt:
    """The accounts in service at ``at`` and those ended by then, as dicts of ``KEYS`` plus
    ``opened_at``, ``opening_basis`` and ``reason`` (the reason recorded with the filing)."""

    at: datetime
    in_service: list[dict[str, Any]] = field(default_factory=list)
    ended: dict[int, dict[str, Any]] = field(default_factory=dict)


def registry_at(
    session: Session, *, at: datetime, first_posts: Mapping[int, datetime] | None = None
) -> RegistryAt:
    """Rebuild the registry at ``at``; ``first_posts`` (account → first known post time, from
    ``registry.collection.activity.first_post_times``) places the openings."""
    first_posts = first_posts or {}
    units = {name: (uid, level, kind, region) for uid, name, level, kind, region in _units(session)}
    rows = {row["id"]: row for row in _accounts(session)}
    _undo_later_changes(session, rows, at=at, units=units)
    reasons = filing_reasons(session)
    out = RegistryAt(at)
    for row in rows.values():
        row["reason"] = reasons.get(row["id"])
        opened = opening(
            opened_on=row["opened_on"], first_post=first_posts.get(row["id"]), filed_at=row["filed_at"]
        )
        row["opened_at"], row["opening_basis"] = opened.at, opened.basis
        if row["approved_at"] is None:
            continue  # never approved: pending, or withdrawn before approval
        if row["status"] in ENDED:
            out.ended[row["id"]] = row
        elif opened.at <= at:
            row["status"] = "active"  # in service at ``at`` (perhaps filed or approved later)
            out.in_service.append(row)
    return out


def filing_reasons(session: Session) -> dict[int, str]:
    """The reason recorded with each account's filing (报备 or import), where one was given."""
    query = (
        select(FilingEvent.account_id, FilingEvent.reason)
        .where(
            FilingEvent.action.in_(("file", "import")),
            FilingEvent.reason.is_not(None),
            FilingEvent.account_id.is_not(None),
        )
        .order_by(FilingEvent.id)
    )
    return {
        int(aid): reason
        for aid, reason in session.execute(query)
        if aid is not None and reason and reason.strip()
    }


def _units(session: Session) -> list[tuple[int, str, str, str, str]]:
    query = select(Unit.id, Unit.name, Unit.level, Unit.kind, Unit.region_code)
    return [(int(i), str(n), str(lv), str(k), str(r)) for i, n, lv, k, r in session.execute(query)]


def _accounts(session: Session) -> list[dict[str, Any]]:
    query = (
        select(
            Account.id,
            Account.unit_id,
            Unit.name,
            Unit.level,
            Unit.kind,
            Unit.region_code,
            Account.platform,
            Account.name,
            Account.status,
            Account.status_at,
            Account.verified,
            Account.approved_at,
            Account.opened_on,
            Account.filed_at,
        )
        .join(Unit, Unit.id == Account.unit_id)
        .order_by(Account.id)
    )
    return [dict(zip(KEYS, row, strict=True)) for row in session.execute(query)]


def _undo_later_changes(
    session: Session,
    rows: dict[int, dict[str, Any]],
    *,
    at: datetime,
    units: dict[str, tuple[int, str, str, str]],
) -> None:
    """Undo, newest first, every recorded change made after ``at``."""
    later = session.execute(
        select(FilingEvent.account_id, FilingEvent.action, FilingEvent.changes)
        .where(FilingEvent.at > at, FilingEvent.account_id.is_not(None))
        .order_by(FilingEvent.at.desc(), FilingEvent.id.desc())
    )
    touched: set[int] = set()
    for account_id, action, changes in later:
        row = rows.get(account_id)
        if row is None:
            continue
        touched.add(account_id)
        if action in ("file", "import"):
            row["status"] = None  # not yet in the tool at ``at``: filed late
            continue
        for key, value in (changes or {}).items():
            if not isinstance(value, list) or len(value) != 2:
                continue
            old = value[0]
            if key == "status":
                row["status"] = old
            elif key == "name" and old:
                row["name"] = old
            elif key == "verified":
                row["verified"] = old
            elif key == "unit" and old in units:
                row["unit"] = old
                row["unit_id"], row["level"], row["kind"], row["region"] = units[old]
    if touched:
        _status_times(session, rows, touched, at=at)


def _status_times(session: Session, rows: dict[int, dict[str, Any]], ids: set[int], *, at: datetime) -> None:
    """The time of each touched account's last status step on or before ``at``."""
    wanted = sorted(ids)
    last: dict[int, datetime] = {}
    for start in range(0, len(wanted), 5_000):
        query = (
            select(FilingEvent.account_id, FilingEvent.at)
            .where(
                FilingEvent.account_id.in_(wanted[start : start + 5_000]),
                FilingEvent.at <= at,
                FilingEvent.action.in_(STATUS_ACTIONS),
            )
            .order_by(FilingEvent.at, FilingEvent.id)
        )
        last.update({int(a): when for a, when in session.execute(query) if a is not None})
    for account_id in ids:
        if account_id in last:
            rows[account_id]["status_at"] = last[account_id]
