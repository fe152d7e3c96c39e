"""Times: stored in UTC, shown and parsed in Asia/Shanghai."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from registry.errors import InvalidValue

TZ = ZoneInfo("Asia/Shanghai")
# the years a date or time a person gives may fall in (0001 and 9999 overflow the arithmetic
# of windows and time zones; no government account published before 1900 or after 2100)
FIRST_YEAR, LAST_YEAR = 1900, 2100
YEAR_REASON = f"年份应在 {FIRST_YEAR} 到 {LAST_YEAR} 之间"
# how far a clock may run ahead: a time later than "now" by more than this is in the future
CLOCK_TOLERANCE = timedelta(minutes=5)


def check_year(value: date, field: str, shown: object) -> None:
    """Refuse a date or time outside ``FIRST_YEAR``–``LAST_YEAR`` (``InvalidValue``)."""
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise InvalidValue(field, shown, YEAR_REASON)


def in_future(moment: datetime, now: datetime) -> bool:
    """Is ``moment`` later than ``now`` beyond the clock tolerance?"""
    return moment > now + CLOCK_TOLERANCE


def local_iso(value: datetime | None) -> str | None:
    """ISO 8601 with the +08:00 offset, seconds precision."""
    if value is None:
        return None
    return value.astimezone(TZ).isoformat(timespec="seconds")


def local_text(value: datetime | None) -> str:
    return value.astimezone(TZ).strftime("%Y-%m-%d %H:%M") if value else ""


def parse_time(value: str, field: str) -> datetime:
    """'2026-11-23', '2026-11-23 09:30', or ISO 8601 with an offset; naive means Beijing time."""
    raw = value.strip().replace("/", "-")
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidValue(field, value, "应为时间 YYYY-MM-DD 或 YYYY-MM-DD HH:MM[:SS][+08:00]") from None
    check_year(parsed, field, value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=TZ)
    return parsed.astimezone(UTC)


def parse_date(value: str, field: str) -> date:
    """'2026-11-23' or '2026/11/23', a year from 1900 to 2100."""
    try:
        day = date.fromisoformat(value.strip().replace("/", "-"))
    except ValueError:
        raise InvalidValue(field, value, "应为日期 YYYY-MM-DD") from None
    check_year(day, field, value)
    return day


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=TZ).astimezone(UTC)


def day_end(day: date) -> datetime:
    """The last instant of ``day`` in Beijing time (an inclusive bound)."""
    return datetime.combine(day, time.max, tzinfo=TZ).astimezone(UTC)


def utc_aware(value: datetime | str | None) -> datetime | None:
    """A UTC-aware datetime from what a query returned (aggregates bypass the column type on
    SQLite and come back as text or naive values)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
