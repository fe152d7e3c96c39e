"""整合类规则：一个单位同一平台多个账号、功能相近且关注度和利用率低的账号。

"一个单位原则上在同一第三方平台只开设一个账号"；"功能相近且用户关注度和利用率低"的账号应
清理整合。Both look at the registry (all active accounts, not only the sampled ones).
"""

from __future__ import annotations

from typing import Any

from monitor.rules.base import AccountFacts, Context, Evidence, rule


@rule("duplicate_account", "deduct", needs_collection=False)
def duplicate_account(account: AccountFacts, ctx: Context, cfg: dict[str, Any]) -> list[Evidence]:
    """同一主办单位在同一平台有多个在用账号（监测时间点的备案状态）。证据列出同单位同平台的
    其他账号。

    第二个账号报备时已说明理由（如订阅号之外另设服务号）且备案已通过的，是人的判断：问题为
    「待复核」并列出理由，由复核人员确认为重复建设或排除（确有必要）；结论按账号对记住，之后
    的检查不再询问（确认的直接计为已确认，排除的不再提出）。没有记录理由的，直接确认。
    ``[rules.duplicate_account] exempt_recorded_reasons = true`` 时，记录了理由的账号对不计为问题。
    """
    exempt = bool(cfg.get("exempt_recorded_reasons", False))
    confirmed: list[int] = []
    pending: list[int] = []
    reasons: dict[str, str] = {}
    for other in sorted(account.duplicates):
        pair = account.duplicate_pairs.get(other, {})
        decision, reason = pair.get("decision"), pair.get("reason")
        if decision == "dismissed" or (reason and exempt and decision is None):
            continue
        if reason:
            reasons[str(other)] = reason
        (confirmed if decision == "confirmed" or not reason else pending).append(other)
    others = sorted(confirmed + pending)
    if not others:
        return []
    note = f"「{account.unit}」在该平台共有{len(others) + 1}个在用账号"
    if pending:
        shown = "；".join(f"账号{a}：{reasons[str(a)]}" for a in pending)
        note += f"；报备时说明的理由（待复核）：{shown}"
    return [
        {
            "accounts": others,
            "pending_pairs": sorted(pending),
            "reasons": reasons,
            "metrics": {"accounts": len(others) + 1},
            "note": note,
            "status": "confirmed" if confirmed else "candidate",
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
