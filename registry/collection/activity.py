"""Collection activity: what each source establishes about an account, in one definition.

The check (is the account 未能采集?) and the early-warning pass (how long has it been silent?)
both read this module, so they can never disagree about an account.

- A **crawl** records an attempt with its outcome. ``ok`` and ``empty`` are successful
  collections at the moment of the attempt: the platform showed the account's posts in full
  (or showed that it has none). ``blocked``, ``auth_expired``, ``gone`` and ``error`` are
  attempts that collected nothing; they never mean "no posts".
- A **post import** (``govmedia post import``) records an attempt of source ``import``: the
  file's posts prove that the account published them, and the import counts as a successful
  collection at the moment of the import.
- An **inspector's record** (``govmedia observe import``) is a finding about the account, not
  a collection of its posts: it establishes nothing here.

Times are when data arrived (the attempt's ``at``), never publication times.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from registry.collection.models import SUCCESS_OUTCOMES, CrawlAttempt, Post


@dataclass(frozen=True)
class Activity:
    """One account's collection, as of a moment: latest success, latest attempt and its outcome."""

    last_success: datetime | None = None
    last_attempt: datetime | None = None
    last_outcome: str | None = None


def collection_activity(session: Session, *, until: datetime) -> dict[int, Activity]:
    """Per account with any attempt up to ``until``: its latest successful collection and its
    latest attempt (with the outcome)."""
    success = dict(
        session.execute(
            select(CrawlAttempt.account_id, func.max(CrawlAttempt.at))
            .where(CrawlAttempt.outcome.in_(SUCCESS_OUTCOMES), CrawlAttempt.at <= until)
            .group_by(CrawlAttempt.account_id)
        ).all()
    )
    latest = (
        select(CrawlAttempt.account_id, func.max(CrawlAttempt.id).label("id"))
        .where(CrawlAttempt.at <= until)
        .group_by(CrawlAttempt.account_id)
        .subquery()
    )
    out: dict[int, Activity] = {}
    for aid, when, outcome in session.execute(
        select(CrawlAttempt.account_id, CrawlAttempt.at, CrawlAttempt.outcome).join(
            latest, and_(latest.c.id == CrawlAttempt.id)
        )
    ):
        out[aid] = Activity(_aware(success.get(aid)), when, outcome)
    return out


def last_post_times(session: Session, *, until: datetime) -> dict[int, datetime]:
    """The latest publication time per account, up to ``until``."""
    query = (
        select(Post.account_id, func.max(Post.published_at))
        .where(Post.published_at <= until)
        .group_by(Post.account_id)
    )
    return {a: t for a, t in ((a, _aware(t)) for a, t in session.execute(query)) if t is not None}


def _aware(value: datetime | str | None) -> datetime | None:
    """Aggregates bypass the column type on SQLite: restore a UTC-aware datetime."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
