"""履职类规则：互动功能、备案一致性、转载任务，以及只能由检查人员判断的指标。

The indicators of 国办秘函〔2019〕19号 that only a person can judge (泄露国家秘密, 引发严重负面
舆情, 互动回应差, 功能无法使用, 个人信息泄露, 转载未注明来源 …) are rules without a machine check:
an inspector records what they saw (``govmedia observe import``, or the check sheet of
``govmedia check sheet``), and each record is a confirmed finding of its rule at the level the
inspector gave, or else the level of the profile the check uses.
"""

from __future__ import annotations

from typing import Any

from monitor.rules.base import AccountFacts, Context, Evidence, PostFacts, post_evidence, rule
from registry.timeutil import local_iso


@rule("no_interaction", "veto", observed=True)
def no_interaction(account: AccountFacts, ctx: Context, cfg: dict[str, Any]) -> list[Evidence]:
    """未提供有效互动功能（单项否决）。采集数据无法判断，只来自检查人员的人工检查记录
    （``govmedia observe import``），录入即为已确认问题。"""
    return []


@rule("state_secret", "veto", observed=True)
def state_secret(account: AccountFacts, ctx: Context, cfg: dict[str, Any]) -> list[Evidence]:
    """泄露国家秘密（单项否决）。只来自检查人员的人工检查记录，录入即为已确认问题。"""
    return []


@rule("public_opinion", "veto", observed=True)
def public_opinion(account: AccountFacts, ctx: Context, cfg: dict[str, Any]) -> list[Evidence]:
    """因发布内容不当引发严重负面舆情（单项否决）。只来自检查人员的人工检查记录。"""
    return []


@rule("slow_response", "deduct", observed=True)
def slow_response(account: AccountFacts, ctx: Context, cfg: dict[str, Any]) -> list[Evidence]:
    """互动回应差：留言办理不及时、长期不回应（国家方案扣分；方案可设 ``level = "veto"``
    列为单项否决）。只来自检查人员的人工检查记录。"""
    return []


@rule("broken_function", "deduct", observed=True)
def broken_function(account: AccountFacts, ctx: Context, cfg: dict[str, Any]) -> list[Evidence]:
    """功能无法使用、链接无法访问（扣分）。只来自检查人员的人工检查记录。"""
    return []


@rule("privacy_leak", "deduct", observed=True)
def privacy_leak(account: AccountFacts, ctx: Context, cfg: dict[str, Any]) -> list[Evidence]:
    """发布内容泄露个人信息（扣分）。只来自检查人员的人工检查记录。"""
    return []


@rule("unattributed_repost", "deduct", observed=True)
def unattributed_repost(account: AccountFacts, ctx: Context, cfg: dict[str, Any]) -> list[Evidence]:
    """转载未注明来源（扣分）。只来自检查人员的人工检查记录。"""
    return []


@rule("filing_mismatch", "deduct", needs_collection=False)
def filing_mismatch(account: AccountFacts, ctx: Context, cfg: dict[str, Any]) -> list[Evidence]:
    """平台显示名称与备案名称不同且未办理变更备案；已关停或注销的账号仍在发布；账号未经平台认证。

    名称与认证以最近一次采集到的账号快照为准（无快照时认证状态以备案登记为准）。
    """
    reasons: list[str] = []
    posts: list[PostFacts] = []
    snap = account.snapshot or {}
    shown = snap.get("shown_name")
    if shown and shown.strip() != account.name.strip():
        reasons.append(f"平台显示名称「{shown}」与备案名称「{account.name}」不一致")
    if account.status in ("closed", "cancelled") and account.status_at is not None:
        late = [p for p in account.posts if p.published_at > account.status_at]
        if late:
            label = "关停" if account.status == "closed" else "注销"
            reasons.append(f"已于{local_iso(account.status_at)}{label}备案，之后仍发布{len(late)}条")
            posts = late
    verified = snap.get("verified") if snap.get("verified") is not None else account.filed_verified
    if verified is False:
        reasons.append("账号未经平台官方认证")
    if not reasons:
        return []
    return [
        {
            "posts": [post_evidence(p) for p in posts[:10]],
            "note": "；".join(reasons),
            "metrics": {"shown_name": shown, "verified": verified},
        }
    ]


@rule("relay_missed", "deduct")
def relay_missed(account: AccountFacts, ctx: Context, cfg: dict[str, Any]) -> list[Evidence]:
    """到期的转载任务未在时限内转载（近似重复匹配，不要求逐字相同）。逾期转载也计入，并注明转载时间。"""
    missed = [r for r in account.relays if not r["on_time"]]
    if not missed:
        return []
    parts = []
    for r in missed:
        when = f"逾期于{local_iso(r['relayed_at'])}转载" if r.get("relayed_at") else "未转载"
        parts.append(f"「{r['title']}」{when}")
    posts = [post_evidence(r["post"]) for r in missed if r.get("post") is not None]
    return [
        {
            "posts": posts,
            "releases": [
                {
                    "release_id": r["release_id"],
                    "title": r["title"],
                    "due_at": local_iso(r["due_at"]),
                    "relayed_at": local_iso(r.get("relayed_at")),
                }
                for r in missed
            ],
            "note": "；".join(parts),
        }
    ]
