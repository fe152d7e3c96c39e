"""The check time and content window of a check (监测时间点与内容窗口).

A window holds the posts published from its start to its end, **both included**, so no day is
lost at either edge:

- ``--month 2026-11``: the calendar month, 11-01 00:00 to 11-30 24:00 (Beijing time);
  ``--week 2026-W48``: the ISO calendar week, Monday 00:00 to Sunday 24:00. The check time is
  the end of the period (or now, if the period has not ended), unless ``--at`` says otherwise;
- ``--from``/``--to``: whole days (Beijing time, both inclusive); ``--to`` alone: the profile's
  ``[window_days]`` for the kind as whole days ending on that day; ``--from`` alone: from that
  day to the check time;
- none of these: the rolling window, the profile's ``[window_days]`` for the kind before the
  check time (``--at``, default now).

``--at`` is the check time (default now, or the end of ``--to``/the period when that is
earlier). The window never extends past the check time.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

from registry.errors import InvalidValue
from registry.timeutil import check_year, day_end, day_start, local_iso
from registry.vocab import CHECK_KIND

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_WEEK = re.compile(r"^(\d{4})-?[Ww](\d{1,2})$")


def month_days(value: str) -> tuple[date, date]:
    """``2026-11`` → (2026-11-01, 2026-11-30)."""
    m = _MONTH.match(value.strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise InvalidValue("--month", value, "应为月份 YYYY-MM，如 2026-11")
    first = date(int(m.group(1)), int(m.group(2)), 1)
    check_year(first, "--month", value)
    following = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return first, following - timedelta(days=1)


def week_days(value: str) -> tuple[date, date]:
    """``2026-W48`` → (Monday, Sunday) of that ISO week."""
    m = _WEEK.match(value.strip())
    try:
        if not m:
            raise ValueError(value)
        monday = date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
    except ValueError:
        raise InvalidValue(
            "--week", value, "应为 ISO 周 YYYY-Www，如 2026-W48（该年第48周，周一至周日）"
        ) from None
    check_year(monday, "--week", value)
    return monday, monday + timedelta(days=6)


def previous_month(today: date) -> str:
    """The calendar month before ``today``'s, as ``YYYY-MM``."""
    last = today.replace(day=1) - timedelta(days=1)
    return f"{last.year}-{last.month:02d}"


def previous_week(today: date) -> str:
    """The ISO week before ``today``'s, as ``YYYY-Www``."""
    year, week, _ = (today - timedelta(days=7)).isocalendar()
    return f"{year}-W{week:02d}"


def resolve_window(
    kind: str,
    profile: dict[str, Any],
    *,
    at: datetime | None,
    now: datetime,
    date_from: date | None,
    date_to: date | None,
    month: str | None = None,
    week: str | None = None,
) -> tuple[datetime, datetime, datetime]:
    """(at, window_from, window_to) from the options (see the module docstring)."""
    if kind not in CHECK_KIND:
        raise InvalidValue("--kind", kind, "应为" + CHECK_KIND.choices())
    period = None
    if month and week:
        raise InvalidValue("--week", week, "不能与 --month 同时使用")
    if month or week:
        if date_from or date_to:
            raise InvalidValue("--month" if month else "--week", month or week, "不能与 --from/--to 同时使用")
        period = month_days(month) if month else week_days(str(week))
        date_from, date_to = period
    if at is None:
        at = min(now, day_end(date_to)) if date_to else now
    window_to = min(day_end(date_to), at) if date_to else at
    if date_from:
        window_from = day_start(date_from)
    elif date_to:
        span = max(1, round(float(profile["window_days"][kind])))
        window_from = day_start(date_to - timedelta(days=span - 1))
    else:
        window_from = window_to - timedelta(days=float(profile["window_days"][kind]))
    if window_from >= window_to:
        raise InvalidValue("--from", local_iso(window_from), "检查窗口的起点应早于终点和监测时间点")
    return at, window_from, window_to
