"""Distributed crawl cycles: which accounts a cycle collects, who holds each one, and the
workers that hold them.

The database is the truth of a distributed crawl; Redis is only a disposable queue of
messages pointing at rows here. A cycle's account row is leased to one worker at a time
(``holder`` with ``lease_expires_at``, renewed by the worker's heartbeat) and is ``done``
once its outcome is stored (the outcome itself is the cycle's ``crawl_attempts`` row,
``crawl_attempts.crawl_id`` = ``crawl_cycles.crawl_id``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from registry.db import Base, UTCDateTime, utcnow

CYCLE_STATES = ("queued", "leased", "done")


class CrawlCycle(Base):
    """One distributed crawl (采集批次): the accounts enqueued together by ``crawl --distributed``."""

    __tablename__ = "crawl_cycles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    crawl_id: Mapped[str] = mapped_column(String(64), unique=True, comment="采集批次（采集记录的 crawl_id）")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, comment="加入队列的时间")
    created_by: Mapped[str] = mapped_column(String(120), comment="加入队列的进程（主机:进程号:随机码）")
    selection: Mapped[str] = mapped_column(String(300), default="", comment="选择条件（平台、单位、账号）")
    accounts: Mapped[int] = mapped_column(Integer, default=0, comment="账号数")
    finished_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime(), comment="全部账号都有采集结果的时间（未完成为空）"
    )


class CycleAccount(Base):
    """One account of one cycle: queued, leased to a worker, or done (its outcome stored)."""

    __tablename__ = "crawl_cycle_accounts"
    __table_args__ = (
        UniqueConstraint("cycle_id", "account_id"),
        Index("ix_crawl_cycle_accounts_state", "state", "lease_expires_at"),
        Index("ix_crawl_cycle_accounts_holder", "holder"),
        Index("ix_crawl_cycle_accounts_account", "account_id", "state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("crawl_cycles.id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    state: Mapped[str] = mapped_column(String(12), default="queued", comment="queued/leased/done")
    holder: Mapped[str | None] = mapped_column(String(120), comment="持有租约的采集进程")
    leased_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), comment="领取时间")
    lease_expires_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime(), comment="租约到期时间（心跳续期）"
    )
    leases: Mapped[int] = mapped_column(Integer, default=0, comment="已被领取的次数")
    pushed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, comment="最近放入队列的时间")
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), comment="采集结果保存的时间")


class CrawlWorker(Base):
    """A ``govmedia crawl worker`` process and its last heartbeat."""

    __tablename__ = "crawl_workers"

    name: Mapped[str] = mapped_column(String(120), primary_key=True, comment="主机:进程号:随机码")
    host: Mapped[str] = mapped_column(String(64), comment="主机名")
    pid: Mapped[int] = mapped_column(Integer, comment="进程号")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, comment="启动时间")
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, comment="最近一次心跳")
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), comment="正常退出的时间")
    accounts: Mapped[int] = mapped_column(Integer, default=0, comment="已保存采集结果的账号数")
    lease_seconds: Mapped[float] = mapped_column(Float, comment="租约时长（秒）")
    heartbeat_seconds: Mapped[float] = mapped_column(Float, comment="心跳间隔（秒）")
