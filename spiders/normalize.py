"""Normalisation of what the platforms send: times, counts, text.

Times come as unix seconds (or milliseconds), RFC 2822 (``Sat, 15 Jun 2019 11:44:46 +0800``),
Weibo's ``Sat Jun 15 11:44:46 +0800 2019``, ISO 8601, or the relative Chinese forms of the
mobile pages: ``刚刚``, ``N秒前``, ``N分钟前``, ``N小时前``, ``今天 HH:MM``, ``昨天 HH:MM``,
``前天 HH:MM``, ``N天前``, ``MM-DD`` and ``YYYY-MM-DD``. A time without an offset is
Beijing time (Asia/Shanghai). Relative forms, and ``MM-DD`` whose year is inferred, are
resolved against the fetch time and flagged *approximate*; a later exact time replaces them
(``registry.collection.upsert_posts``).

Counts come as numbers or as display strings: ``"100万+"`` (at least one million, flagged
approximate), ``"1.2万"``, ``"3亿"``, ``"1,234"``.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

from registry.timeutil import TZ

_REL_UNITS = {"秒": 1, "分钟": 60, "分": 60, "小时": 3600, "天": 86400}
_REL = re.compile(r"^(\d+)\s*(秒|分钟|分|小时|天)前$")
_DAY_WORDS = {"今天": 0, "昨天": 1, "前天": 2}
_DAY_TIME = re.compile(r"^(今天|昨天|前天)\s*(\d{1,2}):(\d{2})$")
_MONTH_DAY = re.compile(r"^(\d{1,2})[-/月](\d{1,2})日?(?:\s+(\d{1,2}):(\d{2}))?$")
_FULL_DATE = re.compile(
    r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$"
)
_WEIBO_FORM = "%a %b %d %H:%M:%S %z %Y"
_COUNT = re.compile(r"^([\d.]+)\s*(万|亿|w|W|k|K)?(\+)?$")
_MULTIPLIERS = {None: 1, "万": 10_000, "w": 10_000, "W": 10_000, "亿": 100_000_000, "k": 1000, "K": 1000}


class TimeParseError(ValueError):
    """A time in a form none of the platforms use."""


def parse_time(value: Any, *, fetched_at: datetime) -> tuple[datetime, bool]:
    """Return ``(instant in UTC, approximate?)`` for any platform time form.

    ``fetched_at`` (tz-aware) is the reference for relative forms. Raises TimeParseError.
    """
    if value is None or value == "":
        raise TimeParseError("空时间")
    if isinstance(value, bool):
        raise TimeParseError(str(value))
    if isinstance(value, (int, float)):
        return _from_unix(float(value)), False
    text = str(value).strip()
    if re.fullmatch(r"\d{9,13}(\.\d+)?", text):
        return _from_unix(float(text)), False
    local_now = fetched_at.astimezone(TZ)
    if text == "刚刚":
        return fetched_at.astimezone(UTC), True
    m = _REL.match(text)
    if m:
        return (fetched_at - timedelta(seconds=int(m.group(1)) * _REL_UNITS[m.group(2)])).astimezone(
            UTC
        ), True
    m = _DAY_TIME.match(text)
    if m:
        day = local_now.date() - timedelta(days=_DAY_WORDS[m.group(1)])
        return _local(day, int(m.group(2)), int(m.group(3))), True
    m = _FULL_DATE.match(text)
    if m:
        y, mo, d, hh, mm, ss = (int(g) if g else 0 for g in m.groups())
        return _local(date(y, mo, d), hh, mm, ss), False
    m = _MONTH_DAY.match(text)
    if m:
        mo, d = int(m.group(1)), int(m.group(2))
        hh, mm = int(m.group(3) or 0), int(m.group(4) or 0)
        candidate = _local(date(local_now.year, mo, d), hh, mm)
        if candidate > fetched_at + timedelta(days=1):
            candidate = _local(date(local_now.year - 1, mo, d), hh, mm)
        return candidate, True
    for parse in (_weibo_form, _rfc2822, _iso):
        parsed = parse(text)
        if parsed is not None:
            return parsed, False
    raise TimeParseError(text)


def _from_unix(seconds: float) -> datetime:
    if seconds > 1e12:  # milliseconds
        seconds /= 1000
    return datetime.fromtimestamp(seconds, UTC)


def _local(day: date, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=TZ).astimezone(UTC)


def _weibo_form(text: str) -> datetime | None:
    try:
        return datetime.strptime(text, _WEIBO_FORM).astimezone(UTC)
    except ValueError:
        return None


def _rfc2822(text: str) -> datetime | None:
    if not re.match(r"^([A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}", text):
        return None
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=TZ)
    return parsed.astimezone(UTC)


def _iso(text: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=TZ)
    return parsed.astimezone(UTC)


def parse_count(value: Any) -> tuple[int | None, bool]:
    """Return ``(count, approximate?)``: ``"100万+"`` → (1000000, True); unknown → (None, False)."""
    if value is None or isinstance(value, bool):
        return None, False
    if isinstance(value, int):
        return value, False
    if isinstance(value, float):
        return int(value), False
    text = str(value).strip().replace(",", "").replace("，", "")
    if not text:
        return None, False
    m = _COUNT.match(text)
    if not m:
        return None, False
    try:
        number = float(m.group(1))
    except ValueError:
        return None, False
    unit = m.group(2)
    count = round(number * _MULTIPLIERS[unit])
    # a display unit (万, 亿) or a "+" means the platform rounded the figure
    return count, bool(m.group(3)) or unit is not None


_TAG_BREAK = re.compile(r"<\s*(br|/p|/div|/li|/h\d)\s*/?\s*>", re.I)
_TAGS = re.compile(r"<[^>]+>")
_SCRIPTS = re.compile(r"<(script|style)\b.*?</\1\s*>", re.I | re.S)
_IMG_ALT = re.compile(r"<img\b[^>]*\balt=[\"']?([^\"'>\s]+)[^>]*>", re.I)


def plain_text(value: Any) -> str:
    """HTML → plain text: tags stripped, entities decoded, emoticon images kept as their alt."""
    if value is None:
        return ""
    text = _SCRIPTS.sub("", str(value))
    text = _IMG_ALT.sub(lambda m: m.group(1) if m.group(1).startswith("[") else "", text)
    text = _TAG_BREAK.sub("\n", text)
    text = html.unescape(_TAGS.sub("", text))
    lines = [re.sub(r"[ \t\u3000\xa0]+", " ", line).strip() for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


def first_line(text: str, limit: int = 60) -> str:
    """A title for platforms without one (Weibo): the first line, shortened."""
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"
