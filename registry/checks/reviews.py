"""What people decided before, as later checks read it: remembered decisions on pairs of
accounts (重复开设) and the review history of judgement findings per post.

- ``duplicate_decisions``: a person's call on two accounts of one unit on one platform,
  ``confirmed`` (重复建设) or ``dismissed`` (确有必要, e.g. a 服务号 beside a 订阅号), kept per
  pair (lowest id first) so that later checks do not ask again; a new decision replaces it.
- ``judgement_history``: every earlier finding of the judgement rules (candidates a person
  must confirm) for some accounts, with the posts it named, its status and its origin, so that
  a post dismissed once is not raised again and a pending candidate carries over.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.checks.models import CheckRun, DuplicateDecision, Finding
from registry.db import utcnow

CHUNK = 5_000


class PriorFinding(NamedTuple):
    id: int
    run_id: int
    run_at: datetime
    account_id: int
    rule: str
    status: str
    post_ids: tuple[int, ...]
    origin_id: int | None
    reviewer: str | None
    review_note: str | None
    reviewed_at: datetime | None


def pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def duplicate_decisions(session: Session) -> dict[tuple[int, int], str]:
    """``{(lower id, higher id): confirmed/dismissed}`` of every remembered pair."""
    query = select(DuplicateDecision.account_id, DuplicateDecision.other_id, DuplicateDecision.status)
    return {(a, b): status for a, b, status in session.execute(query)}


def record_duplicate_decisions(
    session: Session,
    pairs: Sequence[tuple[int, int]],
    *,
    status: str,
    note: str | None,
    actor: str,
    finding_id: int | None,
) -> int:
    """Remember a decision for each pair (replacing an earlier one); returns how many."""
    now = utcnow()
    for a, b in {pair(a, b) for a, b in pairs}:
        row = session.scalar(
            select(DuplicateDecision).where(
                DuplicateDecision.account_id == a, DuplicateDecision.other_id == b
            )
        )
        if row is None:
            row = DuplicateDecision(account_id=a, other_id=b)
            session.add(row)
        row.status, row.note, row.actor, row.decided_at, row.finding_id = status, note, actor, now, finding_id
    session.flush()
    return len(pairs)


def post_ids_of(evidence: dict[str, Any] | None) -> tuple[int, ...]:
    """The posts a finding names: ``post_ids`` when stored, else those of ``posts``."""
    evidence = evidence or {}
    ids = evidence.get("post_ids")
    if ids is None:
        ids = [p.get("post_id") for p in evidence.get("posts") or [] if isinstance(p, dict)]
    return tuple(sorted({int(i) for i in ids if isinstance(i, int)}))


def judgement_history(
    session: Session, *, rules: Sequence[str], account_ids: Sequence[int]
) -> list[PriorFinding]:
    """Earlier findings of ``rules`` for the accounts, oldest first."""
    out: list[PriorFinding] = []
    ids = sorted(set(account_ids))
    for start in range(0, len(ids), CHUNK):
        query = (
            select(Finding, CheckRun.at)
            .join(CheckRun, CheckRun.id == Finding.run_id)
            .where(Finding.rule.in_(list(rules)), Finding.account_id.in_(ids[start : start + CHUNK]))
            .where(Finding.observation_id.is_(None))
            .order_by(Finding.id)
        )
        for f, run_at in session.execute(query):
            out.append(
                PriorFinding(
                    f.id,
                    f.run_id,
                    run_at,
                    f.account_id,
                    f.rule,
                    f.status,
                    post_ids_of(f.evidence),
                    f.origin_id,
                    f.reviewer,
                    f.review_note,
                    f.reviewed_at,
                )
            )
    out.sort(key=lambda p: p.id)
    return out


def chain(session: Session, finding: Finding) -> list[Finding]:
    """The findings that carry the same candidate as ``finding`` (its origin and every finding
    carried from it), oldest first."""
    root = finding.origin_id or finding.id
    query = select(Finding).where((Finding.id == root) | (Finding.origin_id == root)).order_by(Finding.id)
    return list(session.scalars(query))


def pending_duplicates(session: Session, *, run_id: int, account_ids: Sequence[int]) -> list[Finding]:
    """Candidate duplicate-account findings of a run for some accounts."""
    query = select(Finding).where(
        Finding.run_id == run_id,
        Finding.rule == "duplicate_account",
        Finding.status == "candidate",
        Finding.account_id.in_(sorted(set(account_ids))),
    )
    return list(session.scalars(query))
