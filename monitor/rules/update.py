"""更新类规则：内容不更新（单项否决）、更新预警、更新不及时、空壳、僵尸账号。

All four look only at publication times up to the check time ``at`` (``--at``); posts
gathered later but published before ``at`` count, posts published after ``at`` do not.
They apply only to accounts whose collection succeeded: a failed crawl is 未能采集,
never 无更新.
"""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

from monitor.rules.base import AccountFacts, Context, Evidence, days, post_evidence, rule
from registry.timeutil import local_iso


def _idle(account: AccountFacts, ctx: Context) -> float | None:
    if account.last_post_at is None:
        return None
    return days(ctx.at - account.last_post_at)


def _last(account: AccountFacts) -> dict[str, Any]:
    ev: dict[str, Any] = {"last_post_at": local_iso(account.last_post_at)}
    if account.last_post is not None:
        ev["posts"] = [post_evidence(account.last_post)]
    return ev


@rule("no_update", "veto")
def no_update(account: AccountFacts, ctx: Context, cfg: dict[str, Any]) -> list[Evidence]:
    """监测时间点前 N 天内无更新（国家指标 N=14，单项否决）。

    设置：``[rules.no_update] days``。账号从未发布或最近一次发布早于「监测时间点 − N 天」即触发；
    证据为最近一次发布的内容、时间和链接。
    """
    limit = float(cfg.get("days", 14))
    idle = _idle(account, ctx)
    if idle is not None and idle < limit:
        return []
    note = (
        f"监测时间点前{limit:g}天内无更新，最近发布距监测时间点{idle:g}天"
        if idle is not None
        else "从未发布内容"
    )
    return [{**_last(account), "metrics": {"idle_days": idle}, "threshold": {"days": limit}, "note": note}]


@rule("update_warning", "warn")
def update_warning(account: AccountFacts, ctx: Context, cfg: dict[str, Any]) -> list[Evidence]:
    """已连续 N 天无更新但尚未到否决线，提前提醒运维人员（甘肃 N=7，即每周更新一次）。

    设置：``[rules.update_warning] days``；达到 ``[rules.no_update] days`` 时由「内容不更新」代替。
    """
    limit = float(cfg.get("days", 10))
    veto = float(cfg.get("veto_days", 14))
    idle = _idle(account, ctx)
    if idle is None or idle < limit or idle >= veto:
        return []
    return [
        {
            **_last(account),
            "metrics": {"idle_days": idle},
            "threshold": {"days": limit},
            "note": f"已{idle:g}天未更新，{veto:g}天无更新将单项否决",
        }
    ]


@rule("update_slow", "deduct")
def update_slow(account: AccountFacts, ctx: Context, cfg: dict[str, Any]) -> list[Evidence]:
    """检查窗口内最长间隔超过 ``max_gap_days`` 天，或月均发布少于 ``min_posts_per_month`` 条。

    间隔包括窗口起点到首条、末条到窗口终点；已判「内容不更新」的账号不再重复扣分。
    """
    end = min(ctx.window_to, ctx.at)
    times = [ctx.window_from] + [p.published_at for p in account.posts] + [end]
    gap = max(days(b - a) for a, b in itertools.pairwise(times))
    per_month = round(len(account.posts) / ctx.window_days * 30, 2)
    max_gap, min_pm = float(cfg.get("max_gap_days", 10)), float(cfg.get("min_posts_per_month", 4))
    idle = _idle(account, ctx)
    if idle is None or idle >= float(cfg.get("veto_days", 14)):
        return []  # 内容不更新 already vetoes it
    if gap <= max_gap and per_month >= min_pm:
        return []
    reasons = []
    if gap > max_gap:
        reasons.append(f"最长间隔{gap:g}天（上限{max_gap:g}天）")
    if per_month < min_pm:
        reasons.append(f"月均发布{per_month:g}条（下限{min_pm:g}条）")
    return [
        {
            **_last(account),
            "metrics": {"max_gap_days": gap, "posts_per_month": per_month},
            "threshold": {"max_gap_days": max_gap, "min_posts_per_month": min_pm},
            "note": "；".join(reasons),
        }
    ]


@rule("shell_account", "warn")
def shell_account(account: AccountFacts, ctx: Context, cfg: dict[str, Any]) -> list[Evidence]:
    """开设已满 ``span_days`` 天、其间发布不超过 ``max_posts`` 条的账号，建议关停整合。"""
    span = float(cfg.get("span_days", 90))
    opened = account.approved_at
    if opened is not None and ctx.at - opened < timedelta(days=span):
        return []
    limit = int(cfg.get("max_posts", 2))
    if account.recent_posts > limit:
        return []
    return [
        {
            **_last(account),
            "metrics": {"posts": account.recent_posts},
            "threshold": {"span_days": span, "max_posts": limit},
            "note": f"近{span:g}天仅发布{account.recent_posts}条，建议关停整合",
        }
    ]
