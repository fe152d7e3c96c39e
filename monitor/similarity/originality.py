"""Originality, relays and lexicon hits over a check window's posts.

One streamed pass over the window's texts scans the lexicon and indexes the posts not yet
indexed (exact hash + 16 LSH band keys, stored through ``registry.check_index``). Then the
window's index is read back, candidate pairs come from shared keys (each post against the
earliest post of its bucket), every candidate is verified on the exact shingle sets, and
union-find builds the clusters. A pair is a near-duplicate when its Jaccard similarity
reaches the profile's ``similarity`` or the earlier post is contained in the later one to the
profile's ``copy_containment`` (``monitor.similarity.neardup.near_duplicate``); posts of at
most ``short_post_chars`` characters also get a finer banding, so that a short post with a
prefix and a swapped phrase is found. In a cluster, posts by accounts other than the earliest
post's account are copies (not original), except, when the profile says so, posts of an
account of the same 主办单位 as the earliest (一次采集、多元发布: a unit republishing its own
content on its own platforms).

A key release (转载任务) is found by looking up its band keys and exact hash in the database,
then keeping the candidates that contain at least ``relay_containment`` of its shingles.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from monitor.similarity import neardup as nd
from monitor.similarity.lexicon import Hit, Matcher
from registry.checks import data as check_data
from registry.checks import index as check_index

VERIFY_BLOCK = 20_000


@dataclass
class Analysis:
    copied: set[int] = field(default_factory=set)
    key_relay: dict[int, int] = field(default_factory=dict)  # post id -> release id
    relay_similarity: dict[tuple[int, int], float] = field(default_factory=dict)
    hits: dict[int, list[Hit]] = field(default_factory=dict)
    cluster_of: dict[int, int] = field(default_factory=dict)  # post id -> earliest post id
    timings: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)


def _tick(analysis: Analysis, stage: str, started: float) -> float:
    now = time.perf_counter()
    analysis.timings[stage] = round(analysis.timings.get(stage, 0.0) + now - started, 3)
    return now


def scan_and_index(
    session: Any, analysis: Analysis, *, since: datetime, until: datetime, matcher: Matcher
) -> None:
    """Stream the window's texts once: lexicon hits for all, fingerprints for the new ones."""
    todo = check_index.unindexed_posts(session, since=since, until=until)
    started = time.perf_counter()
    indexed = 0
    for chunk in check_data.iter_texts(session, since=since, until=until):
        norms = nd.normalise_many([check_data.join_text(t, x) for _, t, x in chunk])
        started = _tick(analysis, "normalise", started)
        if len(matcher):
            for (pid, _, _), norm in zip(chunk, norms, strict=True):
                found = matcher.scan_normalised(norm)
                if found:
                    analysis.hits[pid] = found
        started = _tick(analysis, "lexicon", started)
        new = [i for i, (pid, _, _) in enumerate(chunk) if pid in todo]
        if new:
            sub = [norms[i] for i in new]
            tokens, offsets = nd.shingle_hashes(sub)
            keys = nd.band_keys(nd.signatures(tokens, offsets))
            hashes = [nd.exact_hash(n) for n in sub]
            started = _tick(analysis, "sign", started)
            check_index.store_fingerprints(
                session, [chunk[i][0] for i in new], hashes, [len(n) for n in sub], keys
            )
            indexed += len(new)
            started = _tick(analysis, "store_index", started)
    analysis.counts["indexed"] = indexed


@dataclass(frozen=True)
class CopyRule:
    """How near-duplicates are judged (from the profile): Jaccard ``similarity``; containment
    of the earlier post in the later (``containment``, None: Jaccard only) for earlier posts of
    at least ``min_chars`` characters; the finer banding for posts of at most ``short_chars``
    (0: none); ``owners`` (account → unit) makes an account's copy of its own unit's post
    original."""

    similarity: float = 0.8
    containment: float | None = None
    min_chars: int = 20
    short_chars: int = 0
    owners: dict[int, int] | None = None


def cluster(
    session: Any,
    analysis: Analysis,
    *,
    since: datetime,
    until: datetime,
    posts: Sequence[tuple[Any, ...]],
    similarity: float,
    rule: CopyRule | None = None,
) -> None:
    """Verified near-duplicate clusters of the window's posts (``posts`` in time order)."""
    rule = rule or CopyRule(similarity=similarity)
    started = time.perf_counter()
    ids, hashes, keys = check_index.load_index(session, since=since, until=until)
    started = _tick(analysis, "load_index", started)
    order_ids = np.fromiter((p[0] for p in posts), dtype=np.int64, count=len(posts))
    accounts = [p[1] for p in posts]
    if ids.size == 0 or order_ids.size == 0:
        return
    rows = np.searchsorted(ids, order_ids)
    rows = np.clip(rows, 0, ids.size - 1)
    present = ids[rows] == order_ids
    ex = np.where(present, hashes[rows], -np.arange(1, order_ids.size + 1, dtype=np.int64))
    bk = np.where(present[:, None], keys[rows], -np.arange(1, order_ids.size + 1, dtype=np.int64)[:, None])
    exact_pairs = nd.candidate_pairs(ex[:, None])
    band_pairs = nd.candidate_pairs(bk)
    exact_code = set((exact_pairs[:, 0] * order_ids.size + exact_pairs[:, 1]).tolist())
    todo = [(int(a), int(b)) for a, b in band_pairs.tolist() if a * order_ids.size + b not in exact_code]
    fine = _fine_pairs(session, order_ids, since=since, until=until, short_chars=rule.short_chars)
    seen = exact_code | {a * order_ids.size + b for a, b in todo}
    todo += [(a, b) for a, b in fine if a * order_ids.size + b not in seen]
    analysis.counts.update(candidates=len(todo) + len(exact_code), exact_pairs=len(exact_code))
    started = _tick(analysis, "candidates", started)
    uf = nd.UnionFind(order_ids.size)
    for a, b in exact_pairs.tolist():
        uf.union(a, b)
    verified = _verify(session, uf, order_ids, todo, rule)
    analysis.counts["verified_pairs"] = verified + len(exact_code)
    started = _tick(analysis, "verify", started)
    owners = rule.owners
    for i in range(order_ids.size):
        root = uf.find(i)
        if root != i:
            analysis.cluster_of[int(order_ids[i])] = int(order_ids[root])
            if accounts[i] == accounts[root]:
                continue
            if owners is not None and owners.get(accounts[i], -1) == owners.get(accounts[root], -2):
                continue  # the unit's own content on another of its accounts
            analysis.copied.add(int(order_ids[i]))
    _tick(analysis, "union_find", started)


def _fine_pairs(
    session: Any, order_ids: np.ndarray, *, since: datetime, until: datetime, short_chars: int
) -> list[tuple[int, int]]:
    """Candidate pairs among the short posts, from the finer banding of their digests."""
    if short_chars <= 0:
        return []
    short = check_index.short_posts(session, since=since, until=until, max_length=short_chars)
    rows = [i for i, pid in enumerate(order_ids.tolist()) if pid in short]
    if len(rows) < 2:
        return []
    texts = check_data.texts_of(session, [int(order_ids[i]) for i in rows])
    norms = nd.normalise_many([texts.get(int(order_ids[i]), "") for i in rows])
    tokens, offsets = nd.shingle_hashes(norms)
    fine = nd.fine_band_keys(nd.signatures(tokens, offsets))
    return [(rows[a], rows[b]) for a, b in nd.candidate_pairs(fine).tolist()]


def _verify(
    session: Any, uf: nd.UnionFind, order_ids: np.ndarray, todo: list[tuple[int, int]], rule: CopyRule
) -> int:
    """Verify the candidate pairs on the exact shingle sets; join those that are near-duplicates."""
    verified = 0
    for start in range(0, len(todo), VERIFY_BLOCK):
        block = todo[start : start + VERIFY_BLOCK]
        need = {i for pair in block for i in pair}
        texts = check_data.texts_of(session, [int(order_ids[i]) for i in need])
        norms = dict(
            zip(need, nd.normalise_many([texts.get(int(order_ids[i]), "") for i in need]), strict=True)
        )
        sets = {i: nd.shingle_set(n) for i, n in norms.items()}
        for a, b in block:
            if nd.near_duplicate(
                sets[a],
                sets[b],
                similarity=rule.similarity,
                min_containment=rule.containment,
                earlier_chars=len(norms[a]),
                min_chars=rule.min_chars,
            ):
                uf.union(a, b)
                verified += 1
    return verified


def find_relays(
    session: Any,
    analysis: Analysis,
    *,
    releases: Sequence[dict[str, Any]],
    posts: Sequence[tuple[Any, ...]],
    containment: float,
) -> None:
    """Mark the window's posts that relay a key release (near-duplicate, not exact)."""
    started = time.perf_counter()
    published = {p[0]: p[2] for p in posts}
    for release in releases:
        norm = nd.normalise(release["text"])
        tokens, offsets = nd.shingle_hashes([norm])
        keys = nd.band_keys(nd.signatures(tokens, offsets))[0].tolist()
        found = check_index.lookup(session, list(enumerate(keys)), exact=release["exact_hash"])
        found = {
            pid
            for pid in found
            if pid in published and published[pid] >= release["published_at"] - timedelta(minutes=1)
        }
        if not found:
            continue
        want = np.unique(tokens)
        texts = check_data.texts_of(session, sorted(found))
        for pid, text in texts.items():
            share = nd.containment(want, nd.shingle_set(nd.normalise(text)))
            if share >= containment:
                analysis.key_relay.setdefault(pid, release["id"])
                analysis.relay_similarity[(release["id"], pid)] = round(share, 4)
    _tick(analysis, "relays", started)
