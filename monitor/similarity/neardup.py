"""Near-duplicate detection for originality (原创度) and relays (转载).

Pipeline, chosen from the measurements in the project's performance research:

1. **Normalise** text: drop everything that is not a letter or digit, NFKC, lowercase, so
   that a relay that only changed punctuation, spacing or full-width forms is identical.
2. **Exact hash** (xxh3_64) of the normalised text: identical relays are found for free.
3. **MinHash-LSH** on character 5-gram shingles: the shingles are hashed with numpy, rensa
   (pinned 0.5.0) computes the 128-permutation digest matrix, and our own numpy code cuts it
   into 16 bands of 8 rows; each band becomes one 64-bit key. Two texts with Jaccard
   similarity J share at least one band key with probability 1-(1-J^8)^16 (0.99 at J=0.8).
4. **Exact verification** of every candidate pair on the shingle sets: only pairs whose true
   Jaccard similarity reaches the threshold are kept, so precision is exact.
5. **Clusters** by union-find over buckets: each post is compared only with the earliest post
   of every bucket it falls in, never with all pairs.

People copy short posts by adding a prefix ("转自某某：") and swapping a phrase, which pulls the
Jaccard similarity of a 50-character post well under 0.8 while the earlier post is still
almost wholly *contained* in the later one. So a pair is a near-duplicate when its Jaccard
similarity reaches the threshold **or** the share of the earlier post's shingles found in the
later one (``containment``) does, for an earlier post of at least a minimum length; and short
posts get a second, finer banding of the same digests (``FINE_BANDS`` bands of ``FINE_ROWS``
rows: a pair at J = 0.5 shares a key with probability 0.996) so that such pairs are found.
"""

from __future__ import annotations

import array
from collections.abc import Sequence
from itertools import pairwise

import numpy as np
import numpy.typing as npt
import rensa
import xxhash

from monitor.similarity.normal import clean, clean_many

SHINGLE = 5
NUM_PERM = 128
BANDS = 16
ROWS = 8
SEED = 20261123
_PRIME = np.uint64(1099511628211)
_MIX = (
    np.uint64(0x9E3779B97F4A7C15),
    np.uint64(0xC2B2AE3D27D4EB4F),
    np.uint64(0x165667B19E3779F9),
    np.uint64(0x27D4EB2F165667C5),
)

U64 = npt.NDArray[np.uint64]


def normalise(text: str | None) -> str:
    """Letters and digits only (NFKC-folded), lowercase (``monitor.similarity.normal``)."""
    return clean(text) if text else ""


def normalise_many(texts: Sequence[str | None]) -> list[str]:
    """``normalise`` over a batch, vectorised (``monitor.similarity.normal.clean_many``)."""
    return clean_many(texts)


def exact_hash(norm: str) -> int:
    """xxh3_64 of a normalised text, as a signed 64-bit integer (fits a BIGINT column)."""
    h = xxhash.xxh3_64_intdigest(norm.encode("utf-8"))
    return h - _TWO64 if h >= _TWO63 else h


_TWO63, _TWO64 = 1 << 63, 1 << 64


def _mix(x: U64) -> U64:
    x = x ^ (x >> np.uint64(31))
    x = x * _MIX[0]
    x = x ^ (x >> np.uint64(29))
    return x


def shingle_hashes(norms: Sequence[str]) -> tuple[U64, npt.NDArray[np.int64]]:
    """Hashes of all character 5-grams of each normalised text, flat, with row offsets (len+1)."""
    lengths = np.fromiter((len(n) for n in norms), dtype=np.int64, count=len(norms))
    codes = np.frombuffer("".join(norms).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    return shingle_codes(codes, lengths)


def shingle_codes(
    codes: npt.NDArray[np.uint32], lengths: npt.NDArray[np.int64]
) -> tuple[U64, npt.NDArray[np.int64]]:
    """``shingle_hashes`` of texts given as code points (one flat array, each text's length).

    Each character is folded to 16 bits; four consecutive characters are read as one
    64-bit word straight from the buffer and the fifth is mixed in with one multiply.
    A text shorter than five characters yields a single shingle of the whole text.
    """
    short = np.flatnonzero((lengths > 0) & (lengths < SHINGLE))
    if short.size:  # pad short texts with NUL to one shingle
        bounds = np.concatenate(([0], np.cumsum(lengths)))
        parts, done = [], 0
        for i in short.tolist():
            parts += [codes[done : bounds[i + 1]], np.zeros(SHINGLE - lengths[i], dtype=np.uint32)]
            done = bounds[i + 1]
        codes = np.concatenate([*parts, codes[done:]])
        lengths = lengths.copy()
        lengths[short] = SHINGLE
    total = codes.size
    counts = np.maximum(lengths - SHINGLE + 1, 0)
    offsets = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
    if total < SHINGLE:
        return np.zeros(0, dtype=np.uint64), offsets
    folded = ((codes & 0xFFFF) ^ ((codes >> 16) * 0x1F)).astype(np.uint16)
    words = np.lib.stride_tricks.as_strided(
        np.frombuffer(folded.tobytes() + b"\0" * 6, dtype=np.uint64, count=1),
        shape=(total - SHINGLE + 1,),
        strides=(2,),
    )
    with np.errstate(over="ignore"):
        h = words + folded[SHINGLE - 1 :].astype(np.uint64) * _MIX[0]
    valid = np.ones(total - SHINGLE + 1, dtype=bool)
    ends = np.cumsum(lengths)
    cross = (ends[:, None] - np.arange(1, SHINGLE, dtype=np.int64)).ravel()
    valid[cross[(cross >= 0) & (cross < valid.size)]] = False
    return h[valid], offsets


def signatures(tokens: U64, offsets: npt.NDArray[np.int64]) -> npt.NDArray[np.uint32]:
    """The 128-permutation MinHash digest matrix (rensa), one row per text."""
    rows = len(offsets) - 1
    if rows == 0:
        return np.zeros((0, NUM_PERM), dtype=np.uint32)
    matrix = rensa.RMinHash.digest_matrix_from_flat_token_hashes(
        tokens, offsets.astype(np.uint64), NUM_PERM, SEED
    )
    flat = array.array("I")  # rensa hands the digests over as lists: the quickest way into numpy
    for row in matrix.to_rows():
        flat.extend(row)
    return np.frombuffer(flat, dtype=np.uint32).reshape(rows, NUM_PERM)


def band_keys(sigs: npt.NDArray[np.uint32]) -> npt.NDArray[np.int64]:
    """16 band keys per text (signed 64-bit): band b hashes rows 8b..8b+7 of the signature."""
    n = sigs.shape[0]
    parts = np.ascontiguousarray(sigs).view(np.uint64).reshape(n, BANDS, ROWS // 2)
    with np.errstate(over="ignore"):
        key = np.zeros((n, BANDS), dtype=np.uint64)
        for j in range(ROWS // 2):
            key = _mix(key ^ (parts[:, :, j] * _MIX[j]))
        key = _mix(key + np.arange(BANDS, dtype=np.uint64) * _MIX[1])
    return key.view(np.int64)


def fingerprint(texts: Sequence[str | None]) -> tuple[list[str], list[int], npt.NDArray[np.int64]]:
    """Normalised texts, exact hashes and band keys (N×16) of a batch of texts."""
    norms = normalise_many(texts)
    hashes = [exact_hash(n) for n in norms]
    tokens, offsets = shingle_hashes(norms)
    return norms, hashes, band_keys(signatures(tokens, offsets))


def shingle_set(norm: str) -> U64:
    tokens, _ = shingle_hashes([norm])
    return np.unique(tokens)


def shingle_sets(tokens: U64, offsets: npt.NDArray[np.int64]) -> list[U64]:
    """Each text's set of shingle hashes (sorted, unique), from ``shingle_hashes``."""
    out = []
    for a, b in pairwise(offsets.tolist()):
        part = np.sort(tokens[a:b])
        if part.size > 1:
            part = part[np.concatenate(([True], part[1:] != part[:-1]))]
        out.append(part)
    return out


def overlap(a: U64, b: U64) -> int:
    """How many elements two sorted sets share."""
    if a.size == 0 or b.size == 0:
        return 0
    at = np.searchsorted(b, a)
    at[at == b.size] = 0
    return int(np.count_nonzero(b[at] == a))


def jaccard(a: U64, b: U64) -> float:
    if a.size == 0 or b.size == 0:
        return 0.0
    inter = overlap(a, b)
    return inter / (a.size + b.size - inter)


def containment(part: U64, whole: U64) -> float:
    """Share of ``part``'s shingles found in ``whole`` (a relay with a header still contains it)."""
    if part.size == 0:
        return 0.0
    return overlap(part, whole) / part.size


FINE_BANDS = 42
FINE_ROWS = 3


def fine_band_keys(sigs: npt.NDArray[np.uint32]) -> npt.NDArray[np.int64]:
    """42 band keys of 3 rows each (the first 126 of the 128 rows): the finer banding used for
    short posts, where a pair at Jaccard 0.5 collides with probability 1-(1-0.5^3)^42 ≈ 0.996."""
    n = sigs.shape[0]
    rows = (
        np.ascontiguousarray(sigs[:, : FINE_BANDS * FINE_ROWS])
        .astype(np.uint64)
        .reshape(n, FINE_BANDS, FINE_ROWS)
    )
    with np.errstate(over="ignore"):
        key = np.zeros((n, FINE_BANDS), dtype=np.uint64)
        for j in range(FINE_ROWS):
            key = _mix(key ^ (rows[:, :, j] * _MIX[j]))
        key = _mix(key + np.arange(FINE_BANDS, dtype=np.uint64) * _MIX[2])
    return key.view(np.int64)


def near_duplicate(
    earlier: U64,
    later: U64,
    *,
    similarity: float,
    min_containment: float | None,
    earlier_chars: int,
    min_chars: int,
) -> bool:
    """The pair rule: Jaccard ≥ ``similarity``, or (when ``min_containment`` is set and the
    earlier text has at least ``min_chars`` characters) the share of the earlier text's shingles
    found in the later one ≥ ``min_containment``. Both from one count of shared shingles."""
    inter = overlap(earlier, later)
    both = earlier.size and later.size
    if (inter / (earlier.size + later.size - inter) if both else 0.0) >= similarity:
        return True
    if min_containment is None or earlier_chars < min_chars:
        return False
    return (inter / earlier.size if earlier.size else 0.0) >= min_containment


def candidate_pairs(
    keys: npt.NDArray[np.int64], rank: npt.NDArray[np.int64] | None = None
) -> npt.NDArray[np.int64]:
    """Pairs (earliest, other) of rows sharing a key in any column.

    ``keys`` is N×K; ``rank`` gives each row's place in time (default: rows are in time order)
    and the pairs are given in ranks. Every bucket yields (its earliest, each other row), never
    all pairs.
    """
    n = keys.shape[0]
    rows = np.arange(n, dtype=np.int64) if rank is None else rank
    size = int(rows.max()) + 1 if n else 0
    in_time = np.argsort(rows, kind="stable")  # rows are distinct: a stable sort of each column
    timed = rows[in_time]  # taken in time order is ordered by (key, time), as a lexsort would be
    out = []
    for col in range(keys.shape[1]):
        k = keys[in_time, col]
        order = np.argsort(k, kind="stable")
        ks = k[order]
        new = np.concatenate(([True], ks[1:] != ks[:-1]))
        run = np.cumsum(new) - 1
        ranked = timed[order]
        first = ranked[new][run]
        mask = ~new
        if mask.any():
            out.append(np.stack([first[mask], ranked[mask]], axis=1))
    if not out:
        return np.zeros((0, 2), dtype=np.int64)
    pairs = np.concatenate(out)
    code = np.unique(pairs[:, 0] * size + pairs[:, 1])
    return np.stack([code // size, code % size], axis=1)


class UnionFind:
    """Disjoint sets over 0..n-1; the root of a set is its smallest (earliest) member."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        parent = self.parent
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            lo, hi = (ra, rb) if ra < rb else (rb, ra)
            self.parent[hi] = lo
