"""Reading stored checks: a run's results and findings as stored, the runs with their verdict
counts, findings for review, and the relay matches of a run.

Nothing here decides or recomputes a verdict: the rows are what the check stored and the
reviews changed. Times are ISO 8601 in Beijing time (the JSON contract); rates are added by
``monitor.check.summary`` with the one pass-rate function.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from registry.checks.models import CheckResult, CheckRun, Finding, KeyRelease, RelayMatch
from registry.checks.store import get_run
from registry.filing.models import Account, Unit
from registry.timeutil import local_iso

VERDICTS = ("qualified", "unqualified", "uncollected")


def finding_row(f: Finding) -> dict[str, Any]:
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
        "origin_id": f.origin_id,
    }


def run_results(
    session: Session, run_id: int | str, *, account_ids: Sequence[int] | None = None
) -> tuple[CheckRun, list[dict[str, Any]]]:
    """The run and its stored results (one dict per account, with its findings), by account id;
    only those of ``account_ids`` when given."""
    run = get_run(session, run_id)
    if account_ids is not None:
        return run, _results(session, run, list(account_ids)) if account_ids else []
    return run, _results(session, run, None)


def _results(session: Session, run: CheckRun, account_ids: list[int] | None) -> list[dict[str, Any]]:
    findings: dict[int, list[dict[str, Any]]] = {}
    f = Finding.__table__.c
    finding_columns = (f.result_id, f.id, f.rule, f.level, f.status, f.points, f.evidence, f.review_note)
    query = select(*finding_columns, f.reviewer, f.reviewed_at, f.origin_id)
    r = CheckResult.__table__.c
    if account_ids is not None:
        query = query.where(
            f.result_id.in_(select(r.id).where(r.run_id == run.id, r.account_id.in_(account_ids)))
        )
    for row in session.execute(query.where(f.run_id == run.id).order_by(f.id)):
        findings.setdefault(row.result_id, []).append(
            {
                "id": row.id,
                "rule": row.rule,
                "level": row.level,
                "status": row.status,
                "points": row.points,
                "evidence": row.evidence,
                "review_note": row.review_note,
                "reviewer": row.reviewer,
                "reviewed_at": local_iso(row.reviewed_at),
                "origin_id": row.origin_id,
            }
        )
    query = (
        select(*r, Account.name.label("account_name"), Account.platform, Unit.name.label("unit_name"))
        .join(Account, Account.id == r.account_id)
        .join(Unit, Unit.id == Account.unit_id)
        .where(r.run_id == run.id)
        .order_by(r.account_id)
    )
    if account_ids is not None:
        query = query.where(r.account_id.in_(account_ids))
    return [
        {
            "account_id": res.account_id,
            "unit": res.unit_name,
            "platform": res.platform,
            "name": res.account_name,
            "verdict": res.verdict,
            "score": res.score,
            "reason": res.reason or {},
            "sample_reason": res.sample_reason,
            "collection": res.collection,
            "last_post_at": local_iso(res.last_post_at),
            "last_success_at": local_iso(res.last_success_at),
            "posts_in_window": res.posts_in_window,
            "original_posts": res.original_posts,
            "stats": res.stats or {},
            "findings": findings.get(res.id, []),
        }
        for res in session.connection().execute(query)
    ]


def failing_first(session: Session, run_id: int, limit: int) -> list[int]:
    """Up to ``limit`` accounts of a run: the unqualified, then the uncollected, then the
    qualified, each by account id."""
    r = CheckResult.__table__.c
    rank = case((r.verdict == "unqualified", 0), (r.verdict == "uncollected", 1), else_=2)
    query = select(r.account_id).where(r.run_id == run_id).order_by(rank, r.account_id).limit(limit)
    return list(session.scalars(query))


def verdict_counts(session: Session, run_ids: Sequence[int] | None = None) -> dict[int, dict[str, int]]:
    """``{run_id: {qualified, unqualified, uncollected}}`` from the stored verdicts."""
    query = select(CheckResult.run_id, CheckResult.verdict, func.count()).group_by(
        CheckResult.run_id, CheckResult.verdict
    )
    if run_ids is not None:
        query = query.where(CheckResult.run_id.in_(list(run_ids)))
    counts: dict[int, dict[str, int]] = {}
    for run_id, verdict, n in session.execute(query):
        counts.setdefault(run_id, dict.fromkeys(VERDICTS, 0))[verdict] = int(n)
    return counts


def all_runs(session: Session) -> list[CheckRun]:
    """Every run, newest first."""
    return list(session.scalars(select(CheckRun).order_by(CheckRun.id.desc())))


def previous_run(session: Session, run: CheckRun) -> CheckRun | None:
    """The latest earlier run of the same kind (for the check report's comparison)."""
    from sqlalchemy import and_, or_

    query = (
        select(CheckRun)
        .where(
            CheckRun.kind == run.kind,
            or_(CheckRun.at < run.at, and_(CheckRun.at == run.at, CheckRun.id < run.id)),
        )
        .order_by(CheckRun.at.desc(), CheckRun.id.desc())
        .limit(1)
    )
    return session.scalar(query)


def sample_reasons(session: Session, run_id: int) -> dict[str, int]:
    query = (
        select(CheckResult.sample_reason, func.count())
        .where(CheckResult.run_id == run_id)
        .group_by(CheckResult.sample_reason)
    )
    return {reason: int(n) for reason, n in session.execute(query)}


def list_findings(
    session: Session,
    *,
    run_id: int | None = None,
    status: str | None = None,
    rule: str | None = None,
    unit_id: int | None = None,
    region: str | None = None,
    once: bool = False,
    unit_ids: Collection[int] | None = None,
    account_id: int | None = None,
) -> list[dict[str, Any]]:
    """Findings with their account, oldest first, optionally of one run, status, rule, unit
    or region (a region code prefix: "62" a province, "6201" a city, a county's six digits).

    A candidate carried over from run to run (``origin_id``) is one candidate: with ``once``
    each is listed once, as its latest finding, with ``first_run_id`` and every ``run_ids`` it
    appeared in."""
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
    if unit_id is not None:
        query = query.where(Account.unit_id == unit_id)
    if region:
        query = query.where(Unit.region_code.startswith(region))
    if unit_ids is not None:  # a user's jurisdiction
        query = query.where(Account.unit_id.in_(list(unit_ids)))
    if account_id is not None:
        query = query.where(Finding.account_id == account_id)
    rows = [
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
            "origin_id": f.origin_id,
        }
        for f, name, platform, unit in session.execute(query)
    ]
    return _once(rows) if once else rows


def _once(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per carried candidate (its latest finding), with the runs it appeared in."""
    chains: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        chains.setdefault(row["origin_id"] or row["id"], []).append(row)
    out = []
    for members in chains.values():
        latest = dict(members[-1])
        latest["first_run_id"] = members[0]["run_id"]
        latest["run_ids"] = [m["run_id"] for m in members]
        out.append(latest)
    return sorted(out, key=lambda r: r["id"])


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


def relay_counts(session: Session, run_id: int) -> list[dict[str, Any]]:
    """Per key release of a run: accounts due, relayed and relayed on time, overall and per
    unit. Accounts the run could not collect are left out: their relays are unknown."""
    query = (
        select(RelayMatch, Unit.name)
        .join(Account, Account.id == RelayMatch.account_id)
        .join(Unit, Unit.id == Account.unit_id)
        .join(
            CheckResult,
            (CheckResult.run_id == RelayMatch.run_id) & (CheckResult.account_id == RelayMatch.account_id),
        )
        .where(RelayMatch.run_id == run_id, CheckResult.collection == "collected")
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
                "units": sorted(rel["units"].values(), key=lambda u: u["unit"]),
            }
        )
    return out


def finding_list(
    session: Session,
    *,
    run: int | None = None,
    status: str | None = None,
    rule: str | None = None,
    unit: str | None = None,
    region: str | None = None,
    unit_ids: Collection[int] | None = None,
) -> list[dict[str, Any]]:
    """The rows of ``govmedia finding list --format json`` and of the workbench's
    ``/api/findings`` (one function, so they cannot drift): the filters as staff type them
    (status and rule as code or Chinese, a unit by name or id, a region code prefix), within
    ``unit_ids`` (a user's jurisdiction) when given; without ``run`` a carried candidate once."""
    from registry import validation
    from registry.filing.units import find_unit
    from registry.vocab import FINDING_STATUS, RULE

    return list_findings(
        session,
        run_id=run,
        status=FINDING_STATUS.code(status, "--status") if status else None,
        rule=RULE.code(rule, "--rule") if rule else None,
        unit_id=find_unit(session, unit, "--unit").id if unit else None,
        region=validation.region_prefix(region) if region else None,
        once=run is None,
        unit_ids=unit_ids,
    )
