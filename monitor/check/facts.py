"""Assembling each checked account's facts from the loaded data (no database access).

Collection state (``collection_state``) decides what can be judged; the early-warning pass
uses the same function, over the same collection activity (``registry.collection.activity``):

- ``never``: nothing about the account was ever collected successfully (no ok/empty crawl,
  no import);
- ``failed``: its latest collection attempt failed (blocked, auth_expired, gone, error) and
  its latest success is older than the profile's ``freshness_days`` (default 3) when the
  check runs;
- ``collected``: otherwise. Only collected accounts are judged on their posts; the others
  get the verdict ``uncollected`` (未能采集) and never ``no_update``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from monitor.rules.base import AccountFacts, PostFacts
from registry.collection.activity import Activity
from registry.collection.models import SUCCESS_OUTCOMES

if TYPE_CHECKING:
    from monitor.similarity.originality import Analysis


def collection_state(activity: Activity | None, *, now: datetime, freshness_days: float) -> str:
    """``collected``, ``never`` or ``failed`` (see the module docstring)."""
    if activity is None or activity.last_success is None:
        return "never"
    success = activity.last_success
    last_attempt, outcome = activity.last_attempt, activity.last_outcome
    failed_last = last_attempt is not None and outcome not in SUCCESS_OUTCOMES and last_attempt >= success
    if failed_last and success < now - timedelta(days=freshness_days):
        return "failed"
    return "collected"


def post_facts(posts: Sequence[tuple[Any, ...]], analysis: Analysis) -> dict[int, list[PostFacts]]:
    """Window posts grouped by account, in time order, with originality, relays and hits."""
    by_account: dict[int, list[PostFacts]] = defaultdict(list)
    for pid, account_id, published_at, title, url, is_repost, engagement in posts:
        by_account[account_id].append(
            PostFacts(
                id=pid,
                published_at=published_at,
                title=title,
                url=url,
                is_repost=is_repost,
                engagement=int(engagement or 0),
                copied=pid in analysis.copied,
                key_relay=analysis.key_relay.get(pid),
                hits=analysis.hits.get(pid, ()),
            )
        )
    return by_account


def duplicates(accounts: Sequence[dict[str, Any]]) -> dict[int, list[int]]:
    """Other active accounts of the same unit on the same platform."""
    groups: dict[tuple[int, str], list[int]] = defaultdict(list)
    for a in accounts:
        if a["status"] == "active":
            groups[(a["unit_id"], a["platform"])].append(a["id"])
    return {i: [j for j in ids if j != i] for ids in groups.values() if len(ids) > 1 for i in ids}


def overlaps(
    posts: Sequence[tuple[Any, ...]], analysis: Analysis, info: dict[int, dict[str, Any]]
) -> dict[int, tuple[float, list[int]]]:
    """Per account: share of its posts (key relays excluded) that it shares with accounts of
    the same unit or region on the same platform, and those partner accounts."""
    members: dict[int, list[tuple[int, int]]] = defaultdict(list)
    roots = set(analysis.cluster_of.values())
    for pid, account_id, *_ in posts:
        if pid in analysis.key_relay:
            continue
        root = analysis.cluster_of.get(pid)
        if root is not None or pid in roots:
            members[root if root is not None else pid].append((pid, account_id))
    shared: dict[int, set[int]] = defaultdict(set)
    partners: dict[int, set[int]] = defaultdict(set)
    for group in members.values():
        accts = {a for _, a in group}
        if len(accts) < 2:
            continue
        by_unit: dict[tuple[str, Any], set[int]] = defaultdict(set)
        for a in accts:
            meta = info.get(a)
            if meta is None:
                continue
            by_unit[(meta["platform"], ("u", meta["unit_id"]))].add(a)
            by_unit[(meta["platform"], ("r", meta["region"]))].add(a)
        for pid, a in group:
            meta = info.get(a)
            if meta is None:
                continue
            near = (
                by_unit[(meta["platform"], ("u", meta["unit_id"]))]
                | by_unit[(meta["platform"], ("r", meta["region"]))]
            ) - {a}
            if near:
                shared[a].add(pid)
                if len(partners[a]) < 20:
                    partners[a] |= set(sorted(near)[:20])
    totals: dict[int, int] = defaultdict(int)
    for pid, account_id, *_ in posts:
        if pid not in analysis.key_relay:
            totals[account_id] += 1
    return {a: (len(s) / totals[a] if totals[a] else 0.0, sorted(partners[a])) for a, s in shared.items()}


def account_facts(
    meta: dict[str, Any],
    *,
    collection: str,
    posts: list[PostFacts],
    last_post_at: datetime | None,
    recent_posts: int,
    snapshot: dict[str, Any] | None,
    dups: list[int],
    overlap: tuple[float, list[int]] | None,
) -> AccountFacts:
    facts = AccountFacts(
        id=meta["id"],
        unit_id=meta["unit_id"],
        unit=meta["unit"],
        level=meta["level"],
        kind=meta["kind"],
        region=meta["region"],
        platform=meta["platform"],
        name=meta["name"],
        status=meta["status"],
        status_at=meta["status_at"],
        filed_verified=meta["verified"],
        approved_at=meta["approved_at"],
        collection=collection,
        last_post_at=last_post_at,
        posts=posts,
        recent_posts=recent_posts,
        snapshot=snapshot,
        duplicates=dups,
    )
    if posts and last_post_at is not None and posts[-1].published_at == last_post_at:
        facts.last_post = posts[-1]
    if overlap is not None:
        facts.overlap, facts.partners = overlap
    return facts
