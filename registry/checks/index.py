"""The near-duplicate index in the database: one exact hash and 16 LSH band keys per post.

The monitor computes fingerprints (``monitor.neardup``); this module stores and reads them.
With the band keys in ``post_bands`` (indexed on band, key), "which posts may be a relay of
release X" is a lookup of X's 16 keys, followed by an exact check of the few candidates.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import cast

import numpy as np
import numpy.typing as npt
from sqlalchemy import Table, insert, select, tuple_
from sqlalchemy.orm import Session

from registry.checks.models import PostBand, PostFingerprint
from registry.collection.models import Post
from registry.db import utcnow

BANDS = 16
LOAD_CHUNK = 200_000
FINGERPRINTS = cast(Table, PostFingerprint.__table__)
BAND_ROWS = cast(Table, PostBand.__table__)


def unindexed_posts(session: Session, *, since: datetime, until: datetime) -> set[int]:
    """Posts published in [since, until] that have no fingerprint yet."""
    query = (
        select(Post.id)
        .outerjoin(PostFingerprint, PostFingerprint.post_id == Post.id)
        .where(Post.published_at >= since, Post.published_at <= until, PostFingerprint.post_id.is_(None))
    )
    return set(session.scalars(query))


def store_fingerprints(
    session: Session,
    post_ids: Sequence[int],
    hashes: Sequence[int],
    lengths: Sequence[int],
    keys: npt.NDArray[np.int64],
) -> int:
    """Write fingerprints and band keys (``keys`` is N×16) of newly indexed posts."""
    if not post_ids:
        return 0
    now = utcnow()
    conn = session.connection()  # Core executemany: the ORM bulk path is 3× slower here
    packed = np.ascontiguousarray(keys, dtype="<i8")
    conn.execute(
        insert(FINGERPRINTS),
        [
            {
                "post_id": int(p),
                "exact_hash": int(h),
                "length": int(n),
                "bands": packed[i].tobytes(),
                "indexed_at": now,
            }
            for i, (p, h, n) in enumerate(zip(post_ids, hashes, lengths, strict=True))
        ],
    )
    rows = [
        {"post_id": int(p), "band": b, "key": int(k)}
        for p, row in zip(post_ids, keys.tolist(), strict=True)
        for b, k in enumerate(row)
    ]
    for start in range(0, len(rows), 100_000):
        conn.execute(insert(BAND_ROWS), rows[start : start + 100_000])
    return len(post_ids)


def load_index(
    session: Session, *, since: datetime, until: datetime
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """(post ids, exact hashes, N×16 band keys) of the indexed posts published in [since, until]."""
    result = session.execute(
        select(PostFingerprint.post_id, PostFingerprint.exact_hash, PostFingerprint.bands)
        .join(Post, Post.id == PostFingerprint.post_id)
        .where(Post.published_at >= since, Post.published_at <= until)
        .order_by(PostFingerprint.post_id)
        .execution_options(yield_per=LOAD_CHUNK)
    )
    id_parts, hash_parts, key_parts, missing = [], [], [], []
    blank = bytes(8 * BANDS)
    for part in result.partitions(LOAD_CHUNK):
        id_parts.append(np.fromiter((r[0] for r in part), dtype=np.int64, count=len(part)))
        hash_parts.append(np.fromiter((r[1] for r in part), dtype=np.int64, count=len(part)))
        key_parts.append(np.frombuffer(b"".join(r[2] or blank for r in part), dtype="<i8").reshape(-1, BANDS))
        missing += [r[0] for r in part if r[2] is None]
    if not id_parts:
        return (
            np.zeros(0, dtype=np.int64),
            np.zeros(0, dtype=np.int64),
            np.zeros((0, BANDS), dtype=np.int64),
        )
    ids, hashes = np.concatenate(id_parts), np.concatenate(hash_parts)
    keys = np.concatenate(key_parts).astype(np.int64)
    for start in range(0, len(missing), 900):  # rows written before band keys were packed
        for pid, band, key in session.execute(
            select(PostBand.post_id, PostBand.band, PostBand.key).where(
                PostBand.post_id.in_(missing[start : start + 900])
            )
        ):
            keys[np.searchsorted(ids, pid), band] = key
    return ids, hashes, keys


def lookup(session: Session, keys: Iterable[tuple[int, int]], exact: int | None = None) -> set[int]:
    """Posts sharing any (band, key) pair, or the exact hash, with the given fingerprint."""
    pairs = [(int(b), int(k)) for b, k in keys]
    found = (
        set(session.scalars(select(PostBand.post_id).where(tuple_(PostBand.band, PostBand.key).in_(pairs))))
        if pairs
        else set()
    )
    if exact is not None:
        found |= set(
            session.scalars(select(PostFingerprint.post_id).where(PostFingerprint.exact_hash == exact))
        )
    return found


def short_posts(session: Session, *, since: datetime, until: datetime, max_length: int) -> set[int]:
    """Indexed posts of [since, until] whose normalised text has at most ``max_length``
    characters (they get a finer near-duplicate search: a prefix and a swapped phrase weigh
    more in a short text)."""
    query = (
        select(PostFingerprint.post_id)
        .join(Post, Post.id == PostFingerprint.post_id)
        .where(
            Post.published_at >= since,
            Post.published_at <= until,
            PostFingerprint.length <= max_length,
        )
    )
    return set(session.scalars(query))
