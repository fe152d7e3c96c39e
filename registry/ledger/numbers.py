"""发文字号: the office's yearly sequence of circular numbers.

A formal circular takes the next number of the year of its issue date (``甘政务公开办〔2026〕13号``
is the 13th of 2026) the first time it is recorded; regenerating the circular of the same
window keeps the number it was given, so a correction never burns a number. The pattern
(``{year}``, ``{seq}``) comes from the caller; the registry only keeps the sequence.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from registry.ledger.models import CircularNumber


def number_of(session: Session, circular_id: int) -> CircularNumber | None:
    """The number a circular already holds, if any."""
    return session.scalar(select(CircularNumber).where(CircularNumber.circular_id == circular_id))


def next_seq(session: Session, year: int) -> int:
    """The next free number of ``year`` (1 for the first circular of the year)."""
    last = session.scalar(select(func.max(CircularNumber.seq)).where(CircularNumber.year == year))
    return int(last or 0) + 1


def assign_number(
    session: Session, *, circular_id: int, year: int, render: Callable[[int, int], str], actor: str
) -> CircularNumber:
    """The circular's number: the one it holds, else the next of ``year`` rendered by
    ``render(year, seq)``."""
    held = number_of(session, circular_id)
    if held is not None:
        return held
    seq = next_seq(session, year)
    number = CircularNumber(
        circular_id=circular_id, year=year, seq=seq, doc_no=render(year, seq), actor=actor
    )
    session.add(number)
    session.flush()
    return number
