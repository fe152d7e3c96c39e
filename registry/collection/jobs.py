"""What a crawl reads: the accounts to collect, and each platform's request budget of the day."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry import validation as v
from registry.collection.models import AccountSnapshot, RequestBudget
from registry.errors import NotFound
from registry.filing.models import Account, Unit
from registry.filing.units import find_unit

JOB_KEYS = (
    "account_id",
    "platform",
    "platform_id",
    "name",
    "unit",
    "url",
    "feed_url",
    "selectors",
    "status",
    "fakeid",
)


def crawl_jobs(
    session: Session,
    *,
    account_ids: Sequence[int] = (),
    platform: str | None = None,
    unit: str | None = None,
) -> list[dict[str, Any]]:
    """The accounts a crawl collects, as plain dicts (``JOB_KEYS``), ordered by id.

    Named accounts are collected whatever their status; otherwise only filed (active)
    accounts, optionally of one platform and/or one unit. Unknown ids raise NotFound.
    """
    query = select(Account, Unit.name).join(Unit, Account.unit_id == Unit.id).order_by(Account.id)
    if account_ids:
        query = query.where(Account.id.in_(list(account_ids)))
    else:
        query = query.where(Account.status == "active")
    if platform:
        query = query.where(Account.platform == v.platform(platform))
    if unit:
        query = query.where(Account.unit_id == find_unit(session, unit).id)
    jobs = [
        {
            "account_id": a.id,
            "platform": a.platform,
            "platform_id": a.platform_id,
            "name": a.name,
            "unit": unit_name,
            "url": a.url,
            "feed_url": a.feed_url,
            "selectors": a.selectors,
            "status": a.status,
        }
        for a, unit_name in session.execute(query)
    ]
    _known_fakeids(session, jobs)
    if account_ids:
        known = set(session.scalars(select(Account.id).where(Account.id.in_(list(account_ids)))))
        missing = sorted(set(account_ids) - known)
        if missing:
            raise NotFound("账号ID", missing[0], "账号")
    return jobs


def _known_fakeids(session: Session, jobs: list[dict[str, Any]]) -> None:
    """A WeChat account filed by its gh_ id is found by name once; the fakeid (__biz) that
    search returned is kept in its snapshots and used from then on, so a later rename on the
    platform does not lose the account."""
    for job in jobs:
        job["fakeid"] = None
    wanted = {
        j["account_id"]: j for j in jobs if j["platform"] == "wechat" and j["platform_id"].startswith("gh_")
    }
    if not wanted:
        return
    rows = session.execute(
        select(AccountSnapshot.account_id, AccountSnapshot.extra)
        .where(AccountSnapshot.account_id.in_(list(wanted)))
        .order_by(AccountSnapshot.account_id, AccountSnapshot.at.desc())
    )
    for account_id, extra in rows:
        job = wanted[account_id]
        if job["fakeid"] is None and isinstance(extra, dict) and extra.get("fakeid"):
            job["fakeid"] = str(extra["fakeid"])


def budget_used(session: Session, *, platform: str, day: date) -> int:
    """Requests already spent on ``platform`` on ``day``."""
    used = session.scalar(
        select(RequestBudget.used).where(RequestBudget.platform == platform, RequestBudget.day == day)
    )
    return int(used or 0)


def add_budget_use(session: Session, *, platform: str, day: date, count: int) -> int:
    """Add ``count`` requests to the day's tally; return the new total."""
    row = session.scalar(
        select(RequestBudget)
        .where(RequestBudget.platform == platform, RequestBudget.day == day)
        .with_for_update()
    )
    if row is None:
        row = RequestBudget(platform=platform, day=day, used=0)
        session.add(row)
    row.used = (row.used or 0) + count
    session.flush()
    return row.used
