"""The rectification ledger (整改台账) and the circulars it hangs on.

- ``circulars``: one issued circular (季度通报) per inspection window: title, 发文字号,
  window dates, deadline, who generated it and its headline figures;
- ``ledger_items``: one problem of one account named in a circular (one confirmed
  veto/deduct rule per account), with its life cycle
  ``open`` (立项) → ``notified`` (已反馈, notices sent) → ``rectified`` (已整改, the unit
  reported back) → ``closed`` (已销号, a later check found the problem gone), or
  ``reopened`` (整改未通过, a later check found it again);
- ``ledger_events``: the append-only history of every item: who, when, what, with the
  unit's note and evidence link or the check run that decided it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from registry.db import Base, UTCDateTime, utcnow

ITEM_STATUSES = ("open", "notified", "rectified", "closed", "reopened")


class Circular(Base):
    """一期通报: the window it covers, its 发文字号 and deadline, and its headline figures."""

    __tablename__ = "circulars"
    __table_args__ = (UniqueConstraint("window_from", "window_to"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(Text, comment="标题")
    doc_no: Mapped[str | None] = mapped_column(String(64), comment="发文字号")
    window_from: Mapped[date] = mapped_column(Date, comment="检查窗口起")
    window_to: Mapped[date] = mapped_column(Date, comment="检查窗口止")
    deadline: Mapped[date] = mapped_column(Date, comment="整改期限")
    figures: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, comment="主要数字")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, comment="生成时间")
    actor: Mapped[str] = mapped_column(String(64), comment="操作人")


class LedgerItem(Base):
    """整改台账的一条: one account's one problem, from a circular to its closing."""

    __tablename__ = "ledger_items"
    __table_args__ = (UniqueConstraint("circular_id", "account_id", "rule"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    circular_id: Mapped[int] = mapped_column(ForeignKey("circulars.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    rule: Mapped[str] = mapped_column(String(32), comment="规则代码")
    level: Mapped[str] = mapped_column(String(8), comment="veto/deduct")
    finding_ids: Mapped[list[int]] = mapped_column(JSON, default=list, comment="依据的问题ID")
    description: Mapped[str] = mapped_column(Text, comment="问题描述")
    status: Mapped[str] = mapped_column(
        String(12), index=True, default="open", comment="open/notified/rectified/closed/reopened"
    )
    deadline: Mapped[date] = mapped_column(Date, comment="整改期限")
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, comment="立项时间")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, comment="状态变更时间")
    note: Mapped[str | None] = mapped_column(Text, comment="最近一次整改说明")
    evidence_url: Mapped[str | None] = mapped_column(Text, comment="最近一次佐证链接")


class LedgerEvent(Base):
    """Append-only history of a ledger item."""

    __tablename__ = "ledger_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("ledger_items.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor: Mapped[str] = mapped_column(String(64), comment="操作人")
    action: Mapped[str] = mapped_column(String(12), comment="open/notify/record/close/reopen")
    from_status: Mapped[str | None] = mapped_column(String(12))
    to_status: Mapped[str] = mapped_column(String(12))
    note: Mapped[str | None] = mapped_column(Text, comment="说明")
    evidence_url: Mapped[str | None] = mapped_column(Text, comment="佐证链接")
    run_id: Mapped[int | None] = mapped_column(ForeignKey("check_runs.id"), comment="复核所依据的检查")


class CircularNumber(Base):
    """发文字号: one number of the office's yearly sequence, held by one circular for good
    (regenerating the circular of a window keeps its number)."""

    __tablename__ = "circular_numbers"
    __table_args__ = (UniqueConstraint("year", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    circular_id: Mapped[int] = mapped_column(ForeignKey("circulars.id"), unique=True, comment="通报")
    year: Mapped[int] = mapped_column(Integer, comment="年度（成文日期所在年）")
    seq: Mapped[int] = mapped_column(Integer, comment="年度内序号")
    doc_no: Mapped[str] = mapped_column(String(64), comment="发文字号（按当时的格式）")
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, comment="编号时间")
    actor: Mapped[str] = mapped_column(String(64), comment="操作人")
