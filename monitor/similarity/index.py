"""The near-duplicate index, built as posts arrive.

``index_new_posts`` is the one function every ingest path calls once its posts are stored
(``govmedia crawl``, ``govmedia post import``, the scheduler's crawl job, a distributed crawl
worker after its batches): it fingerprints the posts not yet indexed, in chunks, and stores one
row per post through ``registry.checks.index``:

1. **normalise** the title and text (``monitor.similarity.normal``, vectorised);
2. **scan the lexicon** (Aho-Corasick over the normalised text) and keep the entries found;
3. **sign**: character 5-gram shingles, the 128-permutation MinHash digest (rensa), the 16
   band keys, and for a short post (at most ``FINE_INDEX_CHARS`` characters) the 42 finer
   band keys; the exact hash (xxh3) of the normalised text.

A check then reads the index of its window instead of the texts, and indexes only what is
still missing: posts stored by a path that did not index them, and lexicon entries added since
a post was scanned (``rescan_lexicon`` scans those posts for the new entries only).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from monitor.similarity import neardup as nd
from monitor.similarity.lexicon import Hit, Matcher, ensure_starter
from monitor.similarity.normal import clean_codes, split_codes
from registry.checks import data as check_data
from registry.checks import index as check_index
from registry.checks import inputs as check_inputs

CHUNK = 20_000
FINE_INDEX_CHARS = 200  # short posts whose finer band keys are stored (the national short_post_chars)


@dataclass
class Lexicon:
    """The lexicon as it stands: its matcher, its version (the highest entry id: entries are
    only ever added) and each entry's hit as a check reports it, in the matcher's order."""

    entries: list[dict[str, Any]]
    matcher: Matcher
    version: int
    position: dict[int, int]
    hits: dict[int, Hit]

    @classmethod
    def current(cls, session: Any, *, actor: str) -> Lexicon:
        ensure_starter(session, actor=actor)
        entries = check_inputs.list_entries(session)
        return cls(
            entries=entries,
            matcher=Matcher(entries),
            version=max((e["id"] for e in entries), default=0),
            position={e["id"]: n for n, e in enumerate(entries)},
            hits={e["id"]: (e["phrase"], e["kind"], e["correct"]) for e in entries},
        )

    def newer_than(self, version: int) -> Matcher:
        """A matcher of the entries added after ``version``."""
        return Matcher([e for e in self.entries if e["id"] > version])

    def reported(self, entry_ids: Sequence[int]) -> list[Hit]:
        """The hits of the given entries, in the order a scan with every entry reports them."""
        known = sorted((self.position[e], e) for e in set(entry_ids) if e in self.position)
        return [self.hits[e] for _, e in known]


@dataclass
class IndexReport:
    indexed: int = 0
    rescanned: int = 0
    timings: dict[str, float] = field(default_factory=dict)

    def tick(self, stage: str, started: float) -> float:
        now = time.perf_counter()
        self.timings[stage] = round(self.timings.get(stage, 0.0) + now - started, 3)
        return now


def index_new_posts(
    session: Any,
    *,
    post_ids: Sequence[int] | None = None,
    actor: str = "govmedia",
    lexicon: Lexicon | None = None,
    chunk: int = CHUNK,
    report: IndexReport | None = None,
) -> IndexReport:
    """Index the posts that have no fingerprint yet: the given ones, or else every post stored
    after the newest indexed one (what the last crawls and imports stored). Posts stored out of
    that order (a writer that committed late) are indexed by the next check of their window."""
    report = report or IndexReport()
    lexicon = lexicon or Lexicon.current(session, actor=actor)
    after = 0 if post_ids is not None else check_index.newest_indexed(session)
    started = time.perf_counter()
    for rows in check_index.unindexed_texts(session, after=after, post_ids=post_ids, chunk=chunk):
        started = report.tick("read", started)
        batch = fingerprint(rows, lexicon, report)
        started = time.perf_counter()
        check_index.store_fingerprints(session, batch)
        report.indexed += len(rows)
        started = report.tick("store", started)
    return report


def fingerprint(
    rows: Sequence[tuple[int, str | None, str | None]], lexicon: Lexicon, report: IndexReport
) -> check_index.Fingerprints:
    """The index rows of (post id, title, text) rows: normalise, scan, sign."""
    started = time.perf_counter()
    codes, lengths = clean_codes([check_data.join_text(title, text) for _, title, text in rows])
    norms = split_codes(codes, lengths)
    started = report.tick("normalise", started)
    hits = [
        (pid, entry)
        for (pid, _, _), norm in zip(rows, norms, strict=True)
        for entry in lexicon.matcher.scan_ids(norm)
    ]
    started = report.tick("lexicon", started)
    tokens, offsets = nd.shingle_codes(codes, lengths)
    sigs = nd.signatures(tokens, offsets)
    short = np.flatnonzero(lengths <= FINE_INDEX_CHARS)
    fine: list[Any] = [None] * len(rows)
    if short.size:
        for row, keys in zip(short.tolist(), nd.fine_band_keys(sigs[short]), strict=True):
            fine[row] = keys
    batch = check_index.Fingerprints(
        post_ids=[r[0] for r in rows],
        hashes=[nd.exact_hash(n) for n in norms],
        lengths=lengths.tolist(),
        bands=nd.band_keys(sigs),
        fine=fine,
        lexicon_version=lexicon.version,
        hits=hits,
    )
    report.tick("sign", started)
    return batch


def rescan_lexicon(session: Any, stale: dict[int, list[int]], lexicon: Lexicon, report: IndexReport) -> None:
    """Scan posts for the lexicon entries added since they were scanned (``stale``: version →
    post ids), record what is found and mark them scanned up to the current version."""
    for version, ids in sorted(stale.items()):
        matcher = lexicon.newer_than(version)
        if len(matcher):
            started = time.perf_counter()
            for start in range(0, len(ids), CHUNK):
                rows = list(check_index.texts_of(session, ids[start : start + CHUNK]))
                norms = nd.normalise_many([check_data.join_text(t, x) for _, t, x in rows])
                hits = [
                    (pid, entry)
                    for (pid, _, _), norm in zip(rows, norms, strict=True)
                    for entry in matcher.scan_ids(norm)
                ]
                check_index.add_hits(session, hits)
            report.tick("lexicon", started)
        check_index.mark_scanned(session, ids, lexicon.version)
        report.rescanned += len(ids)
