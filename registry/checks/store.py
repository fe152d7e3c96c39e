"""Writing checks: a run with its per-account results, findings and relay matches, and the
changes a person's review makes.

The monitor decides (``monitor.check``); this module stores what it decided. A result row
keeps the verdict, its reason, the score and the figures the rules used, so that every
later output reads the judgement instead of deciding again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from registry.bulk import among, insert_rows
from registry.checks.models import CheckResult, CheckRun, Finding, FindingDecision, RelayMatch
from registry.db import utcnow
from registry.errors import NotFound
from registry.timeutil import local_iso
from registry.validation import record_id

RUN_FIELDS = (
    "kind",
    "at",
    "window_from",
    "window_to",
    "sample_rate",
    "seed",
    "profile",
    "thresholds",
    "actor",
    "population",
)
RESULT_FIELDS = (
    "account_id",
    "sample_reason",
    "verdict",
    "score",
    "reason",
    "collection",
    "last_post_at",
    "last_success_at",
    "posts_in_window",
    "original_posts",
    "stats",
)
FINDING_FIELDS = ("rule", "level", "status", "points", "evidence", "observation_id", "origin_id")
BATCH = 50_000
ID_CHUNK = 5_000


def store_run(
    session: Session,
    *,
    run: dict[str, Any],
    results: Sequence[dict[str, Any]],
    relays: Sequence[dict[str, Any]] = (),
) -> int:
    """Write one run, its results (each with a ``findings`` list) and relay matches in bulk."""
    run_id = start_run(session, run=run)
    add_results(session, run_id, results, relays=relays)
    return run_id


def start_run(session: Session, *, run: dict[str, Any]) -> int:
    """Write the run itself; its results follow in batches (``add_results``)."""
    row = {k: run[k] for k in RUN_FIELDS}
    row["started_at"] = run.get("started_at") or utcnow()
    return int(session.execute(insert(CheckRun).returning(CheckRun.id), [row]).scalar_one())


def add_results(
    session: Session, run_id: int, results: Sequence[dict[str, Any]], *, relays: Sequence[dict[str, Any]] = ()
) -> None:
    """Write a batch of a run's results (each with its ``findings``) and relay matches, in bulk
    (COPY on PostgreSQL)."""
    for start in range(0, len(results), BATCH):
        _store_results(session, run_id, results[start : start + BATCH])
    for start in range(0, len(relays), BATCH):
        insert_rows(
            session, _table(RelayMatch), [{"run_id": run_id, **m} for m in relays[start : start + BATCH]]
        )


def _store_results(session: Session, run_id: int, results: Sequence[dict[str, Any]]) -> None:
    rows = [{"run_id": run_id, **{k: r.get(k) for k in RESULT_FIELDS}} for r in results]
    for row in rows:
        row["reason"] = row["reason"] or {}
    insert_rows(session, _table(CheckResult), rows)
    accounts = [r["account_id"] for r in results]
    ids: dict[int, int] = {}
    for start in range(0, len(accounts), ID_CHUNK):
        query = select(CheckResult.account_id, CheckResult.id).where(
            CheckResult.run_id == run_id,
            among(session, CheckResult.account_id, accounts[start : start + ID_CHUNK]),
        )
        ids.update((a, i) for a, i in session.execute(query))
    findings = [
        {
            "run_id": run_id,
            "result_id": ids[r["account_id"]],
            "account_id": r["account_id"],
            **{k: f.get(k) for k in FINDING_FIELDS},
        }
        for r in results
        for f in r.get("findings", ())
    ]
    insert_rows(session, _table(Finding), findings)


def _table(model: Any) -> Any:
    return model.__table__


def get_run(session: Session, run_id: int | str) -> CheckRun:
    text = str(run_id).strip()
    number = record_id(text)
    run = session.get(CheckRun, number) if number else None
    if run is None:
        raise NotFound("检查批次", run_id, "检查")
    return run


def get_finding(session: Session, finding_id: int | str) -> Finding:
    text = str(finding_id).strip()
    number = record_id(text)
    finding = session.get(Finding, number) if number else None
    if finding is None:
        raise NotFound("问题ID", finding_id, "问题")
    return finding


def record_review(
    session: Session,
    finding: Finding,
    *,
    status: str,
    note: str | None,
    actor: str,
    follows: FindingDecision | None = None,
) -> FindingDecision:
    """Append a reviewer's decision on a finding to its history (the caller has checked it is
    allowed); the finding's status and reviewer fields become the decision's. Earlier
    decisions stay as they were."""
    decision = FindingDecision(
        finding_id=finding.id,
        status=status,
        previous=finding.status,
        note=note,
        actor=actor,
        decided_at=utcnow(),
        follows_id=follows.id if follows is not None else None,
    )
    session.add(decision)
    finding.status = status
    finding.review_note = note
    finding.reviewer = actor
    finding.reviewed_at = decision.decided_at
    session.flush()
    return decision


def decisions_of(session: Session, finding_id: int) -> list[dict[str, Any]]:
    """A finding's review history, oldest first (``finding show``'s ``decisions``)."""
    query = (
        select(FindingDecision).where(FindingDecision.finding_id == finding_id).order_by(FindingDecision.id)
    )
    return [
        {
            "id": d.id,
            "status": d.status,
            "previous": d.previous,
            "actor": d.actor,
            "note": d.note,
            "at": local_iso(d.decided_at),
            "follows": d.follows_id,
        }
        for d in session.scalars(query)
    ]


def result_findings(session: Session, result_id: int) -> list[dict[str, Any]]:
    """The findings of one result as the verdict reads them (rule, level, status, points)."""
    return [
        {"rule": f.rule, "level": f.level, "status": f.status, "points": f.points}
        for f in session.scalars(select(Finding).where(Finding.result_id == result_id))
    ]


def set_verdict(
    session: Session,
    result_id: int,
    *,
    verdict: str,
    score: float | None,
    reason: dict[str, Any],
    decision: FindingDecision,
) -> CheckResult:
    """Replace a result's verdict after a review (decided by ``monitor.check.verdict``): only
    through a recorded decision on one of the result's findings."""
    result = session.get(CheckResult, result_id)
    if result is None:
        raise NotFound("检查结果", result_id, "检查结果")
    finding = session.get(Finding, decision.finding_id) if decision.id is not None else None
    if finding is None or finding.result_id != result_id:
        raise ValueError("a verdict changes only through a recorded decision on one of its findings")
    result.verdict, result.score, result.reason = verdict, score, reason
    session.flush()
    return result
