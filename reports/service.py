"""The report commands as library functions: each computes, writes its files and records
what the ledger needs, then returns a JSON-ready summary for the CLI to print.

- ``circular``: the circular of a window (.docx/.html/.xlsx/PNG, optionally .pdf). A formal
  circular is recorded with its 发文字号 (the office's next number of the year, kept when the
  window's circular is made again) and opens its ledger items; a 征求意见稿 (asked for with
  ``draft``, or forced by the guards of ``reports.guards``) takes no number and opens nothing;
- ``notices``: one Word notice per unit with problems; their items become ``notified``;
- ``check_sheet``: the result sheet of one check run (.html/.xlsx).

Who issues the circular comes in as ``reports.settings.CircularSettings`` (plain values the
application builds from its configuration).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from registry.ledger import numbers
from registry.ledger import queries as ledger_queries
from registry.ledger import store as ledger
from registry.ledger.models import Circular
from reports import render
from reports.check_report import compute_check, write_check
from reports.circular import CircularReport, compute_circular
from reports.circular_text import Problem
from reports.notices import unit_notices, write_notices
from reports.publish import write_circular
from reports.settings import CircularSettings
from reports.text import cn_date
from reports.window import Window


def _record(session: Session, report: CircularReport, actor: str, doc_no: str | None) -> tuple[Circular, int]:
    ctx = report.context
    return ledger.save_circular(
        session,
        title=ctx.title,
        doc_no=doc_no or None,
        window_from=report.window.start,
        window_to=report.window.end,
        deadline=report.deadline,
        figures=report.figures,
        problems=report.ledger_problems,
        actor=actor,
    )


def _allocate(session: Session, record: Circular, settings: CircularSettings, year: int, actor: str) -> str:
    """The next 发文字号 of ``year`` by the configured pattern (none without a pattern)."""
    if not settings.doc_no:
        return ""
    return numbers.assign_number(
        session, circular_id=record.id, year=year, render=settings.number, actor=actor
    ).doc_no


def circular(
    session: Session,
    *,
    start: date,
    end: date,
    out: Path,
    actor: str,
    settings: CircularSettings | None = None,
    title: str | None = None,
    doc_no: str | None = None,
    deadline: date | None = None,
    template: Path | None = None,
    draft: bool = False,
    pdf: bool = False,
    today: date | None = None,
    extra_problems: Sequence[Problem] = (),
) -> dict[str, Any]:
    """Compute and write the circular of [start, end]; a formal one is numbered, recorded and
    opens its ledger items. ``extra_problems``: problems found outside the checks, numbered
    after the checks' own (see ``reports.circular.compute_circular``)."""
    settings = settings or CircularSettings()
    report = compute_circular(
        session,
        window=Window(start, end),
        settings=settings,
        title=title,
        deadline=deadline,
        today=today,
        draft=draft,
        extra_problems=extra_problems,
    )
    if template is not None:
        render.check_template(template, report.context)
    record, opened = None, 0
    if not report.draft:
        # the number given, else the one the window's circular carries, else the next one
        existing = ledger_queries.circular_of_window(session, start=start, end=end)
        held = doc_no or (existing.doc_no if existing else None)
        record, opened = _record(session, report, actor, held)
        assert report.issued is not None
        number = held or _allocate(session, record, settings, report.issued.year, actor)
        record.doc_no, report.context.doc_no = number or None, number
    written = write_circular(report, out, template=template, pdf=pdf)
    return {
        "circular_id": record.id if record else None,
        "title": report.context.title,
        "doc_no": report.context.doc_no,
        "draft": report.draft,
        "draft_reasons": report.draft_reasons,
        **report.figures,
        "pass_rate_text": report.context.pass_rate_text,
        "deadline": report.deadline.isoformat(),
        "ledger_opened": opened,
        **written.as_json(),
        "warnings": [*report.warnings, *written.warnings],
    }


def notices(
    session: Session,
    *,
    start: date,
    end: date,
    out: Path,
    actor: str,
    settings: CircularSettings | None = None,
    deadline: date | None = None,
    template: Path | None = None,
    today: date | None = None,
) -> dict[str, Any]:
    """One notice per unit with problems in [start, end]; the items they name become notified.
    The window's circular record (and ledger) is created first when it does not exist yet."""
    from datetime import datetime

    from registry.timeutil import TZ
    from reports.guards import refuse_open_window

    refuse_open_window(Window(start, end), today or datetime.now(TZ).date(), draft=False, what="一对一反馈")
    existing = ledger_queries.circular_of_window(session, start=start, end=end)
    report = compute_circular(
        session,
        window=Window(start, end),
        settings=settings,
        title=existing.title if existing else None,
        deadline=deadline or (existing.deadline if existing else None),
        today=today,
    )
    report.context.doc_no = (existing.doc_no or "") if existing else ""
    if existing is None:
        record, _ = _record(session, report, actor, None)
    else:
        record, _ = ledger.save_circular(
            session,
            title=existing.title,
            doc_no=existing.doc_no,
            window_from=start,
            window_to=end,
            deadline=report.deadline,
            figures=existing.figures,
            problems=report.ledger_problems,
            actor=actor,
        )
    keys = [(p["account_id"], p["rule"]) for p in report.ledger_problems]
    items = ledger_queries.item_ids(session, record.id, keys)
    contexts = unit_notices(report, items)
    if template is not None and contexts:
        render.check_template(template, contexts[0])
    written = write_notices(contexts, out, template=template)
    notified = ledger.notify(
        session,
        circular_id=record.id,
        account_ids=[r.account_id for r in report.annex],
        item_ids=[i for k, i in items.items() if k in set(keys)],
        actor=actor,
    )
    return {
        "circular_id": record.id,
        "units": len(contexts),
        "notified": notified,
        "deadline": report.deadline.isoformat(),
        "deadline_text": cn_date(report.deadline),
        **written.as_json(),
        "warnings": [*report.warnings, *written.warnings],
    }


def check_sheet(session: Session, run_id: int | str, *, out: Path) -> dict[str, Any]:
    """The result sheet of one check run."""
    ctx = compute_check(session, run_id)
    written = write_check(ctx, out)
    return {
        "run_id": ctx.run_id,
        "kind": ctx.kind_label,
        "sampled": ctx.sampled,
        "qualified": ctx.qualified,
        "unqualified": ctx.unqualified,
        "uncollected": ctx.uncollected,
        "pass_rate": ctx.pass_rate_text,
        "candidates": len(ctx.candidates),
        **written.as_json(),
    }
