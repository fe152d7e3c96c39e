"""Normalising texts for comparison, one batch at a time, at numpy speed.

The rule (``clean``): drop every character that is not a letter or digit (and the
underscore), fold the rest with NFKC (full-width letters, circled digits, …), drop again what
NFKC turned into punctuation, and lowercase. ``clean`` says it with Python's regex and
``unicodedata`` one text at a time; ``clean_many`` gives the same result for a whole batch by
looking every character up in one table (a numpy gather over the batch's code points).

The table holds, for each code point seen so far, what the rule makes of it on its own: dropped,
kept as one (possibly other) character, or *complex*. A character is complex when the rule
cannot be applied to it alone: NFKC expands it to several characters (``⑩`` → ``10``), it can
compose with its neighbour (combining marks, Hangul jamo, the second half of a canonical
pair), its lowercase is several characters (``İ``) or depends on its neighbours (``Σ``, the
final sigma). A text with a complex character is normalised by ``clean``; every other text's
characters are independent, so the table's per-character answer is the rule's answer
(``tests/monitor/test_normal.py`` checks both on every code point and on random mixtures).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from itertools import pairwise

import numpy as np
import numpy.typing as npt

_DROP = re.compile(r"[^\w]|_")
_UNKNOWN = np.uint32(0xFFFFFFFF)
_COMPLEX = np.uint32(0xFFFFFFFE)
_GONE = np.uint32(0)  # NUL is dropped by the rule, so 0 can mean "dropped"
_HANGUL_VT = (range(0x1161, 0x1176), range(0x11A8, 0x11C3))
_FINAL_SIGMA = "\u03a3"


def clean(text: str) -> str:
    """The rule, one text at a time: letters and digits only (NFKC-folded), lowercase."""
    kept = _DROP.sub("", text)
    # Dropping punctuation first leaves mostly CJK, which NFKC's quick check passes at C
    # speed; only text with full-width letters, circled digits and the like is rewritten.
    if not unicodedata.is_normalized("NFKC", kept):
        kept = _DROP.sub("", unicodedata.normalize("NFKC", kept))
    return kept.lower()


class _Table:
    """What the rule makes of each code point alone, filled in as code points are met."""

    def __init__(self) -> None:
        self.values = np.full(0x110000, _UNKNOWN, dtype=np.uint32)
        seconds = {cp for r in _HANGUL_VT for cp in r}
        for cp in range(0x30000):  # every canonical pair lies below U+30000
            dec = unicodedata.decomposition(chr(cp))
            if dec and not dec.startswith("<") and len(parts := dec.split()) == 2:
                seconds.add(int(parts[1], 16))
        self.composers = frozenset(chr(cp) for cp in seconds)

    def _independent(self, ch: str) -> bool:
        """Whether ``ch`` neither composes with nor reorders against a neighbour."""
        first = unicodedata.normalize("NFKD", ch)[:1] or ch
        return not (
            unicodedata.combining(ch)
            or unicodedata.combining(first)
            or ch in self.composers
            or first in self.composers
        )

    def classify(self, cp: int) -> np.uint32:
        ch = chr(cp)
        if _DROP.match(ch):
            return _GONE
        if not self._independent(ch):
            return _COMPLEX
        folded = (
            ch if unicodedata.is_normalized("NFKC", ch) else _DROP.sub("", unicodedata.normalize("NFKC", ch))
        )
        if not folded:
            return _GONE
        if len(folded) > 1 or folded == _FINAL_SIGMA or not self._independent(folded):
            return _COMPLEX
        low = folded.lower()
        if len(low) != 1:
            return _COMPLEX
        return np.uint32(ord(low))

    def lookup(self, codes: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint32]:
        mapped = self.values[codes]
        unknown = mapped == _UNKNOWN
        if unknown.any():
            seen = np.zeros(self.values.size, dtype=bool)
            seen[codes[unknown]] = True
            for cp in np.flatnonzero(seen).tolist():
                self.values[cp] = self.classify(cp)
            mapped = self.values[codes]
        return mapped


_table: _Table | None = None


def _the_table() -> _Table:
    global _table
    if _table is None:
        _table = _Table()
    return _table


def clean_codes(texts: Sequence[str | None]) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.int64]]:
    """``clean`` of each text as code points: one flat array, and each text's length."""
    raw = [t or "" for t in texts]
    lengths = np.fromiter((len(t) for t in raw), dtype=np.int64, count=len(raw))
    codes = np.frombuffer("".join(raw).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    mapped = _the_table().lookup(codes)
    hard_chars = mapped == _COMPLEX
    keep = (mapped != _GONE) & ~hard_chars
    # dropped and complex characters are few: count them per text from their positions
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(np.int64)
    dropped = np.bincount(_owner(starts, np.flatnonzero(~keep)), minlength=len(raw))
    out_lengths = lengths - dropped
    out = mapped[keep]
    hard = np.unique(_owner(starts, np.flatnonzero(hard_chars))).tolist()
    if hard:  # the few texts with a complex character: the rule one text at a time
        ends = np.cumsum(out_lengths).tolist()
        parts, done = [], 0
        for i in hard:
            fixed = np.frombuffer(clean(raw[i]).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
            parts += [out[done : ends[i] - out_lengths[i]], fixed]
            done = ends[i]
            out_lengths[i] = fixed.size
        out = np.concatenate([*parts, out[done:]])
    return out, out_lengths


def clean_many(texts: Sequence[str | None]) -> list[str]:
    """``clean`` of each text (None and "" give ""), for a whole batch in a few array passes."""
    if not texts:
        return []
    return split_codes(*clean_codes(texts))


def split_codes(codes: npt.NDArray[np.uint32], lengths: npt.NDArray[np.int64]) -> list[str]:
    """The texts that ``clean_codes`` gave as code points."""
    joined = codes.tobytes().decode("utf-32-le", "surrogatepass")
    bounds = np.concatenate(([0], np.cumsum(lengths))).tolist()
    return [joined[a:b] for a, b in pairwise(bounds)]


def _owner(starts: npt.NDArray[np.int64], positions: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """The text each character position belongs to (``starts``: each text's first position)."""
    return np.searchsorted(starts, positions, side="right") - 1
