"""内容类规则：原创度、严重表述错误、敏感词、娱乐化、商业广告。

Originality rests on the near-duplicate index (``monitor.neardup``): a post is not original
when the platform marks it as a repost or when it is a near-duplicate (Jaccard ≥ the
profile's ``similarity``) of an earlier post by another account. Relays of designated key
releases (转载任务) are the duty they are: they count neither for nor against originality.
The lexicon rules are judgements: their findings are candidates until a person confirms.
A person reviews a post once: a post whose finding was dismissed is not raised again for the
same rule, a post confirmed before counts as confirmed when it appears again, and a pending
candidate carries over to the next check instead of appearing as a new one
(``monitor.check.judge``).
"""

from __future__ import annotations

from typing import Any

from monitor.rules.base import AccountFacts, Context, Evidence, PostFacts, post_evidence, rule

EVIDENCE_POSTS = 10
# the lexicon kind each judgement rule reads
KIND_OF_RULE = {
    "serious_error": "serious",
    "illegal_content": "illegal",
    "sensitive_word": "sensitive",
    "entertainment": "entertainment",
    "commercial_ad": "ad",
}
RULE_OF_KIND = {kind: code for code, kind in KIND_OF_RULE.items()}


def _matches(posts: list[PostFacts], kind: str) -> tuple[list[PostFacts], list[dict[str, Any]]]:
    hit_posts, matches = [], []
    for post in posts:
        found = [(p, c) for p, k, c in post.hits if k == kind]
        if found:
            hit_posts.append(post)
            matches += [{"phrase": p, "kind": kind, "correct": c, "post_id": post.id} for p, c in found]
    return hit_posts, matches


@rule("low_originality", "deduct")
def low_originality(account: AccountFacts, ctx: Context, cfg: dict[str, Any]) -> list[Evidence]:
    """窗口内原创内容 / 全部内容（不含转载任务要求的转载）低于 ``min_rate``。

    不足 ``min_posts`` 条时不判。非原创 = 平台标记为转发，或与其他账号更早发布的内容近似重复。
    """
    posts = [p for p in account.posts if p.key_relay is None]
    if len(posts) < int(cfg.get("min_posts", 3)):
        return []
    copied = [p for p in posts if p.is_repost or p.copied]
    rate = round((len(posts) - len(copied)) / len(posts), 4)
    bar = float(cfg.get("min_rate", 0.3))
    if rate >= bar:
        return []
    return [
        {
            "posts": [post_evidence(p) for p in copied[:EVIDENCE_POSTS]],
            "metrics": {"posts": len(posts), "original": len(posts) - len(copied), "rate": rate},
            "threshold": {"min_rate": bar},
            "note": f"共发布{len(posts)}条，其中原创{len(posts) - len(copied)}条，原创率{rate:.0%}",
        }
    ]


def _lexicon_rule(account: AccountFacts, kind: str, label: str) -> list[Evidence]:
    hit_posts, matches = _matches(account.posts, kind)
    if not hit_posts:
        return []
    phrases = "、".join(dict.fromkeys(m["phrase"] for m in matches))
    return [
        {
            "posts": [post_evidence(p) for p in hit_posts[:EVIDENCE_POSTS]],
            "post_ids": [p.id for p in hit_posts],
            "matches": matches[:50],
            "metrics": {"posts": len(hit_posts)},
            "note": f"{len(hit_posts)}条内容含{label}：{phrases}",
        }
    ]


@rule("serious_error", "veto", judgement=True)
def serious_error(account: AccountFacts, ctx: Context, cfg: dict[str, Any]) -> list[Evidence]:
    """内容含词库（serious 类）中的已知错误表述；证据给出正确表述。待人工确认后方计入。"""
    return _lexicon_rule(account, "serious", "疑似严重表述错误")


@rule("illegal_content", "veto", judgement=True)
def illegal_content(account: AccountFacts, ctx: Context, cfg: dict[str, Any]) -> list[Evidence]:
    """发布或链接反动、暴力、色情等违法有害内容（单项否决）。内容含词库（illegal 类）中的词语时
    提出候选，待人工确认后方计入，确认即不合格；检查人员的人工检查记录直接确认。"""
    return _lexicon_rule(account, "illegal", "疑似违法有害内容")


@rule("sensitive_word", "warn", judgement=True)
def sensitive_word(account: AccountFacts, ctx: Context, cfg: dict[str, Any]) -> list[Evidence]:
    """内容含词库（sensitive 类）中的敏感词。待人工确认。"""
    return _lexicon_rule(account, "sensitive", "敏感词")


@rule("commercial_ad", "deduct", judgement=True)
def commercial_ad(account: AccountFacts, ctx: Context, cfg: dict[str, Any]) -> list[Evidence]:
    """内容含词库（ad 类）中的广告用语（待人工确认）；检查人员的人工检查记录直接确认。
    级别由方案决定（有的省份将商业广告列为单项否决）。"""
    return _lexicon_rule(account, "ad", "疑似商业广告用语")


@rule("entertainment", "deduct", judgement=True)
def entertainment(account: AccountFacts, ctx: Context, cfg: dict[str, Any]) -> list[Evidence]:
    """与政府职能无关（娱乐化）内容的占比超过 ``max_share``；按词库 entertainment 类识别，待人工确认。
    不足 ``min_posts`` 条时不判。"""
    if len(account.posts) < int(cfg.get("min_posts", 3)):
        return []
    hit_posts, matches = _matches(account.posts, "entertainment")
    share = round(len(hit_posts) / len(account.posts), 4)
    bar = float(cfg.get("max_share", 0.3))
    if share <= bar:
        return []
    return [
        {
            "posts": [post_evidence(p) for p in hit_posts[:EVIDENCE_POSTS]],
            "post_ids": [p.id for p in hit_posts],
            "matches": matches[:50],
            "metrics": {"posts": len(account.posts), "entertainment": len(hit_posts), "share": share},
            "threshold": {"max_share": bar},
            "note": f"{len(account.posts)}条中有{len(hit_posts)}条疑似娱乐化内容，占{share:.0%}",
        }
    ]
