"""Judging one sampled account: its findings (rules and inspectors' observations), its verdict
(``monitor.check.verdict``) and the row the check stores for it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from monitor import profile as prof
from monitor.check.facts import PriorReviews
from monitor.check.verdict import judge
from monitor.rules import RULES, AccountFacts, Context
from monitor.rules.base import PostFacts
from registry.checks.reviews import post_ids_of
from registry.timeutil import local_iso

ProfileRule = tuple[str, Any, str, dict[str, Any]]  # code, rule, level, its table (with veto_days)


def profile_rules(profile: dict[str, Any]) -> list[ProfileRule]:
    """The profile's enabled rules with their level and table, read once per check (rules only
    inspectors judge find nothing themselves: their findings are the observations, below)."""
    veto_days = prof.rule_config(profile, "no_update").get("days", 14)
    out = []
    for code, rule in RULES.items():
        if rule.observed:
            continue
        cfg = prof.rule_config(profile, code)
        if cfg["enabled"]:
            out.append((code, rule, cfg.get("level", rule.level), {**cfg, "veto_days": veto_days}))
    return out


def findings(
    facts: AccountFacts,
    ctx: Context,
    profile: dict[str, Any],
    observations: list[dict[str, Any]],
    *,
    prior: PriorReviews | None = None,
    rules: list[ProfileRule] | None = None,
) -> list[dict[str, Any]]:
    """Every finding of the account: each enabled rule's, then each observation's.

    Mechanical rules' findings are confirmed at once (a rule may ask for a person's review, as
    ``duplicate_account`` does for a second account with a recorded reason); judgement rules
    give candidates, read against what people decided before (``carry``); an inspector's
    observation is a confirmed finding of its rule, at its own level or else the profile's.
    ``rules`` is ``profile_rules(profile)``, given when many accounts are judged."""
    out = []
    for code, rule, level, cfg in profile_rules(profile) if rules is None else rules:
        if rule.needs_collection and facts.collection != "collected":
            continue
        for evidence in rule.check(facts, ctx, cfg):
            status = evidence.pop("status", "candidate" if rule.judgement else "confirmed")
            finding = {
                "rule": code,
                "level": level,
                "status": status,
                "points": cfg.get("points") if level == "deduct" else None,
                "evidence": evidence,
                "observation_id": None,
                "origin_id": None,
            }
            if rule.judgement and prior is not None:
                carry(finding, facts.id, prior)
            out.append(finding)
    for obs in observations:
        cfg = prof.rule_config(profile, obs["rule"])
        level = obs["level"] or cfg.get("level") or RULES[obs["rule"]].level
        out.append(
            {
                "rule": obs["rule"],
                "level": level,
                "status": "confirmed",
                "points": cfg.get("points") if level == "deduct" else None,
                "observation_id": obs["id"],
                "origin_id": None,
                "evidence": {
                    "note": obs["note"],
                    "observed_at": local_iso(obs["observed_at"]),
                    "inspector": obs["actor"],
                },
            }
        )
    return out


def carry(finding: dict[str, Any], account_id: int, prior: PriorReviews) -> None:
    """A person reviews a judgement once. The finding's posts (dismissed ones were already left
    out of the facts) are read against the earlier reviews: when every post was confirmed
    before, the finding is confirmed at once; otherwise it stays a candidate, and when one of
    its posts is in a candidate still pending from an earlier check, it carries that candidate
    over (``origin_id``: the candidate first raised) instead of being a new one."""
    rule, evidence = finding["rule"], finding["evidence"]
    posts = post_ids_of(evidence)
    if not posts:
        return
    decided = [prior.decided.get((account_id, rule, p)) for p in posts]
    if all(d is not None and d[0] == "confirmed" for d in decided):
        by = max((d[1] for d in decided if d is not None), key=lambda f: f.id)
        finding["status"] = "confirmed"
        evidence["carried"] = {
            "finding_id": by.id,
            "run_id": by.run_id,
            "status": "confirmed",
            "reviewer": by.reviewer,
            "reviewed_at": local_iso(by.reviewed_at),
        }
        evidence["note"] = f"{evidence.get('note', '')}（第{by.run_id}次检查已复核确认）"
        return
    pending = [prior.pending[(account_id, rule, p)] for p in posts if (account_id, rule, p) in prior.pending]
    if pending:
        first = min(pending, key=lambda f: f.id)
        root = first.origin_id or first.id
        finding["origin_id"] = root
        evidence["carried"] = {
            "finding_id": root,
            "run_id": first.run_id,
            "status": "candidate",
            "first_raised_at": local_iso(first.run_at),
        }
        evidence["note"] = f"{evidence.get('note', '')}（第{first.run_id}次检查提出，待复核）"


class RelayDuties:
    """The due key releases, indexed by the units they name (a release naming none is every
    account's duty), so that each account's duties are found without scanning all releases."""

    def __init__(self, releases: list[dict[str, Any]], matched: set[tuple[int, int]]) -> None:
        self.matched = matched
        self.everyone: list[int] = []
        self.by_unit: dict[int, list[int]] = {}
        self.releases = releases
        for n, release in enumerate(releases):
            if release["unit_ids"]:
                for unit in set(release["unit_ids"]):
                    self.by_unit.setdefault(unit, []).append(n)
            else:
                self.everyone.append(n)

    def of(self, meta: dict[str, Any], posts: list[PostFacts]) -> list[dict[str, Any]]:
        """Each due release of the account (in the releases' order), whether and when its
        posts first relayed it."""
        out = []
        for n in sorted(self.everyone + self.by_unit.get(meta["unit_id"], [])):
            release = self.releases[n]
            due_at = release["published_at"] + timedelta(hours=release["due_hours"])
            relay = next((p for p in posts if (release["id"], p.id) in self.matched), None)
            out.append(
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
            # what the check judged: the filing as recorded at the check time, and the opening
            "filed": {"unit": facts.unit, "name": facts.name, "level": facts.level},
            "opened_at": local_iso(facts.opened_at),
            "opening_basis": facts.opening_basis,
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
