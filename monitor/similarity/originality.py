"""Originality, relays and lexicon hits over a check window's posts.

The window's index (``monitor.similarity.index``: built as posts arrive) is read in one query;
posts still missing from it are indexed first, and posts scanned before lexicon entries were
added are scanned for those entries (``prepare_window``). Candidate pairs come from shared keys
(each post against the earliest post of its bucket), every candidate is verified on the exact
shingle sets, and union-find builds the clusters. A pair is a near-duplicate when its Jaccard
similarity reaches the profile's ``similarity`` or the earlier post is contained in the later
one to the profile's ``copy_containment`` (``monitor.similarity.neardup.near_duplicate``);
posts of at most ``short_post_chars`` characters are also paired through their finer banding,
so that a short post with a prefix and a swapped phrase is found. In a cluster, posts by
accounts other than the earliest post's account are copies (not original), except, when the
profile says so, posts of an account of the same 主办单位 as the earliest (一次采集、多元发布:
a unit republishing its own content on its own platforms).

A key release (转载任务) is matched against the window's band keys and exact hashes in memory,
all releases in one pass, and the candidates that contain at least ``relay_containment`` of
its shingles are kept.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from monitor.parallel import pool_map
from monitor.similarity import neardup as nd
from monitor.similarity.index import IndexReport, Lexicon, index_new_posts, rescan_lexicon
from monitor.similarity.lexicon import Hit
from monitor.similarity.normal import clean_codes
from registry.checks import data as check_data
from registry.checks import index as check_index
from registry.checks.data import WindowPosts
from registry.db import url_of

VERIFY_BLOCK = 5_000  # candidate pairs verified at a time (their texts, codes and shingles in memory)


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


def prepare_window(
    session: Any,
    analysis: Analysis,
    *,
    since: datetime,
    until: datetime,
    post_ids: Sequence[int] | np.ndarray,
    lexicon: Lexicon,
) -> check_index.WindowIndex:
    """The index of the window's posts (``post_ids``), completed first: posts not indexed yet
    are indexed, posts scanned before lexicon entries were added are scanned for them; the
    lexicon hits of the window go into ``analysis.hits``."""
    report = IndexReport()
    started = time.perf_counter()
    window = check_index.load_index(session, since=since, until=until, post_ids=post_ids)
    started = _tick(analysis, "load_index", started)
    missing = np.setdiff1d(np.asarray(post_ids, dtype=np.int64), window.ids, assume_unique=True)
    if missing.size:
        index_new_posts(session, post_ids=missing.tolist(), lexicon=lexicon, report=report)
        window = check_index.load_index(session, since=since, until=until, post_ids=post_ids)
    stale: dict[int, list[int]] = {}
    for version in np.unique(window.versions[window.versions < lexicon.version]).tolist():
        stale[version] = window.ids[window.versions == version].tolist()
    if stale:
        rescan_lexicon(session, stale, lexicon, report)
        window.versions[:] = lexicon.version
    started = _tick(analysis, "index", started)
    for pid, entries in check_index.hits_between(session, since=since, until=until).items():
        found = lexicon.reported(entries)
        if found:
            analysis.hits[pid] = found
    _tick(analysis, "hits", started)
    analysis.counts.update(indexed=report.indexed, rescanned=report.rescanned)
    return window


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
    posts: WindowPosts,
    similarity: float,
    rule: CopyRule | None = None,
    window: check_index.WindowIndex | None = None,
) -> None:
    """Verified near-duplicate clusters of the window's posts (in time order), from the window's
    index (read when not given). Pairs are (earliest of a bucket, each other post of it), by
    the posts' rank in time; a post without a fingerprint is in no bucket."""
    rule = rule or CopyRule(similarity=similarity)
    started = time.perf_counter()
    if window is None:
        window = check_index.load_index(session, since=since, until=until)
        started = _tick(analysis, "load_index", started)
    order_ids = posts.ids
    n = order_ids.size
    if window.ids.size == 0 or n == 0:
        return
    rank = np.full(window.ids.size, -1, dtype=np.int64)  # each indexed post's place in time order
    where, present = _rows_of(window.ids, order_ids)
    rank[where[present]] = np.flatnonzero(present)
    if (rank >= 0).all():  # the usual case: the whole window is indexed (no copy of its keys)
        hashes, keys = window.hashes, window.keys
    else:
        hashes, keys, rank = window.hashes[rank >= 0], window.keys[rank >= 0], rank[rank >= 0]
    exact_pairs = nd.candidate_pairs(hashes[:, None], rank)
    band_pairs = nd.candidate_pairs(keys, rank)
    fine = _fine_pairs(session, window, order_ids, short_chars=rule.short_chars)
    exact_code = exact_pairs[:, 0] * n + exact_pairs[:, 1]
    codes = np.unique(np.concatenate([band_pairs[:, 0] * n + band_pairs[:, 1], fine[:, 0] * n + fine[:, 1]]))
    codes = codes[~np.isin(codes, exact_code)]
    todo = np.stack([codes // n, codes % n], axis=1)
    analysis.counts.update(candidates=len(todo) + len(exact_code), exact_pairs=len(exact_code))
    started = _tick(analysis, "candidates", started)
    uf = nd.UnionFind(n)
    for a, b in exact_pairs.tolist():
        uf.union(a, b)
    verified = _verify(session, uf, order_ids, todo, rule)
    analysis.counts["verified_pairs"] = verified + len(exact_code)
    started = _tick(analysis, "verify", started)
    owners = rule.owners
    accounts = posts.accounts
    joined = np.flatnonzero(np.asarray(uf.parent, dtype=np.int64) != np.arange(n))  # the rest are roots
    for i in joined.tolist():
        root = uf.find(i)
        analysis.cluster_of[int(order_ids[i])] = int(order_ids[root])
        mine, theirs = int(accounts[i]), int(accounts[root])
        if mine == theirs:
            continue
        if owners is not None and owners.get(mine, -1) == owners.get(theirs, -2):
            continue  # the unit's own content on another of its accounts
        analysis.copied.add(int(order_ids[i]))
    _tick(analysis, "union_find", started)


def _rows_of(ids: np.ndarray, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows of ``wanted`` post ids in the sorted ``ids``, and whether each is there."""
    rows = np.clip(np.searchsorted(ids, wanted), 0, max(ids.size - 1, 0))
    return rows, ids[rows] == wanted if ids.size else np.zeros(wanted.size, dtype=bool)


def _fine_pairs(
    session: Any, window: check_index.WindowIndex, order_ids: np.ndarray, *, short_chars: int
) -> np.ndarray:
    """Candidate pairs (rows in time order) among the short posts, from their finer banding:
    stored with the index up to ``FINE_INDEX_CHARS`` characters, computed here beyond."""
    none = np.zeros((0, 2), dtype=np.int64)
    if short_chars <= 0 or window.ids.size == 0:
        return none
    rows, present = _rows_of(window.ids, order_ids)
    lengths = np.where(present, window.lengths[rows], short_chars + 1)
    short = np.flatnonzero(lengths <= short_chars)
    if short.size < 2:
        return none
    keys = np.zeros((short.size, nd.FINE_BANDS), dtype=np.int64)
    later: list[int] = []
    for j, row in enumerate(short.tolist()):
        stored = window.fine.get(int(order_ids[row]))
        if stored is None:
            later.append(j)
        else:
            keys[j] = stored
    if later:  # longer than the stored finer banding: sign them now
        texts = dict(
            (pid, check_data.join_text(t, x))
            for pid, t, x in check_index.texts_of(session, [int(order_ids[short[j]]) for j in later])
        )
        norms = nd.normalise_many([texts.get(int(order_ids[short[j]]), "") for j in later])
        tokens, offsets = nd.shingle_hashes(norms)
        keys[later] = nd.fine_band_keys(nd.signatures(tokens, offsets))
    pairs = nd.candidate_pairs(keys)
    return np.stack([short[pairs[:, 0]], short[pairs[:, 1]]], axis=1) if pairs.size else none


def _shingle_sets(session: Any, post_ids: list[int]) -> tuple[dict[int, nd.U64], dict[int, int]]:
    """Each post's set of shingle hashes (sorted, unique) and its normalised length."""
    rows = list(check_index.texts_of(session, post_ids))
    codes, lengths = clean_codes([check_data.join_text(t, x) for _, t, x in rows])
    sets = nd.shingle_sets(*nd.shingle_codes(codes, lengths))
    ids = [pid for pid, _, _ in rows]
    return dict(zip(ids, sets, strict=True)), dict(zip(ids, lengths.tolist(), strict=True))


PARALLEL_PAIRS = 100_000  # candidate pairs from which verification is split over the cores


def _verify(session: Any, uf: nd.UnionFind, order_ids: np.ndarray, todo: np.ndarray, rule: CopyRule) -> int:
    """Verify the candidate pairs on the exact shingle sets; join those that are near-duplicates.
    Blocks of pairs are verified by worker processes (``monitor.parallel``, each reading the
    committed posts through its own connection) when there are many."""
    blocks = [todo[start : start + VERIFY_BLOCK] for start in range(0, len(todo), VERIFY_BLOCK)]
    url = url_of(session)
    if url is not None and len(todo) >= PARALLEL_PAIRS:
        joined = pool_map(_verify_block, blocks, _Verifying(url, order_ids, rule))
    else:
        joined = (_verified(session, order_ids, rule, block) for block in blocks)
    verified = 0
    for block, near in zip(blocks, joined, strict=True):
        for a, b in block[near].tolist():
            uf.union(a, b)
        verified += int(near.sum())
    return verified


@dataclass(frozen=True)
class _Verifying:
    """What a worker process needs to verify blocks of pairs."""

    url: str  # the database it opens
    order_ids: np.ndarray
    rule: CopyRule


def _verify_block(state: _Verifying, block: np.ndarray) -> np.ndarray:
    from registry.db import session_scope

    with session_scope(state.url, check=False) as session:
        return _verified(session, state.order_ids, state.rule, block)


def _verified(session: Any, order_ids: np.ndarray, rule: CopyRule, block: np.ndarray) -> np.ndarray:
    """Which pairs of a block are near-duplicates (a boolean per pair)."""
    pairs = block.tolist()
    need = sorted({int(order_ids[i]) for pair in pairs for i in pair})
    sets, lengths = _shingle_sets(session, need)
    empty = np.zeros(0, dtype=np.uint64)
    out = np.zeros(len(pairs), dtype=bool)
    for row, (a, b) in enumerate(pairs):
        pa, pb = int(order_ids[a]), int(order_ids[b])
        out[row] = nd.near_duplicate(
            sets.get(pa, empty),
            sets.get(pb, empty),
            similarity=rule.similarity,
            min_containment=rule.containment,
            earlier_chars=lengths.get(pa, 0),
            min_chars=rule.min_chars,
        )
    return out


def find_relays(
    session: Any,
    analysis: Analysis,
    *,
    releases: Sequence[dict[str, Any]],
    posts: WindowPosts,
    containment: float,
    window: check_index.WindowIndex | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> None:
    """Mark the window's posts that relay a key release: every release matched at once against
    the window's band keys and exact hashes, then each candidate's containment verified."""
    started = time.perf_counter()
    if not releases:
        _tick(analysis, "relays", started)
        return
    if window is None:
        assert since is not None and until is not None
        window = check_index.load_index(session, since=since, until=until)
    norms = nd.normalise_many([r["text"] for r in releases])
    tokens, offsets = nd.shingle_hashes(norms)
    release_keys = nd.band_keys(nd.signatures(tokens, offsets))
    wanted = [np.unique(tokens[offsets[k] : offsets[k + 1]]) for k in range(len(releases))]
    candidates = _release_candidates(window, release_keys, [r["exact_hash"] for r in releases])
    by_id = np.argsort(posts.ids)
    ids = posts.ids[by_id]
    found: dict[int, list[int]] = {}
    for k, release in enumerate(releases):
        floor = release["published_at"] - timedelta(minutes=1)
        maybe = np.array(sorted(candidates.get(k, ())), dtype=np.int64)
        rows, present = _rows_of(ids, maybe)
        found[k] = [
            pid
            for pid, row in zip(maybe[present].tolist(), by_id[rows[present]].tolist(), strict=True)
            if posts.published[row] >= floor
        ]
    shares: dict[tuple[int, int], float] = {}
    posts_found = sorted({pid for ids in found.values() for pid in ids})
    releases_of: dict[int, list[int]] = {}
    for k in range(len(releases)):
        for pid in found[k]:
            releases_of.setdefault(pid, []).append(k)
    empty = np.zeros(0, dtype=np.uint64)
    for start in range(0, len(posts_found), VERIFY_BLOCK):  # a block of texts in memory at a time
        sets, _ = _shingle_sets(session, posts_found[start : start + VERIFY_BLOCK])
        for pid in posts_found[start : start + VERIFY_BLOCK]:
            for k in releases_of[pid]:
                shares[(k, pid)] = nd.containment(wanted[k], sets.get(pid, empty))
    for k, release in enumerate(releases):
        for pid in found[k]:
            share = shares[(k, pid)]
            if share >= containment:
                analysis.key_relay.setdefault(pid, release["id"])
                analysis.relay_similarity[(release["id"], pid)] = round(share, 4)
    _tick(analysis, "relays", started)


def _release_candidates(
    window: check_index.WindowIndex, release_keys: np.ndarray, exact: Sequence[int]
) -> dict[int, set[int]]:
    """Per release (by position), the window's posts sharing a band key in the same band, or
    the exact hash: one join of all releases' keys against the window's keys."""
    out: dict[int, set[int]] = {}
    for band in range(release_keys.shape[1]):
        _join(out, window.keys[:, band], release_keys[:, band], window.ids)
    _join(out, window.hashes, np.asarray(exact, dtype=np.int64), window.ids)
    return out


def _join(out: dict[int, set[int]], column: np.ndarray, keys: np.ndarray, ids: np.ndarray) -> None:
    """Add to ``out[k]`` the ids whose ``column`` value equals ``keys[k]``."""
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    hit = np.flatnonzero(np.isin(column, sorted_keys))
    for row in hit.tolist():
        value = column[row]
        lo = int(np.searchsorted(sorted_keys, value, side="left"))
        hi = int(np.searchsorted(sorted_keys, value, side="right"))
        for k in order[lo:hi].tolist():
            out.setdefault(k, set()).add(int(ids[row]))
