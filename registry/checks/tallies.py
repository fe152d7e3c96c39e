"""Stored verdicts counted for the workbench's charts: per run, and per run and platform or
region, within a user's jurisdiction. Counts only: the pass rate is computed from them by the
one pass-rate function (``monitor.figures``); nothing is judged again."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from registry.checks.models import CheckResult, CheckRun
from registry.filing.models import Account, Unit

VERDICTS = ("qualified", "unqualified", "uncollected")
GROUPS = ("platform", "region")


def recent_runs(session: Session, limit: int = 12) -> list[CheckRun]:
    """The latest runs by check time, oldest first (for a trend)."""
    query = select(CheckRun).order_by(CheckRun.at.desc(), CheckRun.id.desc()).limit(limit)
    return list(reversed(list(session.scalars(query))))


def verdict_tallies(
    session: Session,
    run_ids: Sequence[int],
    *,
    unit_ids: Collection[int] | None = None,
    by: str | None = None,
) -> dict[int, dict[str, dict[str, int]]]:
    """``{run_id: {group: {verdict: n}}}``: the group is "" without ``by``, the platform code
    with ``by="platform"``, the 市州 (first four digits of the region code + "00") with
    ``by="region"``. ``unit_ids`` keeps a user's jurisdiction."""
    if not run_ids:
        return {}
    groups: list[Any] = []
    if by == "platform":
        groups = [Account.platform]
    elif by == "region":
        groups = [func.substr(Unit.region_code, 1, 4)]
    query = (
        select(CheckResult.run_id, CheckResult.verdict, func.count(), *groups)
        .join(Account, Account.id == CheckResult.account_id)
        .join(Unit, Unit.id == Account.unit_id)
        .where(CheckResult.run_id.in_(list(run_ids)))
        .group_by(CheckResult.run_id, CheckResult.verdict, *groups)
    )
    if unit_ids is not None:
        query = query.where(Account.unit_id.in_(list(unit_ids)))
    out: dict[int, dict[str, dict[str, int]]] = {}
    for run_id, verdict, n, *rest in session.execute(query):
        key = rest[0] if rest else ""
        name = f"{key}00" if by == "region" and key else str(key or "")
        bucket = out.setdefault(run_id, {}).setdefault(name, dict.fromkeys(VERDICTS, 0))
        bucket[verdict] = bucket.get(verdict, 0) + int(n)
    return out


def region_names(session: Session, codes: Collection[str]) -> dict[str, str]:
    """The name of the government unit of each region code (620100 → 兰州市人民政府), when
    the registry has one."""
    if not codes:
        return {}
    query = select(Unit.region_code, Unit.name).where(
        Unit.region_code.in_(list(codes)), Unit.kind == "government", Unit.level.in_(("city", "province"))
    )
    return {code: name for code, name in session.execute(query)}


def result_page(
    session: Session,
    run_id: int,
    *,
    unit_ids: Collection[int] | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """One page of a run's stored results (by account id) within ``unit_ids``, each with its
    findings: the rows of ``registry.checks.queries.run_results`` for a paginated page."""
    from registry.checks.models import Finding
    from registry.checks.queries import finding_row

    query = (
        select(CheckResult, Account.name, Account.platform, Unit.name)
        .join(Account, Account.id == CheckResult.account_id)
        .join(Unit, Unit.id == Account.unit_id)
        .where(CheckResult.run_id == run_id)
        .order_by(CheckResult.account_id)
        .limit(limit)
        .offset(offset)
    )
    if unit_ids is not None:
        query = query.where(Account.unit_id.in_(list(unit_ids)))
    page = list(session.execute(query))
    findings: dict[int, list[dict[str, Any]]] = {}
    ids = [res.id for res, *_ in page]
    if ids:
        for f in session.scalars(select(Finding).where(Finding.result_id.in_(ids)).order_by(Finding.id)):
            findings.setdefault(f.result_id, []).append(finding_row(f))
    return [
        {
            "account_id": res.account_id,
            "unit": unit,
            "platform": platform,
            "name": name,
            "verdict": res.verdict,
            "score": res.score,
            "findings": findings.get(res.id, []),
        }
        for res, name, platform, unit in page
    ]
