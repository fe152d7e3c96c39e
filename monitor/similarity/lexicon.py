"""The lexicon matcher: every pattern at once with Aho-Corasick (ahocorasick_rs).

Patterns and texts are normalised alike (``neardup.normalise``: NFKC, letters and digits
only, lowercase), so "习 近 平" or full-width variants still match. Matching is overlapping,
so a phrase and a longer variant are both reported. A wrong formulation whose correct form
contains it (e.g. a typo inside a longer right phrase) only counts where the correct form is
not what was written.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import ahocorasick_rs

from monitor.similarity.neardup import normalise
from registry import validation
from registry.errors import InvalidValue, RowErrors
from registry.files import Column, read_table
from registry.vocab import LEXICON_KIND

STARTER = Path(__file__).parent / "lexicon_data" / "starter.csv"

Hit = tuple[str, str, str | None]  # phrase, kind, correct


COLUMNS = [
    Column("phrase", "词语", required=True),
    Column("kind", "类别", required=True),
    Column("correct", "正确表述"),
]


def read_entries(path: Path) -> list[dict[str, Any]]:
    """Entries ``phrase, kind, correct`` of a lexicon file (.csv / .xlsx / .jsonl, Chinese or
    code headers, through ``registry.files``); a bad row rejects the file."""
    table = read_table(path, COLUMNS)
    rows, errors = [], list(table.errors)
    for row in table.rows:
        kind = LEXICON_KIND.find(row.text("kind"))
        if not row.text("phrase"):
            errors.append((row.number, "词语", "", "不能为空"))
        elif kind is None:
            errors.append((row.number, "类别", row.text("kind"), "应为" + LEXICON_KIND.choices()))
        else:
            try:  # one line a person reads, as ``lexicon add`` takes it
                phrase = validation.text(row.text("phrase"), "词语", max_len=200, multiline=False)
                fix = validation.text(
                    row.text("correct"), "正确表述", max_len=200, required=False, multiline=False
                )
            except InvalidValue as exc:
                errors.append((row.number, exc.field, exc.value, exc.reason))
                continue
            rows.append({"phrase": phrase, "kind": kind, "correct": fix or None})
    if errors:
        raise RowErrors(path.name, errors)
    return rows


def starter_rows() -> list[dict[str, Any]]:
    return read_entries(STARTER)


class Matcher:
    """All lexicon entries compiled into one automaton. Entries read from the database carry
    their ``id``: ``scan_ids`` reports those, so that hits can be stored with a post."""

    def __init__(self, entries: Sequence[dict[str, Any]]) -> None:
        self.entries: list[tuple[str, str, str | None, str]] = []
        self.ids: list[int | None] = []
        self.norms: list[str] = []
        for e in entries:
            norm = normalise(e["phrase"])
            if not norm:
                continue
            correct = e.get("correct")
            norm_correct = normalise(correct) if correct else ""
            self.entries.append(
                (e["phrase"], e["kind"], correct, norm_correct if norm in norm_correct else "")
            )
            self.ids.append(e.get("id"))
            self.norms.append(norm)
        self.automaton = ahocorasick_rs.AhoCorasick(self.norms) if self.norms else None

    def __len__(self) -> int:
        return len(self.entries)

    def found(self, norm: str) -> list[int]:
        """Positions (in entry order) of the distinct entries found in a normalised text."""
        if self.automaton is None or not norm:
            return []
        found = {idx for idx, _, _ in self.automaton.find_matches_as_indexes(norm, overlapping=True)}
        out = []
        for idx in sorted(found):
            guard = self.entries[idx][3]
            if guard and norm.count(self.norms[idx]) <= norm.count(guard):
                continue
            out.append(idx)
        return out

    def scan_normalised(self, norm: str) -> list[Hit]:
        """Distinct entries found in an already normalised text."""
        return [self.entries[idx][:3] for idx in self.found(norm)]

    def scan_ids(self, norm: str) -> list[int]:
        """The ids of the distinct entries found in an already normalised text."""
        return [i for i in (self.ids[idx] for idx in self.found(norm)) if i is not None]

    def scan(self, text: str | None) -> list[Hit]:
        return self.scan_normalised(normalise(text))


def ensure_starter(session: Any, *, actor: str) -> int:
    """Load the shipped starter lexicon into the database once (users then extend it)."""
    from registry.checks import inputs as check_lexicon

    if check_lexicon.has_source(session, "starter"):
        return 0
    return check_lexicon.add_entries(session, starter_rows(), source="starter", actor=actor)
