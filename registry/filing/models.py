"""The filing registry (分级备案): units, accounts, their names and the audit trail.

One table per domain object. Collected data (posts, crawl outcomes, snapshots) lives in
``registry.collection_models``; check results in the monitor's own model module.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.db import Base, UTCDateTime, utcnow


class Unit(Base):
    """主办单位: the body named in the platform's verification."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True, comment="单位名称")
    level: Mapped[str] = mapped_column(String(16), comment="级别: province/city/county/township")
    kind: Mapped[str] = mapped_column(
        String(16), default="government", comment="类型: government/department/other"
    )
    region_code: Mapped[str] = mapped_column(String(6), index=True, comment="行政区划代码")
    credit_code: Mapped[str | None] = mapped_column(String(18), unique=True, comment="统一社会信用代码")
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("units.id"), index=True, comment="上级单位（向其备案）"
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("units.id"), index=True, comment="机构改革时并入的单位（其账号已转入该单位）"
    )
    merged_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), comment="并入时间")

    parent: Mapped[Unit | None] = relationship(remote_side=[id], foreign_keys=[parent_id])


class Account(Base):
    """一个政务新媒体账号的备案记录; the platform's stable id is the key, not the name."""

    __tablename__ = "accounts"
    __table_args__ = (UniqueConstraint("platform", "platform_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True, comment="主办单位")
    platform: Mapped[str] = mapped_column(String(24), index=True, comment="平台代码")
    name: Mapped[str] = mapped_column(String(200), index=True, comment="账号名称")
    platform_id: Mapped[str] = mapped_column(String(200), comment="平台账号ID（稳定标识）")
    url: Mapped[str | None] = mapped_column(Text, comment="链接")
    feed_url: Mapped[str | None] = mapped_column(Text, comment="采集地址")
    operator: Mapped[str | None] = mapped_column(String(200), comment="运维单位")
    owner: Mapped[str | None] = mapped_column(String(64), comment="负责人")
    phone: Mapped[str | None] = mapped_column(String(32), comment="负责人联系电话")
    email: Mapped[str | None] = mapped_column(String(200), comment="负责人邮箱")
    leader: Mapped[str | None] = mapped_column(String(64), comment="分管领导")
    leader_phone: Mapped[str | None] = mapped_column(String(32), comment="分管领导电话")
    leader_email: Mapped[str | None] = mapped_column(String(200), comment="分管领导邮箱")
    verified: Mapped[bool | None] = mapped_column(Boolean, comment="平台官方认证")
    status: Mapped[str] = mapped_column(
        String(16), index=True, default="pending", comment="pending/active/closed/cancelled"
    )
    filing_no: Mapped[str | None] = mapped_column(String(40), unique=True, comment="备案编号")
    opened_on: Mapped[date | None] = mapped_column(Date, comment="开设日期")
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, comment="报备时间")
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), comment="备案通过时间")
    status_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, comment="状态变更时间")
    selectors: Mapped[dict[str, Any] | None] = mapped_column(
        JSON, comment="网站/客户端列表页的 CSS/XPath 选择器"
    )
    note: Mapped[str | None] = mapped_column(Text, comment="备注")

    unit: Mapped[Unit] = relationship()


class AccountName(Base):
    """A name an account carried before a rename (曾用名), so it stays searchable."""

    __tablename__ = "account_names"
    __table_args__ = (Index("ix_account_names_name", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    since: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    until: Mapped[datetime | None] = mapped_column(UTCDateTime(), comment="改名时间")


class FilingEvent(Base):
    """Append-only audit trail: who did what to which filing, when, and why."""

    __tablename__ = "filing_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(64), comment="操作人")
    action: Mapped[str] = mapped_column(
        String(16), comment="unit_add/file/import/approve/change/close/cancel"
    )  # also reject/refile/unit_change/unit_merge (registry.vocab.FILING_ACTION)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    reason: Mapped[str | None] = mapped_column(Text, comment="原因")
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, comment="变更内容 {字段: [旧, 新]}")
