"""Unattended operation: scheduled job runs, job leases and early-warning alerts sent.

A job run is recorded from start to end with its status and error; a lease row with an
expiry keeps a job from running twice at once, also across processes on one database; an
alert row records one delivery of one escalation step for one silence of one account.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from registry.db import Base, UTCDateTime, utcnow

JOB_STATUSES = ("running", "ok", "failed", "skipped", "interrupted")
ALERT_STATUSES = ("sent", "failed")


class JobRun(Base):
    """One run of one scheduled job (定时任务运行记录)."""

    __tablename__ = "job_runs"
    __table_args__ = (Index("ix_job_runs_job_started", "job", "started_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job: Mapped[str] = mapped_column(String(40), comment="任务名")
    trigger: Mapped[str] = mapped_column(String(16), default="schedule", comment="schedule/startup/once")
    key: Mapped[str | None] = mapped_column(String(64), comment="任务对象，如通报的检查窗口")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, comment="开始时间")
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), comment="结束时间")
    status: Mapped[str] = mapped_column(
        String(16), default="running", comment="running/ok/failed/skipped/interrupted"
    )
    error: Mapped[str | None] = mapped_column(Text, comment="错误说明")
    summary: Mapped[str | None] = mapped_column(Text, comment="结果摘要")
    holder: Mapped[str | None] = mapped_column(String(120), comment="执行进程（主机:进程号）")


class JobLease(Base):
    """Who may run a job now: one row per job, taken over only after it expires."""

    __tablename__ = "job_leases"

    job: Mapped[str] = mapped_column(String(40), primary_key=True, comment="任务名")
    holder: Mapped[str] = mapped_column(String(120), comment="持有进程（主机:进程号:随机码）")
    acquired_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), comment="到期时间")


class AlertSent(Base):
    """One delivery of one escalation step of one silence (无更新预警发送记录)."""

    __tablename__ = "alerts_sent"
    __table_args__ = (
        UniqueConstraint("account_id", "step", "silence_since", "channel", "recipient"),
        Index("ix_alerts_sent_at", "sent_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id"), index=True, comment="账号（测试消息为空）"
    )
    step: Mapped[str] = mapped_column(String(16), comment="operator/leader/centre/test")
    days: Mapped[int] = mapped_column(Integer, default=0, comment="无更新天数")
    silence_since: Mapped[datetime | None] = mapped_column(
        UTCDateTime(), comment="本次沉默的起点（最后一条发布的时间）"
    )
    channel: Mapped[str] = mapped_column(String(16), comment="email/generic/wecom/dingtalk")
    recipient: Mapped[str] = mapped_column(String(300), comment="收件人或回调地址（已隐去密钥）")
    recipient_name: Mapped[str | None] = mapped_column(String(64), comment="收件人姓名")
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, comment="发送时间")
    status: Mapped[str] = mapped_column(String(16), default="sent", comment="sent/failed")
    error: Mapped[str | None] = mapped_column(Text, comment="失败原因")
    subject: Mapped[str | None] = mapped_column(Text, comment="标题")
