"""更新类规则：内容不更新（单项否决）、更新预警、更新不及时、空壳、僵尸账号。

What they read, exactly:

- **The check time** ``at`` (``--at``): only what was published up to ``at`` counts; posts
  gathered later but published before ``at`` count, posts published after ``at`` do not.
- **Exact times**: every comparison is between moments (``at − 14 天`` is a moment), never a
  rounded day count; evidence shows whole days and the time in words.
- **Approximate times are read in the account's favour**: a post whose platform showed only a
  date ("11-23", "昨天") or a relative form ("3小时前") counts at the *latest* moment it can have
  been published (never after ``at``); the evidence says that the time is approximate.
- **The clock starts at the opening** (``registry.filing.history.opening``): the 开设日期, or the
  first known post when earlier; without a 开设日期, the earlier of the first known post and the
  filing. An account that never posted has been silent since its opening, not forever.
- **Collection**: they apply only to accounts whose collection succeeded (``collected``): a
  failed crawl is 未能采集, never 无更新.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from monitor.rules.base import (
    AccountFacts,
    Context,
    Evidence,
    cn_day,
    cn_time,
    days,
    post_evidence,
    rule,
    whole_days,
)
from registry.timeutil import local_iso
from registry.vocab import OPENING_BASIS

DAY = timedelta(days=1)


def silent_since(account: AccountFacts) -> datetime | None:
    """Since when the account has been silent: the latest possible moment of its newest post,
    else its opening (None when neither is known)."""
    return account.last_post_at or account.opened_at


def _last(account: AccountFacts, ctx: Context) -> dict[str, Any]:
    """The evidence every update rule carries: the newest post (time, link) and the silence."""
    since = silent_since(account)
    ev: dict[str, Any] = {"last_post_at": local_iso(account.last_post_at)}
    if account.last_post is not None:
        ev["posts"] = [post_evidence(account.last_post)]
    if account.last_post_at is not None and account.last_post_approx:
        ev["last_post_approximate"] = True
        ev["last_post_earliest"] = local_iso(account.last_post_earliest)
    if account.opened_at is not None:
        ev["opened_at"] = local_iso(account.opened_at)
        ev["opening_basis"] = account.opening_basis
    if since is not None:
        ev["metrics"] = {"idle_days": days(ctx.at - since), "whole_days": whole_days(ctx.at - since)}
    return ev


def silence_text(account: AccountFacts, ctx: Context) -> str:
    """最近一次发布为2026年11月9日 14:06，距监测时间点14天 (or the approximate / never form)."""
    since = silent_since(account)
    if since is None:
        return "从未发布内容，开设时间不详"
    gap = whole_days(ctx.at - since)
    last = account.last_post_at
    if last is None:
        basis = OPENING_BASIS.label(account.opening_basis)
        return f"自开设（{cn_day(since)}，依据{basis}）以来未发布内容，距监测时间点{gap}天"
    if account.last_post_approx and account.last_post_earliest is not None:
        return (
            f"最近一次发布时间不精确（{cn_time(account.last_post_earliest)}至{cn_time(last)}之间），"
            f"按最晚可能的时间{cn_time(last)}计，距监测时间点{gap}天"
        )
    return f"最近一次发布为{cn_time(last)}，距监测时间点{gap}天"


def vetoed(account: AccountFacts, ctx: Context, veto_days: float) -> bool:
    """No post within the ``veto_days`` before ``at``: silent since earlier than ``at − veto_days``
    (an account with neither a post nor a known opening counts as silent)."""
    since = silent_since(account)
    return since is None or since < ctx.at - timedelta(days=veto_days)


@rule("no_update", "veto")
def no_update(account: AccountFacts, ctx: Context, cfg: dict[str, Any]) -> list[Evidence]:
    """监测时间点前 N 天内无更新（国家指标 N=14，单项否决）。设置：``[rules.no_update] days``。

    最近一次发布**早于**「监测时间点 − N 天」这一时刻才触发：恰好 N 天前、或 N 天前再晚一分钟
    发布的账号仍合格。按精确时间比较，不按四舍五入的天数。发布时间不精确（平台只显示日期、
    “昨天”或“N小时前”）时按最晚可能的时间计。从未发布的账号从开设时起计算（开设日期；首次
    发布更早时按首次发布；无开设日期时取首次发布与报备时间中较早者）。证据为最近一次发布的
    内容、时间和链接，以及整天数。
    """
    limit = float(cfg.get("days", 14))
    if not vetoed(account, ctx, limit):
        return []
    ev = _last(account, ctx)
    return [
        {
            **ev,
            "threshold": {"days": limit},
            "note": f"监测时间点前{limit:g}天内无更新：{silence_text(account, ctx)}",
        }
    ]


@rule("update_warning", "warn")
def update_warning(account: AccountFacts, ctx: Context, cfg: dict[str, Any]) -> list[Evidence]:
    """已连续 N 天无更新但尚未到否决线，提前提醒运维人员（甘肃 N=7，即每周更新一次）。

    设置：``[rules.update_warning] days``。最近一次发布（从未发布时为开设时间）不晚于「监测时间点
    − N 天」时提醒；早于「监测时间点 − ``[rules.no_update] days``」时由「内容不更新」代替。时间的
    读法与「内容不更新」相同。
    """
    limit = float(cfg.get("days", 10))
    veto = float(cfg.get("veto_days", 14))
    since = silent_since(account)
    if since is None or since > ctx.at - timedelta(days=limit) or vetoed(account, ctx, veto):
        return []
    ev = _last(account, ctx)
    return [
        {
            **ev,
            "threshold": {"days": limit, "veto_days": veto},
            "note": f"{silence_text(account, ctx)}；{veto:g}天内无更新将单项否决",
        }
    ]


def _gaps(account: AccountFacts, start: datetime, end: datetime) -> timedelta:
    """The longest stretch without a post in [start, end], in the account's favour: between two
    posts it runs from the latest moment of the earlier to the earliest moment of the later."""
    longest = timedelta(0)
    previous = start
    for post in account.posts:
        if post.published_at > end:
            break
        longest = max(longest, post.published_at - previous)
        previous = max(previous, post.latest_at)
    return max(longest, end - previous)


@rule("update_slow", "deduct")
def update_slow(account: AccountFacts, ctx: Context, cfg: dict[str, Any]) -> list[Evidence]:
    """检查窗口内最长无发布间隔超过 ``max_gap_days`` 天，或月均发布少于 ``min_posts_per_month`` 条。

    间隔包括窗口起点（开设晚于窗口起点时为开设时间）到首条、末条到窗口终点，按精确时间比较；
    时间不精确的内容按对账号有利的一端计。月均发布按开设以来（或窗口内）的天数折算，
    不足 ``min_span_days``（默认 7）天时不按月均判断。已判「内容不更新」的账号不再重复扣分。
    """
    if vetoed(account, ctx, float(cfg.get("veto_days", 14))):
        return []  # 内容不更新 already vetoes it
    end = min(ctx.window_to, ctx.at)
    start = max(ctx.window_from, account.opened_at) if account.opened_at else ctx.window_from
    if start >= end:
        return []
    gap = _gaps(account, start, end)
    span = end - start
    posts = [p for p in account.posts if start <= p.latest_at and p.published_at <= end]
    per_month = round(len(posts) / (span / DAY) * 30, 2)
    max_gap, min_pm = float(cfg.get("max_gap_days", 10)), float(cfg.get("min_posts_per_month", 4))
    rate_counts = span >= timedelta(days=float(cfg.get("min_span_days", 7)))
    reasons = []
    if gap > timedelta(days=max_gap):
        reasons.append(f"最长{whole_days(gap)}天无发布（{days(gap):g}天，上限{max_gap:g}天）")
    if rate_counts and len(posts) / (span / DAY) * 30 < min_pm:
        reasons.append(f"月均发布{per_month:g}条（下限{min_pm:g}条）")
    if not reasons:
        return []
    return [
        {
            **_last(account, ctx),
            "metrics": {"max_gap_days": days(gap), "posts_per_month": per_month, "span_days": days(span)},
            "threshold": {"max_gap_days": max_gap, "min_posts_per_month": min_pm},
            "note": "；".join(reasons),
        }
    ]


@rule("shell_account", "warn")
def shell_account(account: AccountFacts, ctx: Context, cfg: dict[str, Any]) -> list[Evidence]:
    """开设已满 ``span_days`` 天、监测时间点前 ``span_days`` 天内发布不超过 ``max_posts`` 条的账号，
    建议关停整合。开设时间按开设日期、首次发布和报备时间确定（补充备案的账号从实际开设时算起，
    不从备案通过时算起）；开设不满 ``span_days`` 天的账号不判。"""
    span = float(cfg.get("span_days", 90))
    opened = account.opened_at or account.approved_at
    if opened is not None and ctx.at - opened < timedelta(days=span):
        return []
    limit = int(cfg.get("max_posts", 2))
    if account.recent_posts > limit:
        return []
    ev = _last(account, ctx)
    return [
        {
            **ev,
            "metrics": {**ev.get("metrics", {}), "posts": account.recent_posts},
            "threshold": {"span_days": span, "max_posts": limit},
            "note": f"开设已满{span:g}天，近{span:g}天仅发布{account.recent_posts}条，建议关停整合",
        }
    ]
