"""Times: stored in UTC, shown and parsed in Asia/Shanghai."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from registry.errors import InvalidValue

TZ = ZoneInfo("Asia/Shanghai")


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
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=TZ)
    return parsed.astimezone(UTC)


def parse_date(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value.strip().replace("/", "-"))
    except ValueError:
        raise InvalidValue(field, value, "应为日期 YYYY-MM-DD") from None


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
