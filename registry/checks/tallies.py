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
