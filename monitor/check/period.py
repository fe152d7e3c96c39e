"""The check time and content window of a check (监测时间点与内容窗口).

``--at`` is the check time (default now, or the end of ``--to`` when that is earlier).
``--from``/``--to`` give the window in whole days (Beijing time, both inclusive); without
``--from`` the window is the profile's ``[window_days]`` for the kind before the end.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from registry.errors import InvalidValue
from registry.timeutil import day_end, day_start, local_iso
from registry.vocab import CHECK_KIND


def resolve_window(
    kind: str,
    profile: dict[str, Any],
    *,
    at: datetime | None,
    now: datetime,
    date_from: date | None,
    date_to: date | None,
) -> tuple[datetime, datetime, datetime]:
    """(at, window_from, window_to) from the options."""
    if kind not in CHECK_KIND:
        raise InvalidValue("--kind", kind, "应为" + CHECK_KIND.choices())
    if at is None:
        at = min(now, day_end(date_to)) if date_to else now
    window_to = min(day_end(date_to), at) if date_to else at
    if date_from:
        window_from = day_start(date_from)
    else:
        window_from = window_to - timedelta(days=float(profile["window_days"][kind]))
    if window_from >= window_to:
        raise InvalidValue("--from", local_iso(window_from), "检查窗口的起点应早于终点和监测时间点")
    return at, window_from, window_to
