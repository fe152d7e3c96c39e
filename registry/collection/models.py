"""Collected data: crawl outcomes, posts and platform-side account snapshots.

A failed crawl is not an inactive account: every collection attempt is stored with its
outcome and evidence, and posts are only ever written from real, well-formed answers.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    bindparam,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from registry.db import Base, UTCDateTime, utcnow

OUTCOMES = ("ok", "empty", "blocked", "auth_expired", "gone", "error")
SUCCESS_OUTCOMES = ("ok", "empty")


def succeeded() -> Any:
    """``outcome IN ('ok', 'empty')`` with the values written out, so that the planner can use
    the partial index of successful collections (``ix_crawl_attempts_success``)."""
    return CrawlAttempt.outcome.in_(
        bindparam("successes", SUCCESS_OUTCOMES, expanding=True, literal_execute=True)
    )


class CrawlAttempt(Base):
    """One account's collection outcome in one crawl (or one import / observation)."""

    __tablename__ = "crawl_attempts"
    __table_args__ = (
        Index("ix_crawl_attempts_account_at", "account_id", "at"),
        # who was collected lately (status, alerts): one probe per account, successes only
        Index(
            "ix_crawl_attempts_success",
            "account_id",
            "at",
            sqlite_where=text("outcome IN ('ok', 'empty')"),
            postgresql_where=text("outcome IN ('ok', 'empty')"),
        ),
        Index("ix_crawl_attempts_source_at", "source", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    crawl_id: Mapped[str | None] = mapped_column(String(64), index=True, comment="采集批次")
    source: Mapped[str] = mapped_column(String(16), default="crawl", comment="crawl/import/observation")
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, comment="数据到达时间")
    outcome: Mapped[str] = mapped_column(String(16), comment="ok/empty/blocked/auth_expired/gone/error")
    http_status: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[str | None] = mapped_column(Text, comment="说明")
    snippet: Mapped[str | None] = mapped_column(Text, comment="响应片段（证据）")
    new_posts: Mapped[int] = mapped_column(Integer, default=0)


class Post(Base):
    """A published item, upserted by (account, platform post id).

    A platform that shows only a date ("11-23", "昨天") or a relative form ("3小时前") gives a
    span, not an instant: ``published_at`` is the earliest and ``published_latest`` the latest
    moment the post can have been published, and ``published_approx`` says the time is not
    exact. An exact time has both columns equal."""

    __tablename__ = "posts"
    __table_args__ = (
        UniqueConstraint("account_id", "post_id"),
        Index("ix_posts_account_published", "account_id", "published_at"),
        # an account's newest post and its posts in a span, read from the index alone
        Index(
            "ix_posts_account_newest", "account_id", "published_latest", "published_at", "published_approx"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    post_id: Mapped[str] = mapped_column(String(128), comment="平台内容ID")
    title: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str | None] = mapped_column(Text, comment="纯文本")
    url: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    published_approx: Mapped[bool] = mapped_column(
        Boolean, default=False, comment="发布时间不精确（published_at 为最早可能时间）"
    )
    published_latest: Mapped[datetime | None] = mapped_column(
        UTCDateTime(), comment="最晚可能的发布时间（时间精确时等于 published_at）"
    )
    is_repost: Mapped[bool | None] = mapped_column(Boolean, comment="平台标记的转发/转载")
    source: Mapped[str | None] = mapped_column(Text, comment="转载来源账号")
    pinned: Mapped[bool] = mapped_column(Boolean, default=False, comment="置顶")
    reposts: Mapped[int | None] = mapped_column(BigInteger)
    comments: Mapped[int | None] = mapped_column(BigInteger)
    likes: Mapped[int | None] = mapped_column(BigInteger)
    reads: Mapped[int | None] = mapped_column(BigInteger)
    extra: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    origin: Mapped[str] = mapped_column(String(16), default="crawl", comment="crawl/import")


class AccountSnapshot(Base):
    """What the platform showed about an account at one crawl (name, followers, verified)."""

    __tablename__ = "account_snapshots"
    __table_args__ = (Index("ix_account_snapshots_account_at", "account_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    shown_name: Mapped[str | None] = mapped_column(String(200), comment="平台显示名称")
    followers: Mapped[int | None] = mapped_column(BigInteger)
    posts_count: Mapped[int | None] = mapped_column(BigInteger)
    verified: Mapped[bool | None] = mapped_column(Boolean)
    verified_reason: Mapped[str | None] = mapped_column(Text)
    extra: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class RequestBudget(Base):
    """Requests spent on one platform on one day (Beijing time), against its daily budget."""

    __tablename__ = "request_budgets"
    __table_args__ = (UniqueConstraint("platform", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(24), comment="平台代码（或 feed/html）")
    day: Mapped[date] = mapped_column(Date, comment="北京时间日期")
    used: Mapped[int] = mapped_column(Integer, default=0, comment="已用请求数")
