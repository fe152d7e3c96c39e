"""The near-duplicate index in the database: one row per post, written as posts arrive.

The monitor computes each post's fingerprint (``monitor.similarity.index``); this module
stores and reads it. A row (``post_fingerprints``) holds the exact hash of the normalised
text, its length, the 16 LSH band keys (packed int64), the 42 finer band keys of a short post
(packed, empty for longer posts) and the lexicon version it was scanned against; the lexicon
entries found in the post are rows of ``post_hits``. A check reads the rows of its window in
one query and matches in memory, so no lookup per post or per key release is needed.

Rows are written in bulk: a DBAPI ``executemany`` on SQLite, COPY into a staging table and one
``INSERT … ON CONFLICT DO NOTHING`` on PostgreSQL (``registry.bulk``). A post indexed twice
(two writers at once) keeps its first row.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

import numpy as np
import numpy.typing as npt
from sqlalchemy import Table, false, func, select, update
from sqlalchemy.orm import Session

from registry.bulk import among, dialect, raw_rows, sqlite_time, stage_rows, staged
from registry.checks.models import PostFingerprint, PostHit
from registry.collection.models import Post
from registry.db import utcnow

BANDS = 16
FINE_BANDS = 42
LOAD_CHUNK = 100_000
ID_CHUNK = 5_000  # ids per IN list
FINGERPRINTS = cast(Table, PostFingerprint.__table__)
HITS = cast(Table, PostHit.__table__)
_FP_COLUMNS = ("post_id", "exact_hash", "length", "bands", "fine_bands", "lexicon_version", "indexed_at")

I64 = npt.NDArray[np.int64]


@dataclass
class Fingerprints:
    """A batch of fingerprints to store: ``bands`` is N×16, ``fine`` one N×42 row per post
    (None for a post too long for the finer banding), ``hits`` (post id, entry id) pairs."""

    post_ids: list[int]
    hashes: list[int]
    lengths: list[int]
    bands: I64
    fine: list[I64 | None]
    lexicon_version: int
    hits: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class WindowIndex:
    """The index rows of a window's posts, sorted by post id."""

    ids: I64
    hashes: I64
    lengths: I64
    keys: I64  # N×16
    versions: I64
    fine: dict[int, I64]  # post id → its 42 finer band keys (short posts only)


def newest_indexed(session: Session) -> int:
    """The highest post id that has a fingerprint (0: none)."""
    return int(session.scalar(select(func.max(PostFingerprint.post_id))) or 0)


def unindexed_texts(
    session: Session, *, after: int = 0, post_ids: Sequence[int] | None = None, chunk: int = 20_000
) -> Iterator[list[tuple[int, str | None, str | None]]]:
    """(post id, title, text) of the posts without a fingerprint, in id order and in chunks:
    those given, or those with an id above ``after`` (the newest indexed post when the caller
    started: none of them has one, except any a concurrent writer indexes meanwhile, which
    ``store_fingerprints`` leaves as they are). Read page by page, so the caller may write
    between chunks."""
    if post_ids is not None:
        missing = ~select(PostFingerprint.post_id).where(PostFingerprint.post_id == Post.id).exists()
        ids = sorted(set(post_ids))
        for start in range(0, len(ids), chunk):
            part = ids[start : start + chunk]
            rows: list[tuple[int, str | None, str | None]] = []
            for s in range(0, len(part), ID_CHUNK):
                query = select(Post.id, Post.title, Post.text).where(
                    among(session, Post.id, part[s : s + ID_CHUNK]), missing
                )
                rows += [(r[0], r[1], r[2]) for r in session.execute(query.order_by(Post.id))]
            if rows:
                yield rows
        return
    while True:
        query = select(Post.id, Post.title, Post.text).where(Post.id > after)
        page: list[tuple[int, str | None, str | None]] = [
            (r[0], r[1], r[2]) for r in session.execute(query.order_by(Post.id).limit(chunk))
        ]
        if not page:
            return
        yield page
        after = page[-1][0]


def store_fingerprints(session: Session, batch: Fingerprints) -> int:
    """Write a batch of fingerprints and their lexicon hits (posts already indexed are left as
    they are)."""
    if not batch.post_ids:
        return 0
    now = utcnow()
    packed = np.ascontiguousarray(batch.bands, dtype="<i8")
    rows = [
        (
            int(pid),
            int(h),
            int(n),
            packed[i].tobytes(),
            None if fine is None else np.ascontiguousarray(fine, dtype="<i8").tobytes(),
            int(batch.lexicon_version),
        )
        for i, (pid, h, n, fine) in enumerate(
            zip(batch.post_ids, batch.hashes, batch.lengths, batch.fine, strict=True)
        )
    ]
    if dialect(session) == "postgresql":
        stage_rows(
            session,
            target="post_fingerprints",
            stage="fingerprints_stage",
            columns=_FP_COLUMNS,
            rows=((*r, now) for r in rows),
        )
        cols = ", ".join(_FP_COLUMNS)
        session.connection().exec_driver_sql(
            f"INSERT INTO post_fingerprints ({cols}) {staged('fingerprints_stage', _FP_COLUMNS)} "
            "ON CONFLICT (post_id) DO NOTHING"
        )
    else:
        when = sqlite_time(now)
        session.connection().exec_driver_sql(
            f"INSERT OR IGNORE INTO post_fingerprints ({', '.join(_FP_COLUMNS)}) "
            f"VALUES ({', '.join('?' for _ in _FP_COLUMNS)})",
            [(*r, when) for r in rows],
        )
    add_hits(session, batch.hits)
    return len(rows)


def add_hits(session: Session, hits: Sequence[tuple[int, int]]) -> None:
    """Record lexicon entries found in posts (pairs already recorded are kept once)."""
    if not hits:
        return
    pairs = sorted(set(hits))
    if dialect(session) == "postgresql":
        stage_rows(
            session, target="post_hits", stage="hits_stage", columns=("post_id", "entry_id"), rows=pairs
        )
        session.connection().exec_driver_sql(
            "INSERT INTO post_hits (post_id, entry_id) "
            f"{staged('hits_stage', ('post_id', 'entry_id'))} ON CONFLICT DO NOTHING"
        )
    else:
        session.connection().exec_driver_sql(
            "INSERT OR IGNORE INTO post_hits (post_id, entry_id) VALUES (?, ?)", pairs
        )


def mark_scanned(session: Session, post_ids: Sequence[int], version: int) -> None:
    """The posts were scanned against the lexicon up to entry ``version``."""
    ids = sorted(set(post_ids))
    for start in range(0, len(ids), ID_CHUNK):
        session.execute(
            update(FINGERPRINTS)
            .where(among(session, FINGERPRINTS.c.post_id, ids[start : start + ID_CHUNK]))
            .values(lexicon_version=version)
        )


def clear(session: Session) -> None:
    """Drop the whole index (it is rebuilt as posts are indexed again: after a change of the
    signing library, or to measure building it)."""
    session.execute(HITS.delete())
    session.execute(FINGERPRINTS.delete())


def load_index(session: Session, *, since: datetime, until: datetime, post_ids: Any = None) -> WindowIndex:
    """The index rows of the posts published in [since, until], sorted by post id. Given the
    window's post ids (sorted or not), the rows are read by a range of ids from the index
    alone and kept when they are the window's (no join with the posts, no sort)."""
    query = select(
        PostFingerprint.post_id,
        PostFingerprint.exact_hash,
        PostFingerprint.length,
        PostFingerprint.lexicon_version,
        PostFingerprint.bands,
        PostFingerprint.fine_bands,
    )
    wanted = None
    if post_ids is not None:
        wanted = np.unique(np.asarray(post_ids, dtype=np.int64))
        if wanted.size == 0:
            query = query.where(false())
        else:
            lo, hi = int(wanted[0]), int(wanted[-1])
            query = query.where(PostFingerprint.post_id >= lo, PostFingerprint.post_id <= hi)
    else:
        query = query.join(Post, Post.id == PostFingerprint.post_id).where(
            Post.published_at >= since, Post.published_at <= until
        )
    scalars: list[I64] = []
    blobs = bytearray()  # the packed band keys, appended in place (no copy of the whole window)
    fine: dict[int, I64] = {}
    for part in raw_rows(session, query.order_by(PostFingerprint.post_id), LOAD_CHUNK):
        if wanted is not None:
            keep = np.isin(np.fromiter((r[0] for r in part), dtype=np.int64, count=len(part)), wanted)
            if not keep.all():
                part = [r for r, k in zip(part, keep.tolist(), strict=True) if k]
            if not part:
                continue
        scalars.append(np.array([r[:4] for r in part], dtype=np.int64).reshape(-1, 4))
        for r in part:
            blobs += r[4]
        fine.update({r[0]: np.frombuffer(r[5], dtype="<i8").astype(np.int64) for r in part if r[5]})
    table = np.concatenate(scalars) if scalars else np.zeros((0, 4), dtype=np.int64)
    keys = np.frombuffer(blobs, dtype="<i8").reshape(-1, BANDS)
    return WindowIndex(
        ids=table[:, 0].copy(),
        hashes=table[:, 1].copy(),
        lengths=table[:, 2].copy(),
        versions=table[:, 3].copy(),
        keys=keys,
        fine=fine,
    )


def hits_between(session: Session, *, since: datetime, until: datetime) -> dict[int, list[int]]:
    """Lexicon entries found in each post published in [since, until] (post id → entry ids)."""
    query = (
        select(PostHit.post_id, PostHit.entry_id)
        .join(Post, Post.id == PostHit.post_id)
        .where(Post.published_at >= since, Post.published_at <= until)
    )
    out: dict[int, list[int]] = {}
    for pid, entry in session.execute(query):
        out.setdefault(pid, []).append(entry)
    return out


def texts_of(session: Session, post_ids: Sequence[int]) -> Iterator[tuple[int, str | None, str | None]]:
    """(post id, title, text) of the given posts, in id order."""
    ids = sorted(set(post_ids))
    for start in range(0, len(ids), ID_CHUNK):
        query = select(Post.id, Post.title, Post.text).where(
            among(session, Post.id, ids[start : start + ID_CHUNK])
        )
        yield from (tuple(r) for r in session.execute(query.order_by(Post.id)))  # type: ignore[misc]
