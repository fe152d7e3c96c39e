"""Storing and reading checks: runs, per-account results, findings and their review.

The monitor computes; this module writes what it computed and reads it back. A run's JSON
(``check_json``) is the CLI contract and what the reports read::

    {run_id, kind, at, window: {from, to}, sampled, qualified, unqualified, uncollected,
     pass_rate, accounts: [{account_id, unit, platform, name, verdict, score,
                            findings: [{id, rule, level, status, evidence}]}]}

Verdict rules (``verdict_of``), applied at the check and again after every review:
an account whose collection failed is ``uncollected`` whatever else is known; otherwise a
*confirmed* veto finding, or a score below the profile's pass mark, makes it
``unqualified``; else it is ``qualified``. Candidate and dismissed findings never count.
``pass_rate`` = qualified / (qualified + unqualified) in percent; uncollected accounts
are reported apart.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from registry.checks.models import CheckResult, CheckRun, Finding, RelayMatch
from registry.db import utcnow
from registry.errors import Conflict, InvalidValue, NotFound
from registry.filing.models import Account, Unit
from registry.timeutil import local_iso

RESULT_FIELDS = (
    "account_id",
    "sample_reason",
    "verdict",
    "score",
    "collection",
    "last_post_at",
    "last_success_at",
    "posts_in_window",
    "original_posts",
    "stats",
)
FINDING_FIELDS = ("rule", "level", "status", "points", "evidence", "observation_id")


def verdict_of(
    collection: str, findings: Iterable[dict[str, Any]], scoring: dict[str, Any] | None
) -> tuple[str, float | None]:
    """(verdict, score) from the collection state and the findings' level/status/points."""
    counted = [f for f in findings if f["status"] == "confirmed"]
    score: float | None = None
    if scoring and scoring.get("enabled"):
        full = float(scoring.get("full", 100))
        lost = sum(float(f.get("points") or 0) for f in counted)
        score = round(max(0.0, full - lost), 2)
    if collection != "collected":
        return "uncollected", score
    if any(f["level"] == "veto" for f in counted):
        return "unqualified", score
    if score is not None and score < float(scoring.get("pass", 60) if scoring else 60):
        return "unqualified", score
    return "qualified", score


def pass_rate(qualified: int, unqualified: int, decimals: int = 2) -> float | None:
    judged = qualified + unqualified
    return round(100.0 * qualified / judged, decimals) if judged else None


def store_run(
    session: Session,
    *,
    run: dict[str, Any],
    results: Sequence[dict[str, Any]],
    relays: Sequence[dict[str, Any]] = (),
) -> int:
    """Write one run, its results (each with a ``findings`` list) and relay matches in bulk."""
    row = {
        k: run[k]
        for k in (
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
    }
    row["started_at"] = run.get("started_at") or utcnow()
    run_id = int(session.execute(insert(CheckRun).returning(CheckRun.id), [row]).scalar_one())
    if results:
        session.execute(
            insert(CheckResult), [{"run_id": run_id, **{k: r.get(k) for k in RESULT_FIELDS}} for r in results]
        )
        ids = dict(
            session.execute(
                select(CheckResult.account_id, CheckResult.id).where(CheckResult.run_id == run_id)
            ).all()
        )
        rows = [
            {
                "run_id": run_id,
                "result_id": ids[r["account_id"]],
                "account_id": r["account_id"],
                **{k: f.get(k) for k in FINDING_FIELDS},
            }
            for r in results
            for f in r.get("findings", ())
        ]
        for start in range(0, len(rows), 50_000):
            session.execute(insert(Finding), rows[start : start + 50_000])
    if relays:
        session.execute(insert(RelayMatch), [{"run_id": run_id, **m} for m in relays])
    return run_id


def get_run(session: Session, run_id: int | str) -> CheckRun:
    text = str(run_id).strip()
    run = session.get(CheckRun, int(text)) if text.isdigit() else None
    if run is None:
        raise NotFound("检查批次", run_id, "检查")
    return run


def _finding_json(f: Finding) -> dict[str, Any]:
    return {
        "id": f.id,
        "rule": f.rule,
        "level": f.level,
        "status": f.status,
        "points": f.points,
        "evidence": f.evidence,
        "review_note": f.review_note,
        "reviewer": f.reviewer,
        "reviewed_at": local_iso(f.reviewed_at),
    }


def check_json(session: Session, run_id: int | str) -> dict[str, Any]:
    """The run as the CLI contract's JSON, reflecting every review made since the run."""
    run = get_run(session, run_id)
    findings: dict[int, list[dict[str, Any]]] = {}
    for f in session.scalars(select(Finding).where(Finding.run_id == run.id).order_by(Finding.id)):
        findings.setdefault(f.result_id, []).append(_finding_json(f))
    query = (
        select(CheckResult, Account.name, Account.platform, Unit.name)
        .join(Account, Account.id == CheckResult.account_id)
        .join(Unit, Unit.id == Account.unit_id)
        .where(CheckResult.run_id == run.id)
        .order_by(CheckResult.account_id)
    )
    accounts = []
    counts = {"qualified": 0, "unqualified": 0, "uncollected": 0}
    for res, name, platform, unit in session.execute(query):
        counts[res.verdict] += 1
        accounts.append(
            {
                "account_id": res.account_id,
                "unit": unit,
                "platform": platform,
                "name": name,
                "verdict": res.verdict,
                "score": res.score,
                "sample_reason": res.sample_reason,
                "collection": res.collection,
                "last_post_at": local_iso(res.last_post_at),
                "posts_in_window": res.posts_in_window,
                "original_posts": res.original_posts,
                "findings": findings.get(res.id, []),
            }
        )
    decimals = int(run.thresholds.get("pass_rate_decimals", 2))
    return {
        "run_id": run.id,
        "kind": run.kind,
        "at": local_iso(run.at),
        "window": {"from": local_iso(run.window_from), "to": local_iso(run.window_to)},
        "profile": run.profile,
        "seed": run.seed,
        "sample_rate": run.sample_rate,
        "population": run.population,
        "sampled": len(accounts),
        **counts,
        "pass_rate": pass_rate(counts["qualified"], counts["unqualified"], decimals),
        "accounts": accounts,
        "relays": relay_summary(session, run.id),
    }


def list_runs(session: Session) -> list[dict[str, Any]]:
    """Every run with its counts, newest first."""
    counts: dict[int, dict[str, int]] = {}
    for run_id, verdict, n in session.execute(
        select(CheckResult.run_id, CheckResult.verdict, func.count()).group_by(
            CheckResult.run_id, CheckResult.verdict
        )
    ):
        counts.setdefault(run_id, {})[verdict] = n
    rows = []
    for run in session.scalars(select(CheckRun).order_by(CheckRun.id.desc())):
        c = counts.get(run.id, {})
        q, u, n = c.get("qualified", 0), c.get("unqualified", 0), c.get("uncollected", 0)
        rows.append(
            {
                "run_id": run.id,
                "kind": run.kind,
                "at": local_iso(run.at),
                "from": local_iso(run.window_from),
                "to": local_iso(run.window_to),
                "profile": run.profile,
                "sampled": q + u + n,
                "qualified": q,
                "unqualified": u,
                "uncollected": n,
                "pass_rate": pass_rate(q, u, int(run.thresholds.get("pass_rate_decimals", 2))),
            }
        )
    return rows


def list_findings(
    session: Session, *, run_id: int | None = None, status: str | None = None, rule: str | None = None
) -> list[dict[str, Any]]:
    query = (
        select(Finding, Account.name, Account.platform, Unit.name)
        .join(Account, Account.id == Finding.account_id)
        .join(Unit, Unit.id == Account.unit_id)
        .order_by(Finding.id)
    )
    if run_id is not None:
        query = query.where(Finding.run_id == run_id)
    if status:
        query = query.where(Finding.status == status)
    if rule:
        query = query.where(Finding.rule == rule)
    return [
        {
            "id": f.id,
            "run_id": f.run_id,
            "account_id": f.account_id,
            "unit": unit,
            "platform": platform,
            "name": name,
            "rule": f.rule,
            "level": f.level,
            "status": f.status,
            "points": f.points,
            "note": (f.evidence or {}).get("note"),
            "evidence": f.evidence,
            "review_note": f.review_note,
            "reviewer": f.reviewer,
            "reviewed_at": local_iso(f.reviewed_at),
        }
        for f, name, platform, unit in session.execute(query)
    ]


def review_finding(
    session: Session, finding_id: int | str, *, status: str, note: str | None, actor: str
) -> Finding:
    """Confirm or dismiss a finding (复核), then recompute its account's verdict and score."""
    if status not in ("confirmed", "dismissed"):
        raise InvalidValue("状态", status, "应为 confirmed 或 dismissed")
    text = str(finding_id).strip()
    finding = session.get(Finding, int(text)) if text.isdigit() else None
    if finding is None:
        raise NotFound("问题ID", finding_id, "问题")
    if status == "dismissed" and not (note and note.strip()):
        raise InvalidValue("复核意见", note or "", "排除问题必须用 --note 说明理由")
    if finding.status == status:
        raise Conflict("问题ID", finding_id, f"该问题已是「{STATUS_LABELS[status]}」状态")
    finding.status = status
    finding.review_note = note.strip() if note and note.strip() else None
    finding.reviewer = actor
    finding.reviewed_at = utcnow()
    session.flush()
    _recompute(session, finding.result_id)
    return finding


STATUS_LABELS = {"candidate": "待复核", "confirmed": "已确认", "dismissed": "已排除"}


def _recompute(session: Session, result_id: int) -> None:
    result = session.get(CheckResult, result_id)
    assert result is not None
    run = session.get(CheckRun, result.run_id)
    assert run is not None
    rows = [
        {"level": f.level, "status": f.status, "points": f.points}
        for f in session.scalars(select(Finding).where(Finding.result_id == result_id))
    ]
    result.verdict, result.score = verdict_of(result.collection, rows, run.thresholds.get("scoring"))


def previous_failures(session: Session, *, before: datetime) -> set[int]:
    """Accounts found unqualified by the latest run whose check time is before ``before``."""
    last = session.scalar(
        select(CheckRun.id)
        .where(CheckRun.at < before)
        .order_by(CheckRun.at.desc(), CheckRun.id.desc())
        .limit(1)
    )
    if last is None:
        return set()
    return set(
        session.scalars(
            select(CheckResult.account_id).where(
                CheckResult.run_id == last, CheckResult.verdict == "unqualified"
            )
        )
    )


def relay_summary(session: Session, run_id: int) -> list[dict[str, Any]]:
    """Per key release: accounts due, relayed, relayed on time, and the rate per unit."""
    from registry.checks.models import KeyRelease

    query = (
        select(RelayMatch, Unit.name)
        .join(Account, Account.id == RelayMatch.account_id)
        .join(Unit, Unit.id == Account.unit_id)
        .where(RelayMatch.run_id == run_id)
    )
    by_release: dict[int, dict[str, Any]] = {}
    for match, unit in session.execute(query):
        rel = by_release.setdefault(match.release_id, {"units": {}, "due": 0, "relayed": 0, "on_time": 0})
        u = rel["units"].setdefault(unit, {"unit": unit, "due": 0, "relayed": 0, "on_time": 0})
        for bucket in (rel, u):
            bucket["due"] += 1
            bucket["relayed"] += match.relayed_at is not None
            bucket["on_time"] += bool(match.on_time)
    out = []
    for release_id, rel in sorted(by_release.items()):
        release = session.get(KeyRelease, release_id)
        assert release is not None
        units = sorted(rel["units"].values(), key=lambda u: u["unit"])
        for u in units:
            u["rate"] = pass_rate(u["on_time"], u["due"] - u["on_time"])
        out.append(
            {
                "release_id": release_id,
                "title": release.title,
                "url": release.url,
                "published_at": local_iso(release.published_at),
                "due_hours": release.due_hours,
                "due": rel["due"],
                "relayed": rel["relayed"],
                "on_time": rel["on_time"],
                "rate": pass_rate(rel["on_time"], rel["due"] - rel["on_time"]),
                "units": units,
            }
        )
    return out
