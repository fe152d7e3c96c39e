"""The report commands as library functions: each computes, writes its files and records
what the ledger needs, then returns a JSON-ready summary for the CLI to print.

- ``circular``: the circular of a window (.docx/.html/.xlsx/PNG) and its ledger items;
- ``notices``: one Word notice per unit with problems; their items become ``notified``;
- ``check_sheet``: the result sheet of one check run (.html/.xlsx).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from registry.ledger import queries as ledger_queries
from registry.ledger import store as ledger
from registry.ledger.models import Circular
from reports import render
from reports.check_report import compute_check, write_check
from reports.circular import CircularReport, compute_circular
from reports.notices import unit_notices, write_notices
from reports.publish import write_circular
from reports.text import cn_date
from reports.window import Window


def _compute(session: Session, start: date, end: date, **options: Any) -> CircularReport:
    return compute_circular(session, window=Window(start, end), **options)


def _record(session: Session, report: CircularReport, actor: str) -> tuple[Circular, int]:
    ctx = report.context
    return ledger.save_circular(
        session,
        title=ctx.title,
        doc_no=ctx.doc_no or None,
        window_from=report.window.start,
        window_to=report.window.end,
        deadline=report.deadline,
        figures=report.figures,
        problems=report.ledger_problems,
        actor=actor,
    )


def circular(
    session: Session,
    *,
    start: date,
    end: date,
    out: Path,
    actor: str,
    title: str | None = None,
    doc_no: str | None = None,
    deadline: date | None = None,
    template: Path | None = None,
    issuer: str | None = None,
    addressees: str | None = None,
    today: date | None = None,
) -> dict[str, Any]:
    """Compute and write the circular of [start, end]; record it and open its ledger items."""
    options: dict[str, Any] = {"title": title, "doc_no": doc_no, "deadline": deadline, "today": today}
    if issuer:
        options["issuer"] = issuer
    if addressees:
        options["addressees"] = addressees
    report = _compute(session, start, end, **options)
    if template is not None:
        render.check_template(template, report.context)
    written = write_circular(report, out, template=template)
    record, opened = _record(session, report, actor)
    return {
        "circular_id": record.id,
        "title": report.context.title,
        **report.figures,
        "pass_rate_text": report.context.pass_rate_text,
        "deadline": report.deadline.isoformat(),
        "ledger_opened": opened,
        **written.as_json(),
    }


def notices(
    session: Session,
    *,
    start: date,
    end: date,
    out: Path,
    actor: str,
    deadline: date | None = None,
    template: Path | None = None,
    today: date | None = None,
) -> dict[str, Any]:
    """One notice per unit with problems in [start, end]; the items they name become notified.
    The window's circular record (and ledger) is created first when it does not exist yet."""
    existing = ledger_queries.circular_of_window(session, start=start, end=end)
    options: dict[str, Any] = {
        "today": today,
        "deadline": deadline or (existing.deadline if existing else None),
    }
    if existing is not None:
        options.update(title=existing.title, doc_no=existing.doc_no)
    report = _compute(session, start, end, **options)
    if existing is None:
        record, _ = _record(session, report, actor)
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
