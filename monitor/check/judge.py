"""Judging one sampled account: its findings (rules and inspectors' observations), its verdict
(``monitor.check.verdict``) and the row the check stores for it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from monitor import profile as prof
from monitor.check.verdict import judge
from monitor.rules import RULES, AccountFacts, Context
from monitor.rules.base import PostFacts
from registry.timeutil import local_iso


def findings(
    facts: AccountFacts, ctx: Context, profile: dict[str, Any], observations: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Every finding of the account: each enabled rule's, then each observation's.

    Mechanical rules' findings are confirmed at once; judgement rules give candidates;
    an inspector's observation is a confirmed finding of its rule."""
    veto_days = prof.rule_config(profile, "no_update").get("days", 14)
    out = []
    for code, rule in RULES.items():
        cfg = prof.rule_config(profile, code)
        if not cfg["enabled"] or (rule.needs_collection and facts.collection != "collected"):
            continue
        level = cfg.get("level", rule.level)
        for evidence in rule.check(facts, ctx, {**cfg, "veto_days": veto_days}):
            out.append(
                {
                    "rule": code,
                    "level": level,
                    "status": "candidate" if rule.judgement else "confirmed",
                    "points": cfg.get("points") if level == "deduct" else None,
                    "evidence": evidence,
                    "observation_id": None,
                }
            )
    for obs in observations:
        cfg = prof.rule_config(profile, obs["rule"])
        out.append(
            {
                "rule": obs["rule"],
                "level": obs["level"],
                "status": "confirmed",
                "points": cfg.get("points") if obs["level"] == "deduct" else None,
                "observation_id": obs["id"],
                "evidence": {
                    "note": obs["note"],
                    "observed_at": local_iso(obs["observed_at"]),
                    "inspector": obs["actor"],
                },
            }
        )
    return out


def relay_duties(
    releases: list[dict[str, Any]],
    sampled: dict[int, dict[str, Any]],
    posts_by_account: dict[int, list[PostFacts]],
    matched: set[tuple[int, int]],
) -> dict[int, list[dict[str, Any]]]:
    """Per sampled account: each due key release, whether and when it was first relayed."""
    out: dict[int, list[dict[str, Any]]] = {}
    for release in releases:
        due_at = release["published_at"] + timedelta(hours=release["due_hours"])
        targets = set(release["unit_ids"])
        for aid, meta in sampled.items():
            if targets and meta["unit_id"] not in targets:
                continue
            relay = next((p for p in posts_by_account.get(aid, []) if (release["id"], p.id) in matched), None)
            out.setdefault(aid, []).append(
                {
                    "release_id": release["id"],
                    "title": release["title"],
                    "due_at": due_at,
                    "relayed_at": relay.published_at if relay else None,
                    "post": relay,
                    "on_time": bool(relay and relay.published_at <= due_at),
                }
            )
    return out


def result_row(
    facts: AccountFacts,
    *,
    reason: str,
    found: list[dict[str, Any]],
    scoring: dict[str, Any] | None,
    last_success: datetime | None,
) -> dict[str, Any]:
    """What the check stores for one account: verdict, reason, score and the figures."""
    decided = judge(facts.collection, found, scoring)
    counted = [p for p in facts.posts if p.key_relay is None]
    original = sum(1 for p in counted if not (p.is_repost or p.copied))
    return {
        "account_id": facts.id,
        "sample_reason": reason,
        "verdict": decided.verdict,
        "score": decided.score,
        "reason": decided.reason,
        "collection": facts.collection,
        "last_post_at": facts.last_post_at,
        "last_success_at": last_success,
        "posts_in_window": len(facts.posts),
        "original_posts": original,
        "stats": {
            "original_rate": round(original / len(counted), 4) if counted else None,
            "overlap": round(facts.overlap, 4),
            "key_relays": len(facts.posts) - len(counted),
        },
        "findings": found,
    }


def relay_rows(facts: AccountFacts, similarity: dict[tuple[int, int], float]) -> list[dict[str, Any]]:
    """The relay matches the check stores for one account."""
    return [
        {
            "release_id": r["release_id"],
            "account_id": facts.id,
            "post_id": r["post"].id if r["post"] else None,
            "relayed_at": r["relayed_at"],
            "on_time": r["on_time"],
            "similarity": similarity.get((r["release_id"], r["post"].id)) if r["post"] else None,
        }
        for r in facts.relays
    ]
