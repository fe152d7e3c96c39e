"""Copies of what was issued, for the workbench's downloads: a recorded circular's documents
and its per-unit notices, written again from the stored results of its window (nothing is
judged again) without recording, numbering or notifying anything.

The copy carries the circular's recorded title, 发文字号, 成文日期 and 整改期限; reviews made
since it was issued show in its figures, as they do everywhere (one truth).
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from sqlalchemy.orm import Session

from registry.errors import NotFound
from registry.ledger import queries as ledger_queries
from registry.ledger.models import Circular
from registry.timeutil import TZ
from reports.circular import CircularReport, compute_circular
from reports.notices import unit_notices, write_notices
from reports.publish import Written, write_circular
from reports.settings import CircularSettings
from reports.window import Window


def recorded_circular(session: Session, circular_id: int | str) -> Circular:
    from registry import validation as v

    number = v.record_id(str(circular_id))
    record = session.get(Circular, number) if number else None
    if record is None:
        raise NotFound("通报ID", circular_id, "通报")
    return record


def _report(session: Session, record: Circular, settings: CircularSettings | None) -> CircularReport:
    report = compute_circular(
        session,
        window=Window(record.window_from, record.window_to),
        settings=settings,
        title=record.title,
        deadline=record.deadline,
        today=record.created_at.astimezone(TZ).date(),
    )
    report.context.doc_no = record.doc_no or ""
    return report


def circular_copy(
    session: Session, circular_id: int | str, *, out: Path, settings: CircularSettings | None = None
) -> Written:
    """The circular's .docx, .html and annex .xlsx, written into ``out``."""
    return write_circular(_report(session, recorded_circular(session, circular_id), settings), out)


def notice_copies(
    session: Session,
    circular_id: int | str,
    *,
    out: Path,
    unit_ids: Collection[int] | None = None,
    settings: CircularSettings | None = None,
) -> Written:
    """The per-unit notices of the circular (only units in ``unit_ids`` when given)."""
    record = recorded_circular(session, circular_id)
    report = _report(session, record, settings)
    if unit_ids is not None:
        allowed = set(unit_ids)
        report.annex = [row for row in report.annex if row.unit_id in allowed]
    keys = [(p["account_id"], p["rule"]) for p in report.ledger_problems]
    items = ledger_queries.item_ids(session, record.id, keys)
    return write_notices(unit_notices(report, items), out)
