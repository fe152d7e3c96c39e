"""Tables of discovery and the audit.

- ``DiscoveryQuery``: one search term on one platform, made from the registry (a unit's name,
  a region's account-name form such as 平安城关); its stable id lets a run resume.
- ``DiscoverySearch``: one search of one query in one run, with its outcome. "Searched, no
  unfiled account" (``ok``/``empty``) and "could not search" (``blocked``, ``auth_expired``,
  ``error``) are different results and are kept apart.
- ``DiscoveryCandidate``: an account a search found, keyed by (platform, platform id), never by
  name; its state (candidate → filed / unfiled / not_government / dismissed), the unit it was
  matched to and the latest search answer as evidence.
- ``ContactReview``: a person confirmed an account's 负责人 and phone (年度核查).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from registry.db import Base, UTCDateTime, utcnow


class DiscoveryQuery(Base):
    """A search term on one platform, generated from the registry."""

    __tablename__ = "discovery_queries"
    __table_args__ = (UniqueConstraint("platform", "text"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(24), comment="平台代码")
    text: Mapped[str] = mapped_column(String(200), comment="搜索词")
    region_code: Mapped[str] = mapped_column(String(6), index=True, comment="所属行政区划代码")
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), comment="由哪个单位的名称生成")
    form: Mapped[str] = mapped_column(String(64), comment="生成方式：单位全称/简称或账号名称形式")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class DiscoverySearch(Base):
    """One search of one query in one run, with its outcome and evidence."""

    __tablename__ = "discovery_searches"
    __table_args__ = (Index("ix_discovery_searches_query_at", "query_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    query_id: Mapped[int] = mapped_column(ForeignKey("discovery_queries.id"))
    run_id: Mapped[str] = mapped_column(String(32), index=True, comment="排查批次")
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, comment="搜索时间")
    outcome: Mapped[str] = mapped_column(String(16), comment="ok/empty/blocked/auth_expired/error")
    found: Mapped[int] = mapped_column(Integer, default=0, comment="搜索到的账号数")
    pages: Mapped[int] = mapped_column(Integer, default=0, comment="读取的结果页数")
    passes: Mapped[list[Any]] = mapped_column(JSON, default=list, comment="各搜索范围的结果")
    http_status: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[str | None] = mapped_column(Text, comment="说明")
    snippet: Mapped[str | None] = mapped_column(Text, comment="响应片段（证据）")


class DiscoveryCandidate(Base):
    """An account found by a search, keyed by the platform's stable id."""

    __tablename__ = "discovery_candidates"
    __table_args__ = (UniqueConstraint("platform", "platform_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(24), comment="平台代码")
    platform_id: Mapped[str] = mapped_column(String(200), comment="平台账号ID（稳定标识）")
    name: Mapped[str] = mapped_column(String(200), comment="平台显示名称")
    verified: Mapped[bool | None] = mapped_column(Boolean, comment="平台认证")
    verified_kind: Mapped[str] = mapped_column(String(16), default="none", comment="认证类型代码")
    verified_text: Mapped[str | None] = mapped_column(Text, comment="认证说明或认证主体")
    description: Mapped[str | None] = mapped_column(Text, comment="简介")
    url: Mapped[str | None] = mapped_column(Text, comment="主页链接")
    followers: Mapped[int | None] = mapped_column(BigInteger)
    state: Mapped[str] = mapped_column(
        String(16),
        index=True,
        default="candidate",
        comment="candidate/filed/unfiled/not_government/dismissed",
    )
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True, comment="匹配到的单位")
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), comment="已备案的账号")
    basis: Mapped[str] = mapped_column(String(16), default="none", comment="匹配依据")
    match_note: Mapped[str | None] = mapped_column(Text, comment="匹配说明")
    query_id: Mapped[int | None] = mapped_column(
        ForeignKey("discovery_queries.id"), comment="首次发现它的搜索词"
    )
    found_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, comment="首次发现时间")
    last_seen_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, comment="最近一次搜到的时间"
    )
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, comment="最近一次搜索的原始结果")
    decided_by: Mapped[str | None] = mapped_column(String(64), comment="核实人（自动判定为空）")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), comment="核实时间")
    note: Mapped[str | None] = mapped_column(Text, comment="核实说明")
    filed_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id"), comment="据此补办的备案（discover file）"
    )


class ContactReview(Base):
    """A person confirmed that an account's 负责人 and phone are still right (年度核查)."""

    __tablename__ = "contact_reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, comment="核实时间")
    actor: Mapped[str] = mapped_column(String(64), comment="核实人")
    note: Mapped[str | None] = mapped_column(Text, comment="说明")
