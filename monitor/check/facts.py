"""Assembling each checked account's facts from the loaded data (no database access).

Collection state (``collection_state``, in ``monitor.check.collection`` so that the status
and the early-warning pass read it without the rest) decides what can be judged; the
early-warning pass uses the same function, over the same collection activity
(``registry.collection.activity``). Posts prove activity; only a successful, complete
collection proves absence, so an account is judged on its posts only when a successful
collection reaches the check time:

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
from typing import TYPE_CHECKING, Any

from monitor.rules.base import AccountFacts, PostFacts
from monitor.rules.content import RULE_OF_KIND
from registry.checks.reviews import PriorFinding, pair
from registry.collection.activity import LastPost

if TYPE_CHECKING:
    import numpy.typing as npt

    from monitor.similarity.originality import Analysis
    from registry.checks.data import WindowPosts


def rows_by_account(posts: WindowPosts) -> dict[int, npt.NDArray[Any]]:
    """The window's posts of each account, as row numbers in time order."""
    import numpy as np  # here: the status and the alerts read this module without numpy

    if not len(posts):
        return {}
    order = np.argsort(posts.accounts, kind="stable")  # stable: time order within an account
    accounts = posts.accounts[order]
    starts = np.flatnonzero(np.concatenate(([True], accounts[1:] != accounts[:-1])))
    ends = np.append(starts[1:], accounts.size)
    return {int(accounts[a]): order[a:b] for a, b in zip(starts.tolist(), ends.tolist(), strict=True)}


_POST_FIELDS = (
    *("id", "published_at", "title", "url", "is_repost", "engagement"),
    *("copied", "key_relay", "hits", "latest", "approx"),
)
assert tuple(f.name for f in fields(PostFacts)) == _POST_FIELDS, "post_facts passes PostFacts positionally"


def post_facts(
    posts: WindowPosts, rows: Sequence[int] | npt.NDArray[Any], analysis: Analysis
) -> list[PostFacts]:
    """One account's window posts (its ``rows``), in time order, with originality, relays and
    hits (titles and links are added to the evidence once judged: ``evidence_links``)."""
    import numpy as np

    copied, relayed, hits = analysis.copied, analysis.key_relay, analysis.hits
    rows = np.asarray(rows, dtype=np.int64)
    published, latest = posts.published, posts.latest
    out = []
    for n, pid, repost, engagement, approx in zip(
        rows.tolist(),
        posts.ids[rows].tolist(),
        posts.is_repost[rows].tolist(),
        posts.engagement[rows].tolist(),
        posts.approx[rows].tolist(),
        strict=True,
    ):
        # positional (3× quicker than keywords; this runs for every post): in PostFacts' order,
        # id, published_at, title, url, is_repost, engagement, copied, key_relay, hits, latest, approx
        out.append(
            PostFacts(
                pid,
                published[n],
                None,
                None,
                None if repost < 0 else bool(repost),
                engagement,
                pid in copied,
                relayed.get(pid),
                hits.get(pid, ()),
                latest[n],
                approx,
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
    posts: WindowPosts, analysis: Analysis, info: dict[int, dict[str, Any]]
) -> dict[int, tuple[float, list[int]]]:
    """Per account: share of its posts (key relays excluded) that it shares with accounts of
    the same unit or region on the same platform, and those partner accounts."""
    import numpy as np

    relays = np.fromiter(analysis.key_relay, dtype=np.int64, count=len(analysis.key_relay))
    counted = ~np.isin(posts.ids, relays)
    clustered = np.fromiter(
        (*analysis.cluster_of, *analysis.cluster_of.values()),
        dtype=np.int64,
        count=2 * len(analysis.cluster_of),
    )
    members: dict[int, list[tuple[int, int]]] = defaultdict(list)
    rows = np.flatnonzero(counted & np.isin(posts.ids, clustered))  # time order
    for pid, account_id in zip(posts.ids[rows].tolist(), posts.accounts[rows].tolist(), strict=True):
        root = analysis.cluster_of.get(pid)
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
    accounts, totals = np.unique(posts.accounts[counted], return_counts=True)
    total = dict(zip(accounts.tolist(), totals.tolist(), strict=True))
    return {a: (len(s) / total[a] if total.get(a) else 0.0, sorted(partners[a])) for a, s in shared.items()}


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
