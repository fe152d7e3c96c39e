"""整改期限 on a working day: N working days after the issue date.

Working days are Monday to Friday, less the statutory holidays, plus the make-up working
days (调休上班) that the State Council's yearly notice on the holiday schedule sets. Both come
from the maintained package ``chinesecalendar`` (imported as ``chinese_calendar``), which
publishes each year's schedule when the notice appears (usually in November of the year
before): ``pip install -U chinesecalendar`` brings it in.

A date in a year the installed package does not cover yet is counted by weekends alone, and
the result says so (``Deadline.warning``): the user then updates the package or gives
``--deadline``. Nothing guesses silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import chinese_calendar


@dataclass(frozen=True)
class Deadline:
    day: date
    warning: str = ""  # set when part of the count could only use weekends


def known_years() -> tuple[int, int]:
    """The first and last year the installed calendar has holiday schedules for."""
    years = sorted({d.year for d in chinese_calendar.holidays} | {d.year for d in chinese_calendar.workdays})
    return years[0], years[-1]


def is_workday(day: date) -> bool | None:
    """Whether ``day`` is a working day; None when the calendar has no schedule for its year."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return None


def add_workdays(start: date, count: int) -> Deadline:
    """The ``count``-th working day after ``start`` (``start`` itself not counted)."""
    day, left, guessed = start, count, set()
    while left > 0:
        day += timedelta(days=1)
        known = is_workday(day)
        if known is None:
            guessed.add(day.year)
            known = day.weekday() < 5
        if known:
            left -= 1
    warning = ""
    if guessed:
        last = known_years()[1]
        years = "、".join(f"{y}年" for y in sorted(guessed))
        warning = (
            f"节假日安排只到{last}年（chinesecalendar {getattr(chinese_calendar, '__version__', '')}），"
            f"{years}的日期只按周末推算，整改期限{day.year}年{day.month}月{day.day}日可能落在节假日："
            "请升级（pip install -U chinesecalendar）或用 --deadline 指定"
        )
    return Deadline(day, warning)
