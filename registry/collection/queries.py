"""Reading what was collected: a crawl's outcomes, and one account's attempts, snapshots and
posts (with their evidence)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.collection.models import AccountSnapshot, CrawlAttempt, Post
from registry.collection.store import POST_FIELDS


def crawl_outcomes(session: Session, crawl_id: str) -> list[dict[str, Any]]:
    """The outcomes stored for one crawl: ``{account_id, outcome, new_posts, detail}``."""
    rows = session.scalars(
        select(CrawlAttempt)
        .where(CrawlAttempt.crawl_id == crawl_id)
        .order_by(CrawlAttempt.account_id, CrawlAttempt.id)
    )
    return [
        {"account_id": r.account_id, "outcome": r.outcome, "new_posts": r.new_posts, "detail": r.detail}
        for r in rows
    ]


def account_attempts(session: Session, account_id: int) -> list[dict[str, Any]]:
    """Every collection attempt of one account, oldest first, with its evidence."""
    rows = session.scalars(
        select(CrawlAttempt).where(CrawlAttempt.account_id == account_id).order_by(CrawlAttempt.id)
    )
    return [
        {
            "crawl_id": r.crawl_id,
            "source": r.source,
            "at": r.at,
            "outcome": r.outcome,
            "http_status": r.http_status,
            "detail": r.detail,
            "snippet": r.snippet,
            "new_posts": r.new_posts,
        }
        for r in rows
    ]


def account_snapshots(session: Session, account_id: int) -> list[dict[str, Any]]:
    """What the platform showed about one account at each crawl, oldest first."""
    rows = session.scalars(
        select(AccountSnapshot).where(AccountSnapshot.account_id == account_id).order_by(AccountSnapshot.id)
    )
    return [
        {
            "at": r.at,
            "shown_name": r.shown_name,
            "followers": r.followers,
            "posts_count": r.posts_count,
            "verified": r.verified,
            "verified_reason": r.verified_reason,
            "extra": r.extra,
        }
        for r in rows
    ]


def account_posts(session: Session, account_id: int) -> dict[str, dict[str, Any]]:
    """All stored fields of one account's posts, by platform post id."""
    rows = session.scalars(select(Post).where(Post.account_id == account_id))
    return {
        p.post_id: {k: getattr(p, k) for k in ("post_id", *POST_FIELDS, "fetched_at", "origin")} for p in rows
    }
