"""The rectification ledger (整改台账): opening items from a circular, and their life cycle.

Each confirmed veto or deduct problem that a circular names opens one item per account and
rule (``open``), unless an item for the same account and problem is still unfinished (open,
notified, rectified or reopened) from any circular: a second circular over an overlapping
window names that item again and never opens it twice. A problem found again after its item
was closed (销号) opens a new one. Sending the per-unit notices marks the unit's items
``notified``. When the unit reports back, ``record`` stores its note and evidence link and
marks the item ``rectified``.

A later check decides (``review``, ``govmedia rectify review RUN``) only on the items that are
due: those the unit reported as rectified, and those whose deadline has passed by the check
time; the rest keep their state (an item notified yesterday is not 整改未通过 today). A due
item whose account the check collected and judged is ``closed`` (销号) when the check has no
confirmed finding of the same rule for it, and ``reopened`` (整改未通过) when it has. Staff can
also close or reopen an item by hand with a note. Every step appends a ``LedgerEvent``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from registry import validation as v
from registry.checks.models import CheckResult, Finding
from registry.checks.store import get_run
from registry.db import utcnow
from registry.errors import InvalidValue, NotFound
from registry.ledger.models import Circular, LedgerEvent, LedgerItem
from registry.timeutil import TZ
from registry.vocab import LEDGER_ACTION, LEDGER_STATUS

# which statuses each action may start from
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "notify": ("open",),
    "record": ("open", "notified", "reopened"),
    "close": ("open", "notified", "rectified", "reopened"),
    "reopen": ("notified", "rectified", "closed"),
}


def save_circular(
    session: Session,
    *,
    title: str,
    doc_no: str | None,
    window_from: date,
    window_to: date,
    deadline: date,
    figures: dict[str, Any],
    problems: Sequence[dict[str, Any]],
    actor: str,
) -> tuple[Circular, int]:
    """Record a circular (one per window; regenerating updates it) and open a ledger item for
    each problem not already in it. ``problems``: dicts with account_id, rule, level,
    finding_ids, description. Returns the circular and how many items were opened."""
    circular = session.scalar(
        select(Circular).where(Circular.window_from == window_from, Circular.window_to == window_to)
    )
    if circular is None:
        circular = Circular(
            window_from=window_from, window_to=window_to, title=title, deadline=deadline, actor=actor
        )
        session.add(circular)
    circular.title, circular.doc_no, circular.deadline = title, doc_no, deadline
    circular.figures, circular.actor = figures, actor
    session.flush()
    existing = {
        (a, r)
        for a, r in session.execute(
            select(LedgerItem.account_id, LedgerItem.rule).where(LedgerItem.circular_id == circular.id)
        )
    } | set(unfinished_items(session))
    now = utcnow()
    rows = [
        {
            "circular_id": circular.id,
            "account_id": p["account_id"],
            "rule": p["rule"],
            "level": p["level"],
            "finding_ids": list(p["finding_ids"]),
            "description": p["description"],
            "status": "open",
            "deadline": deadline,
            "opened_at": now,
            "updated_at": now,
            "note": None,
            "evidence_url": None,
        }
        for p in problems
        if (p["account_id"], p["rule"]) not in existing
    ]
    opened = len(rows)
    if rows:
        # bulk insert (a national circular opens tens of thousands of items), then the events
        before = session.scalar(select(func.max(LedgerItem.id))) or 0
        for start in range(0, len(rows), 20_000):
            session.execute(insert(LedgerItem), rows[start : start + 20_000])
        new_ids = session.scalars(
            select(LedgerItem.id).where(LedgerItem.circular_id == circular.id, LedgerItem.id > before)
        ).all()
        events = [
            {
                "item_id": item_id,
                "at": now,
                "actor": actor,
                "action": "open",
                "from_status": None,
                "to_status": "open",
                "note": None,
                "evidence_url": None,
                "run_id": None,
            }
            for item_id in new_ids
        ]
        for start in range(0, len(events), 20_000):
            session.execute(insert(LedgerEvent), events[start : start + 20_000])
    return circular, opened


UNFINISHED = ("open", "notified", "rectified", "reopened")


def unfinished_items(session: Session) -> dict[tuple[int, str], int]:
    """``{(account id, rule): item id}`` of every unfinished item (the oldest for a pair)."""
    query = (
        select(LedgerItem.account_id, LedgerItem.rule, LedgerItem.id)
        .where(LedgerItem.status.in_(UNFINISHED))
        .order_by(LedgerItem.id.desc())
    )
    return {(a, r): i for a, r, i in session.execute(query)}


def get_item(session: Session, item_id: int | str) -> LedgerItem:
    text = str(item_id).strip()
    number = v.record_id(text)
    item = session.get(LedgerItem, number) if number else None
    if item is None:
        raise NotFound("整改事项ID", item_id, "整改事项")
    return item


def _move(
    session: Session,
    item: LedgerItem,
    action: str,
    status: str,
    *,
    actor: str,
    note: str | None = None,
    evidence_url: str | None = None,
    run_id: int | None = None,
) -> None:
    if item.status not in TRANSITIONS[action]:
        allowed = "、".join(LEDGER_STATUS.label(s) for s in TRANSITIONS[action])
        raise InvalidValue(
            "整改事项ID",
            item.id,
            f"当前状态为「{LEDGER_STATUS.label(item.status)}」，不能{LEDGER_ACTION.label(action)}"
            f"（只有{allowed}的事项可以{LEDGER_ACTION.label(action)}）",
        )
    session.add(
        LedgerEvent(
            item_id=item.id,
            actor=actor,
            action=action,
            from_status=item.status,
            to_status=status,
            note=note,
            evidence_url=evidence_url,
            run_id=run_id,
        )
    )
    item.status = status
    item.updated_at = utcnow()
    if note is not None:
        item.note = note
    if evidence_url is not None:
        item.evidence_url = evidence_url


def notify(
    session: Session,
    *,
    circular_id: int,
    account_ids: Sequence[int] | None = None,
    item_ids: Sequence[int] = (),
    actor: str,
) -> int:
    """Mark the circular's open items (optionally of some accounts) ``notified``, and the open
    items of earlier circulars that it names again (``item_ids``)."""
    query = select(LedgerItem).where(LedgerItem.circular_id == circular_id, LedgerItem.status == "open")
    if account_ids is not None:
        query = query.where(LedgerItem.account_id.in_(list(account_ids)))
    items = list(session.scalars(query))
    seen = {i.id for i in items}
    if item_ids:
        again = select(LedgerItem).where(LedgerItem.id.in_(list(item_ids)), LedgerItem.status == "open")
        items += [i for i in session.scalars(again) if i.id not in seen]
    for item in items:
        _move(session, item, "notify", "notified", actor=actor)
    return len(items)


def record(
    session: Session, item_id: int | str, *, note: str, evidence_url: str | None = None, actor: str
) -> LedgerItem:
    """登记整改: the unit reported back; the note is required, the evidence link optional."""
    item = get_item(session, item_id)
    text = v.text(note, "整改说明", max_len=2000) if note and note.strip() else None
    if text is None:
        raise InvalidValue("整改说明", note or "", "必须用 --note 说明整改情况")
    link = v.url(evidence_url, "佐证链接") if evidence_url else None
    _move(session, item, "record", "rectified", actor=actor, note=text, evidence_url=link)
    return item


def close(session: Session, item_id: int | str, *, note: str, actor: str) -> LedgerItem:
    """销号 by hand (e.g. after a manual re-check); the note is required."""
    item = get_item(session, item_id)
    _move(session, item, "close", "closed", actor=actor, note=_required(note))
    return item


def reopen(session: Session, item_id: int | str, *, note: str, actor: str) -> LedgerItem:
    """整改未通过 by hand; the note is required."""
    item = get_item(session, item_id)
    _move(session, item, "reopen", "reopened", actor=actor, note=_required(note))
    return item


def review(session: Session, run_id: int | str, *, actor: str) -> dict[str, int]:
    """复核 by a later check (see the module docstring): every due item opened before the run's
    check time whose account the run collected and judged is closed when the run has no
    confirmed finding of the same rule for the account, and reopened when it has. An item is
    due when the unit reported it rectified, or when its deadline (a Beijing day, inclusive)
    has passed by the check time; the others are counted as ``waiting``."""
    run = get_run(session, run_id)
    judged = set(
        session.scalars(
            select(CheckResult.account_id).where(
                CheckResult.run_id == run.id, CheckResult.collection == "collected"
            )
        )
    )
    still = set(
        session.execute(
            select(Finding.account_id, Finding.rule).where(
                Finding.run_id == run.id, Finding.status == "confirmed"
            )
        )
    )
    check_day = run.at.astimezone(TZ).date()
    counts = {"closed": 0, "reopened": 0, "unchanged": 0, "waiting": 0}
    query = select(LedgerItem).where(LedgerItem.status.in_(UNFINISHED), LedgerItem.opened_at < run.at)
    for item in session.scalars(query.order_by(LedgerItem.id)):
        if item.account_id not in judged:
            continue
        if item.status != "rectified" and not item.deadline < check_day:
            counts["waiting"] += 1
            continue
        found = (item.account_id, item.rule) in still
        label = f"第{run.id}次检查复核"
        if found and item.status != "reopened":
            _move(
                session, item, "reopen", "reopened", actor=actor, note=f"{label}：问题仍存在", run_id=run.id
            )
            counts["reopened"] += 1
        elif not found:
            _move(session, item, "close", "closed", actor=actor, note=f"{label}：问题已消除", run_id=run.id)
            counts["closed"] += 1
        else:
            counts["unchanged"] += 1
    return counts


def _required(note: str | None) -> str:
    if not note or not note.strip():
        raise InvalidValue("说明", note or "", "必须用 --note 说明理由")
    return note.strip()
