"""整合类规则：一个单位同一平台多个账号、功能相近且关注度和利用率低的账号。

"一个单位原则上在同一第三方平台只开设一个账号"；"功能相近且用户关注度和利用率低"的账号应
清理整合。Both look at the registry (all active accounts, not only the sampled ones).
"""

from __future__ import annotations

from typing import Any

from monitor.rules.base import AccountFacts, Context, Evidence, rule


@rule("duplicate_account", "deduct", needs_collection=False)
def duplicate_account(account: AccountFacts, ctx: Context, cfg: dict[str, Any]) -> list[Evidence]:
    """同一主办单位在同一平台有多个在用账号（已备案状态）。证据列出同单位同平台的其他账号。"""
    if not account.duplicates:
        return []
    return [
        {
            "accounts": sorted(account.duplicates),
            "metrics": {"accounts": len(account.duplicates) + 1},
            "note": f"「{account.unit}」在该平台共有{len(account.duplicates) + 1}个在用账号",
        }
    ]


@rule("similar_low_use", "info")
def similar_low_use(account: AccountFacts, ctx: Context, cfg: dict[str, Any]) -> list[Evidence]:
    """同一单位或同一地区、同一平台的账号内容高度重合（共享内容占比 ≥ ``min_overlap``），
    且粉丝数不超过 ``max_followers``、条均互动（转评赞）不超过 ``max_engagement``：整合候选。

    转载任务要求的转载不计入重合。没有粉丝数快照时按低关注度处理。
    """
    min_overlap = float(cfg.get("min_overlap", 0.5))
    if not account.partners or account.overlap < min_overlap:
        return []
    followers = (account.snapshot or {}).get("followers")
    max_f = int(cfg.get("max_followers", 1000))
    if followers is not None and followers > max_f:
        return []
    engagement = (sum(p.engagement for p in account.posts) / len(account.posts)) if account.posts else 0.0
    max_e = float(cfg.get("max_engagement", 5))
    if engagement > max_e:
        return []
    return [
        {
            "accounts": sorted(account.partners),
            "metrics": {
                "overlap": round(account.overlap, 4),
                "followers": followers,
                "engagement_per_post": round(engagement, 2),
            },
            "threshold": {"min_overlap": min_overlap, "max_followers": max_f, "max_engagement": max_e},
            "note": f"与同单位/同地区账号内容重合{account.overlap:.0%}，关注度和利用率低，建议整合",
        }
    ]
