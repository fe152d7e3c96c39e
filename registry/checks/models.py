"""Check results (抽查、检查): runs, per-account verdicts, findings and what they rest on.

Tables written by the monitor through ``registry.checks`` and read by the reports:

- ``check_runs``: one check (周抽查 weekly, 月检查 monthly, adhoc) at a check time ``at``
  over a content window, with the sample seed and the profile's thresholds it used;
- ``check_results``: one row per checked account: why it was sampled, its verdict
  (``qualified`` / ``unqualified`` / ``uncollected``), its score when the profile has one,
  and the figures the rules computed (``stats``);
- ``findings``: one problem of one account in one run, with its rule code, level
  (``veto`` / ``deduct`` / ``warn`` / ``info``), review status (``candidate`` /
  ``confirmed`` / ``dismissed``), reviewer and note, and its evidence;
- ``finding_decisions``: every review decision on a finding, appended (a finding's status is
  its latest decision's).

Evidence is a JSON object of this documented shape (keys absent when not relevant)::

    {"posts": [{"post_id": int, "title": str, "url": str, "published_at": "ISO +08:00",
                "approximate": true, "published_latest": "ISO +08:00"}],   # the last two if approximate
     "post_ids": [int],                  # every post a judgement finding names
     "last_post_at": "ISO +08:00" | null,  # the latest possible moment of the newest post
     "last_post_approximate": true, "last_post_earliest": "ISO +08:00",
     "opened_at": "ISO +08:00", "opening_basis": "opened_on" | "first_post" | "filed",
     "metrics": {name: number},          # what the rule measured (idle_days, whole_days, …)
     "threshold": {name: number},        # the profile's bar it compared against
     "accounts": [int],                  # other accounts involved (duplicates, clusters)
     "pending_pairs": [int], "reasons": {account id: reason},   # duplicates awaiting a person
     "matches": [{"phrase", "kind", "correct", "post_id"}],   # lexicon hits
     "carried": {"finding_id", "run_id", "status", …},         # an earlier review carried over
     "note": "一句中文说明"}

Lexicon entries, key releases (转载任务) with their target units, relay matches per run,
inspectors' observations, and the near-duplicate index (exact hash and LSH band keys per
post) complete the monitor's data.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from registry.db import Base, UTCDateTime, utcnow

RUN_KINDS = ("weekly", "monthly", "adhoc")
VERDICTS = ("qualified", "unqualified", "uncollected")
LEVELS = ("veto", "deduct", "warn", "info")
STATUSES = ("candidate", "confirmed", "dismissed")
LEXICON_KINDS = ("serious", "illegal", "sensitive", "entertainment", "ad")


class CheckRun(Base):
    """一次检查: kind, check time, content window, sample seed and profile."""

    __tablename__ = "check_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), comment="weekly/monthly/adhoc")
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True, comment="监测时间点")
    window_from: Mapped[datetime] = mapped_column(UTCDateTime(), comment="内容窗口起")
    window_to: Mapped[datetime] = mapped_column(UTCDateTime(), comment="内容窗口止")
    sample_rate: Mapped[float | None] = mapped_column(Float, comment="抽样比例")
    seed: Mapped[int] = mapped_column(BigInteger, comment="抽样随机种子")
    profile: Mapped[str] = mapped_column(String(200), comment="指标方案名称或路径")
    thresholds: Mapped[dict[str, Any]] = mapped_column(JSON, comment="本次使用的指标方案全文")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, comment="运行时间")
    actor: Mapped[str] = mapped_column(String(64), comment="操作人")
    population: Mapped[int] = mapped_column(Integer, default=0, comment="可抽查账号总数")


class CheckResult(Base):
    """一个账号在一次检查中的结论。"""

    __tablename__ = "check_results"
    __table_args__ = (UniqueConstraint("run_id", "account_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("check_runs.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    sample_reason: Mapped[str] = mapped_column(
        String(16), comment="full_class/recheck/sampled/all（全检类别/复核/抽中/全部）"
    )
    verdict: Mapped[str] = mapped_column(String(16), index=True, comment="qualified/unqualified/uncollected")
    score: Mapped[float | None] = mapped_column(Float, comment="得分（方案定义时）")
    reason: Mapped[dict[str, Any]] = mapped_column(
        JSON, default=dict, comment="结论依据 {basis: veto/score/collection/passed, …}"
    )
    collection: Mapped[str] = mapped_column(
        String(16), comment="采集状态 collected/never/failed（正常/从未采集/采集失败）"
    )
    last_post_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), comment="监测时间点前最近发布")
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), comment="最近成功采集")
    posts_in_window: Mapped[int] = mapped_column(Integer, default=0, comment="窗口内发布数")
    original_posts: Mapped[int] = mapped_column(Integer, default=0, comment="窗口内原创数")
    stats: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, comment="规则计算的指标")


class Finding(Base):
    """一条问题: rule, level, review status and evidence."""

    __tablename__ = "findings"
    __table_args__ = (
        Index("ix_findings_run_status", "run_id", "status"),
        Index("ix_findings_status", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("check_runs.id"))
    result_id: Mapped[int] = mapped_column(ForeignKey("check_results.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    rule: Mapped[str] = mapped_column(String(32), index=True, comment="规则代码")
    level: Mapped[str] = mapped_column(String(8), comment="veto/deduct/warn/info")
    status: Mapped[str] = mapped_column(String(12), comment="candidate/confirmed/dismissed")
    points: Mapped[float | None] = mapped_column(Float, comment="扣分")
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, comment="证据")
    observation_id: Mapped[int | None] = mapped_column(ForeignKey("observations.id"))
    origin_id: Mapped[int | None] = mapped_column(
        ForeignKey("findings.id"), index=True, comment="延续的待复核问题（首次提出的问题ID）"
    )
    review_note: Mapped[str | None] = mapped_column(Text, comment="复核意见")
    reviewer: Mapped[str | None] = mapped_column(String(64), comment="复核人")
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), comment="复核时间")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class LexiconEntry(Base):
    """词库条目: a wrong formulation (with its correct form), a sensitive word, an
    entertainment marker or an advertising marker."""

    __tablename__ = "lexicon_entries"
    __table_args__ = (UniqueConstraint("phrase", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    phrase: Mapped[str] = mapped_column(String(200), comment="词语")
    kind: Mapped[str] = mapped_column(String(16), comment="serious/sensitive/entertainment/ad")
    correct: Mapped[str | None] = mapped_column(String(200), comment="正确表述")
    source: Mapped[str] = mapped_column(String(16), default="user", comment="starter/user/import")
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))


class KeyRelease(Base):
    """转载任务: an upstream release that subordinate accounts must relay by a deadline."""

    __tablename__ = "key_releases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(Text, comment="标题")
    url: Mapped[str] = mapped_column(Text, comment="原文链接")
    text: Mapped[str] = mapped_column(Text, comment="正文")
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), comment="发布时间")
    due_hours: Mapped[int] = mapped_column(Integer, comment="转载时限（小时）")
    exact_hash: Mapped[int] = mapped_column(BigInteger, comment="规范化正文的 xxh3 哈希")
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))


class KeyReleaseUnit(Base):
    """A unit whose accounts must relay a key release (none listed: every account)."""

    __tablename__ = "key_release_units"

    release_id: Mapped[int] = mapped_column(ForeignKey("key_releases.id"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)


class RelayMatch(Base):
    """Whether and when one account relayed one key release, as found by one run."""

    __tablename__ = "relay_matches"
    __table_args__ = (UniqueConstraint("run_id", "release_id", "account_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("check_runs.id"), index=True)
    release_id: Mapped[int] = mapped_column(ForeignKey("key_releases.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id"), comment="转载的内容")
    relayed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), comment="转载时间")
    similarity: Mapped[float | None] = mapped_column(Float, comment="Jaccard 相似度")
    on_time: Mapped[bool] = mapped_column(Boolean, default=False, comment="在时限内转载")


class Observation(Base):
    """人工检查记录: what an inspector saw (no interaction, an ad, a misstatement)."""

    __tablename__ = "observations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    rule: Mapped[str] = mapped_column(String(32), comment="规则代码")
    level: Mapped[str | None] = mapped_column(
        String(8), comment="veto/deduct/warn/info；留空按检查所用指标方案的级别"
    )
    note: Mapped[str] = mapped_column(Text, comment="检查说明")
    observed_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True, comment="检查时间")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, comment="录入时间")
    actor: Mapped[str] = mapped_column(String(64))
    source_file: Mapped[str | None] = mapped_column(Text, comment="导入文件")


class DuplicateDecision(Base):
    """A person's decision on two accounts of one unit on one platform (重复建设 or justified),
    remembered so that later checks do not ask again. The pair is stored lowest id first."""

    __tablename__ = "duplicate_decisions"
    __table_args__ = (UniqueConstraint("account_id", "other_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), comment="账号（较小的ID）")
    other_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), comment="另一个账号（较大的ID）")
    status: Mapped[str] = mapped_column(String(12), comment="confirmed（重复建设）/dismissed（确有必要）")
    note: Mapped[str | None] = mapped_column(Text, comment="复核意见")
    actor: Mapped[str] = mapped_column(String(64), comment="复核人")
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, comment="复核时间")
    finding_id: Mapped[int | None] = mapped_column(ForeignKey("findings.id"), comment="依据的问题")


class FindingDecision(Base):
    """一条复核记录: a person's decision on a finding (confirmed or dismissed), kept like the
    filing history: appended, never changed. A finding's status and its reviewer fields are
    those of its latest decision; confirming and later dismissing keeps both, with their actors
    and notes. ``follows_id`` names the decision this one followed (a candidate carried over to
    later checks, the other account of a duplicate pair)."""

    __tablename__ = "finding_decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id"), index=True, comment="问题ID")
    status: Mapped[str] = mapped_column(String(12), comment="confirmed（已确认）/dismissed（已排除）")
    previous: Mapped[str] = mapped_column(String(12), comment="复核前的状态")
    note: Mapped[str | None] = mapped_column(Text, comment="复核意见")
    actor: Mapped[str] = mapped_column(String(64), comment="复核人")
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, comment="复核时间")
    follows_id: Mapped[int | None] = mapped_column(
        ForeignKey("finding_decisions.id"), comment="随哪一条复核记录（延续的问题、重复账号的另一方）"
    )


class PostFingerprint(Base):
    """A post's entry in the near-duplicate index, written as the post arrives: the exact hash
    (xxh3_64 of its normalised text), its 16 LSH band keys, a short post's 42 finer band keys,
    and the lexicon version it was scanned against (its hits are ``post_hits``)."""

    __tablename__ = "post_fingerprints"

    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"), primary_key=True)
    exact_hash: Mapped[int] = mapped_column(BigInteger, comment="规范化正文 xxh3_64")
    length: Mapped[int] = mapped_column(Integer, comment="规范化正文字数")
    bands: Mapped[bytes] = mapped_column(LargeBinary, comment="16 个 band 键（int64 小端）")
    fine_bands: Mapped[bytes | None] = mapped_column(
        LargeBinary, comment="短内容的 42 个细分 band 键（int64 小端）；较长的内容为空"
    )
    lexicon_version: Mapped[int] = mapped_column(
        Integer, default=0, server_default="0", comment="扫描时词库的最大条目ID（此后新增的条目尚未扫描）"
    )
    indexed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PostHit(Base):
    """A lexicon entry found in a post (by the index, when the post arrived)."""

    __tablename__ = "post_hits"

    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"), primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("lexicon_entries.id"), primary_key=True)
