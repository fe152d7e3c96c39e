"""Assembling each checked account's facts from the loaded data (no database access).

Collection state (``collection_state``) decides what can be judged; the early-warning pass
uses the same function, over the same collection activity (``registry.collection.activity``).
Posts prove activity; only a successful, complete collection proves absence, so an account
is judged on its posts only when a successful collection reaches the check time:

- ``never`` (从未成功采集): nothing about the account was ever collected successfully (no
  ok/empty crawl, no ``post import --as-of``);
- ``collected`` (采集正常): its latest successful collection is no more than the profile's
  ``freshness_days`` (default 3) before the check time ``at`` (a collection made after ``at``
  counts: it shows what was published before);
- ``failed`` (采集失败): otherwise, when its latest attempt after that success failed
  (blocked, auth_expired, gone, error);
- ``stale`` (采集过期): otherwise: its latest success is too old to speak for the check time
  and nothing was tried since (an account no longer crawled, an import ``--as-of`` long ago).

Only collected accounts are judged on their posts; the others are never ``no_update`` and
are judged only on what stands without their posts (``monitor.check.verdict``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from monitor.rules.base import AccountFacts, PostFacts
from monitor.rules.content import RULE_OF_KIND
from registry.checks.reviews import PriorFinding, pair
from registry.collection.activity import Activity, LastPost
from registry.collection.models import SUCCESS_OUTCOMES

if TYPE_CHECKING:
    from monitor.similarity.originality import Analysis


def collection_state(activity: Activity | None, *, at: datetime, freshness_days: float) -> str:
    """``collected``, ``never``, ``failed`` or ``stale`` for a check at ``at`` (see the module
    docstring)."""
    if activity is None or activity.last_success is None:
        return "never"
    success = activity.last_success
    if success >= at - timedelta(days=freshness_days):
        return "collected"
    last_attempt, outcome = activity.last_attempt, activity.last_outcome
    if last_attempt is not None and last_attempt >= success and outcome not in SUCCESS_OUTCOMES:
        return "failed"
    return "stale"


def rows_by_account(posts: Sequence[tuple[Any, ...]]) -> dict[int, list[int]]:
    """The window's posts (rows of ``registry.checks.data.window_posts``) of each account, as
    row numbers in time order."""
    out: dict[int, list[int]] = defaultdict(list)
    for n, row in enumerate(posts):
        out[row[1]].append(n)
    return out


_POST_FIELDS = (
    *("id", "published_at", "title", "url", "is_repost", "engagement"),
    *("copied", "key_relay", "hits", "latest", "approx"),
)
assert tuple(f.name for f in fields(PostFacts)) == _POST_FIELDS, "post_facts passes PostFacts positionally"


def post_facts(posts: Sequence[tuple[Any, ...]], rows: Sequence[int], analysis: Analysis) -> list[PostFacts]:
    """One account's window posts (its ``rows``), in time order, with originality, relays and
    hits (titles and links are added to the evidence once judged: ``evidence_links``)."""
    copied, relayed, hits = analysis.copied, analysis.key_relay, analysis.hits
    out = []
    for n in rows:
        pid, _account, published_at, is_repost, engagement, latest, approx = posts[n]
        # positional (3× quicker than keywords; this runs for every post): in PostFacts' order,
        # id, published_at, title, url, is_repost, engagement, copied, key_relay, hits, latest, approx
        out.append(
            PostFacts(
                pid,
                published_at,
                None,
                None,
                is_repost,
                int(engagement or 0),
                pid in copied,
                relayed.get(pid),
                hits.get(pid, ()),
                latest,
                bool(approx),
            )
        )
    return out


def evidence_posts(results: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every post named in the evidence of the results' findings (the dicts themselves)."""
    return [
        post
        for result in results
        for finding in result["findings"]
        for post in finding["evidence"].get("posts", ())
        if isinstance(post, dict) and "post_id" in post
    ]


@dataclass
class PriorReviews:
    """What people decided before on the judgement rules' posts (``registry.checks.reviews``):

    - ``decided[(account, rule, post)]``: the latest review decision that named the post,
      ``confirmed`` or ``dismissed``, with the finding that carried it;
    - ``pending[(account, rule, post)]``: the oldest still-candidate finding naming the post
      (the origin a new candidate carries over from)."""

    decided: dict[tuple[int, str, int], tuple[str, PriorFinding]]
    pending: dict[tuple[int, str, int], PriorFinding]

    def without_dismissed(self, account_id: int, posts: list[PostFacts]) -> list[PostFacts]:
        """The posts with every lexicon hit removed whose judgement a person dismissed."""
        if not self.decided:
            return posts
        out = []
        for post in posts:
            kept = tuple(
                h
                for h in post.hits
                if self.decided.get((account_id, RULE_OF_KIND.get(h[1], ""), post.id), ("",))[0]
                != "dismissed"
            )
            if len(kept) != len(post.hits):
                post = replace(post, hits=kept)
            out.append(post)
        return out


def prior_reviews(history: Sequence[PriorFinding]) -> PriorReviews:
    """Index the earlier judgement findings (oldest first) by account, rule and post."""
    decided: dict[tuple[int, str, int], tuple[str, PriorFinding]] = {}
    pending: dict[tuple[int, str, int], PriorFinding] = {}
    for f in history:
        for post_id in f.post_ids:
            key = (f.account_id, f.rule, post_id)
            if f.status in ("confirmed", "dismissed"):
                decided[key] = (f.status, f)
                pending.pop(key, None)
            elif key not in decided:
                pending.setdefault(key, f)
    return PriorReviews(decided, pending)


def duplicate_pairs(
    facts: AccountFacts, info: dict[int, dict[str, Any]], decisions: dict[tuple[int, int], str]
) -> dict[int, dict[str, Any]]:
    """Per other account of the same unit and platform: the reason recorded with either
    filing (the other's first) and the remembered decision on the pair, if any."""
    out = {}
    for other in facts.duplicates:
        meta = info.get(other, {})
        reason = meta.get("reason") or facts.filing_reason
        out[other] = {"reason": reason, "decision": decisions.get(pair(facts.id, other))}
    return out


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
    last_post: LastPost | None,
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
        opened_at=meta.get("opened_at"),
        opening_basis=meta.get("opening_basis", "filed"),
        filing_reason=meta.get("reason"),
        collection=collection,
        last_post_at=last_post.at if last_post else None,
        last_post_approx=bool(last_post and last_post.approximate),
        last_post_earliest=last_post.earliest if last_post else None,
        posts=posts,
        recent_posts=recent_posts,
        snapshot=snapshot,
        duplicates=dups,
    )
    if last_post is not None:
        facts.last_post = next((p for p in reversed(posts) if p.id == last_post.post_id), None)
    if overlap is not None:
        facts.overlap, facts.partners = overlap
    return facts
