"""Collection activity: what each source establishes about an account, in one definition.

The check (is the account 未能采集?) and the early-warning pass (how long has it been silent?)
both read this module, so they can never disagree about an account.

Posts prove activity; only a successful, complete collection proves absence.

- A **crawl** records an attempt with its outcome. ``ok`` and ``empty`` are successful
  collections at the moment of the attempt: the platform showed the account's posts in full
  (or showed that it has none), so a crawl that succeeded is complete for what it fetched.
  ``blocked``, ``auth_expired``, ``gone`` and ``error`` are attempts that collected nothing;
  they never mean "no posts".
- A **post import with** ``--as-of TIME`` (``govmedia post import --as-of``) records an
  attempt of source ``import`` at ``TIME``: the source (an inspector's manual check of the
  account's pages, a complete export) was read in full at that moment, so the imported
  accounts are collected as of ``TIME``, exactly as by a crawl.
- A **post import without** ``--as-of`` (an archive, a partial export) records no attempt: its
  posts prove that the account published them, and establish no collection.
- An **inspector's record** (``govmedia observe import``) is a finding about the account, not
  a collection of its posts: it establishes nothing here (the check counts it as a finding).

Attempts are ordered by their time (``at``, then the order they were recorded), never by
publication times. A post's time is a span (``published_at`` … ``published_latest``); silence
is measured from the latest possible moment of the newest post (``last_posts``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import String, and_, func, select
from sqlalchemy.orm import Session

from registry.bulk import among
from registry.collection.models import CrawlAttempt, Post, succeeded
from registry.filing.models import Account
from registry.timeutil import utc_aware

CHUNK = 5_000  # accounts per IN list


@dataclass(frozen=True)
class Activity:
    """One account's collection, as of a moment: latest success, latest attempt and its outcome."""

    last_success: datetime | None = None
    last_attempt: datetime | None = None
    last_outcome: str | None = None


@dataclass(frozen=True)
class LastPost:
    """An account's newest post up to a moment: the latest moment it can have been published
    (never after that moment), whether its time is approximate, and its span."""

    at: datetime  # the latest possible publication moment, at most ``until``
    approximate: bool
    earliest: datetime
    post_id: int | None = None


def collection_activity(
    session: Session, *, until: datetime, account_ids: Sequence[int] | None = None
) -> dict[int, Activity]:
    """Per account with any attempt up to ``until`` (of the given accounts, or all): its latest
    successful collection and its latest attempt by time (with the outcome)."""
    if account_ids is not None:
        out: dict[int, Activity] = {}
        ids = sorted(set(account_ids))
        for start in range(0, len(ids), CHUNK):
            out.update(_activity(session, until=until, only=ids[start : start + CHUNK]))
        return out
    return _activity(session, until=until, only=None)


def _activity(session: Session, *, until: datetime, only: list[int] | None) -> dict[int, Activity]:
    successes = select(CrawlAttempt.account_id, func.max(CrawlAttempt.at)).where(
        succeeded(), CrawlAttempt.at <= until
    )
    ranked = select(
        CrawlAttempt.account_id,
        CrawlAttempt.at,
        CrawlAttempt.outcome,
        func.row_number()
        .over(partition_by=CrawlAttempt.account_id, order_by=(CrawlAttempt.at.desc(), CrawlAttempt.id.desc()))
        .label("n"),
    ).where(CrawlAttempt.at <= until)
    if only is not None:
        successes = successes.where(among(session, CrawlAttempt.account_id, only))
        ranked = ranked.where(among(session, CrawlAttempt.account_id, only))
    success = dict(session.execute(successes.group_by(CrawlAttempt.account_id)).all())
    latest = ranked.subquery()
    out: dict[int, Activity] = {}
    for aid, when, outcome in session.execute(
        select(latest.c.account_id, latest.c.at, latest.c.outcome).where(latest.c.n == 1)
    ):
        out[aid] = Activity(utc_aware(success.get(aid)), utc_aware(when), outcome)
    return out


def _chunks(account_ids: Sequence[int] | None) -> list[list[int] | None]:
    """The accounts in chunks small enough for an ``IN`` list (all accounts: one ``None``)."""
    if account_ids is None:
        return [None]
    ids = sorted(set(account_ids))
    return [ids[start : start + CHUNK] for start in range(0, len(ids), CHUNK)]


def last_posts(
    session: Session, *, until: datetime, account_ids: Sequence[int] | None = None
) -> dict[int, LastPost]:
    """Per account (of the given accounts, or all), its newest post up to ``until`` by the latest
    possible moment of each post (a post whose span reaches past ``until`` counts as published
    at ``until``)."""
    if session.get_bind().dialect.name == "sqlite":
        return _last_posts_sqlite(session, until=until, account_ids=account_ids)
    latest = func.coalesce(Post.published_latest, Post.published_at)
    out: dict[int, LastPost] = {}
    for only in _chunks(account_ids):
        newest = select(Post.account_id, func.max(latest).label("latest")).where(Post.published_at <= until)
        query = select(Post.account_id, Post.id, Post.published_at, latest, Post.published_approx)
        if only is not None:
            newest = newest.where(among(session, Post.account_id, only))
            query = query.where(among(session, Post.account_id, only))
        table = newest.group_by(Post.account_id).subquery()
        query = query.join(table, and_(table.c.account_id == Post.account_id, table.c.latest == latest))
        for aid, pid, earliest, last, approx in session.execute(query.where(Post.published_at <= until)):
            last_at = min(utc_aware(last) or until, until)
            found = LastPost(last_at, bool(approx), utc_aware(earliest) or last_at, pid)
            held = out.get(aid)
            if held is None or (held.approximate and not found.approximate):  # prefer an exact time on a tie
                out[aid] = found
    return out


def _last_posts_sqlite(
    session: Session, *, until: datetime, account_ids: Sequence[int] | None
) -> dict[int, LastPost]:
    """``last_posts`` in one pass over the covering index ``ix_posts_account_newest``: SQLite
    gives a grouped query's other columns from the row holding the maximum, and the maximum
    ranks by the latest moment, then an exact time before an approximate one (its last
    character). SQLite stores these columns as fixed-width UTC text, so text order is time order."""
    ranked = func.coalesce(Post.published_latest, Post.published_at, type_=String).op(
        "||", return_type=String
    )
    newest = func.max(ranked((1 - Post.published_approx).self_group()), type_=String)
    out: dict[int, LastPost] = {}
    for only in _chunks(account_ids):
        query = select(Post.account_id, Post.id, Post.published_at, newest)
        query = query.where(Post.published_at <= until)
        if only is not None:
            query = query.where(among(session, Post.account_id, only))
        for aid, pid, earliest, top in session.execute(query.group_by(Post.account_id)):
            last_at = min(_utc_text(top[:-1]) or until, until)
            out[aid] = LastPost(last_at, top[-1] == "0", utc_aware(earliest) or last_at, pid)
    return out


def _utc_text(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value).replace(tzinfo=UTC) if value else None


def last_post_times(
    session: Session, *, until: datetime, account_ids: Sequence[int] | None = None
) -> dict[int, datetime]:
    """The latest possible moment of each account's newest post, up to ``until``."""
    return {aid: last.at for aid, last in last_posts(session, until=until, account_ids=account_ids).items()}


def first_post_times(session: Session, *, account_ids: Sequence[int] | None = None) -> dict[int, datetime]:
    """The earliest known publication moment of each account (for its opening)."""
    out: dict[int, datetime] = {}
    for only in _chunks(account_ids):
        query = select(Post.account_id, func.min(Post.published_at))
        if only is not None:
            query = query.where(among(session, Post.account_id, only))
        for a, t in session.execute(query.group_by(Post.account_id)):
            when = utc_aware(t)
            if when is not None:
                out[a] = when
    return out


def quiet_accounts(session: Session, *, since: datetime, until: datetime) -> list[int]:
    """Active accounts with no post that can have been published after ``since`` (by its latest
    possible moment), up to ``until``: the only accounts whose silence at ``until`` can reach
    ``until - since`` (one probe per account of the posts' (account, time) indexes)."""
    later = select(Post.id).where(
        Post.account_id == Account.id,
        Post.published_at <= until,
        Post.published_latest > since,
    )
    undated = select(Post.id).where(
        Post.account_id == Account.id,
        Post.published_at <= until,
        Post.published_latest.is_(None),
        Post.published_at > since,
    )
    query = select(Account.id).where(Account.status == "active", ~later.exists(), ~undated.exists())
    return list(session.scalars(query.order_by(Account.id)))
