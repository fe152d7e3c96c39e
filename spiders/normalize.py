"""Normalisation of what the platforms send: times, counts, text.

Times come as unix seconds (or milliseconds), RFC 2822 (``Sat, 15 Jun 2019 11:44:46 +0800``),
Weibo's ``Sat Jun 15 11:44:46 +0800 2019``, ISO 8601, or the relative Chinese forms of the
mobile pages: ``刚刚``, ``N秒前``, ``N分钟前``, ``N小时前``, ``今天 HH:MM``, ``昨天 HH:MM``,
``前天 HH:MM``, ``今天``/``昨天``/``前天``, ``N天前``, ``MM-DD`` and ``YYYY-MM-DD``. A time
without an offset is Beijing time (Asia/Shanghai).

A time that is not exact is a span (``parse_time_span``: earliest, latest, approximate), read
so that a judgement can give the account the benefit of the doubt:

- a date without a clock (``11-23``, ``2026-11-23``, ``昨天``) covers the whole Beijing day;
- ``N秒前`` / ``N分钟前`` / ``N小时前`` / ``N天前``: N units before the fetch, plus or minus
  one unit; ``刚刚``: the last five minutes;
- ``今天 HH:MM`` / ``昨天 HH:MM`` / ``MM-DD HH:MM``: that minute (the day comes from the fetch
  time, or the year is inferred, so it is still flagged approximate).

No span ends after the fetch time (nothing is published after it was fetched). A time that
begins after the fetch time (beyond ``registry.timeutil.CLOCK_TOLERANCE``), or outside the years
1900–2100, is not trusted: it is a ``TimeParseError`` and the post is stored without a time (it
then proves no activity), so a post dated 2099 never makes an account look updated. A later
exact time replaces an approximate one (``registry.collection.store``).

Counts come as numbers or as display strings: ``"100万+"`` (at least one million, flagged
approximate), ``"1.2万"``, ``"3亿"``, ``"1,234"``.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

from registry.timeutil import FIRST_YEAR, LAST_YEAR, TZ, in_future

_REL_UNITS = {"秒": 1, "分钟": 60, "分": 60, "小时": 3600, "天": 86400}
_REL = re.compile(r"^(\d+)\s*(秒|分钟|分|小时|天)前$")
_DAY_WORDS = {"今天": 0, "昨天": 1, "前天": 2}
_DAY_TIME = re.compile(r"^(今天|昨天|前天)(?:\s*(\d{1,2}):(\d{2}))?$")
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
    """Return ``(earliest instant in UTC, approximate?)`` for any platform time form.

    ``fetched_at`` (tz-aware) is the reference for relative forms. Raises TimeParseError.
    """
    earliest, _latest, approx = parse_time_span(value, fetched_at=fetched_at)
    return earliest, approx


def parse_time_span(value: Any, *, fetched_at: datetime) -> tuple[datetime, datetime, bool]:
    """Return ``(earliest, latest, approximate?)`` in UTC for any platform time form (see the
    module docstring for the span of each form). Raises TimeParseError."""
    try:
        earliest, latest, approx = _span(value, fetched_at)
    except (ValueError, OverflowError) as exc:  # a day that does not exist, a year 0 or 99999
        if isinstance(exc, TimeParseError):
            raise
        raise TimeParseError(str(value)) from None
    fetched = fetched_at.astimezone(UTC)
    if not FIRST_YEAR <= earliest.astimezone(TZ).year <= LAST_YEAR or in_future(earliest, fetched):
        raise TimeParseError(f"不可信的发布时间：{value}")
    if approx and latest > fetched:
        latest = max(earliest, fetched)
    return earliest, latest, approx


SECOND = timedelta(seconds=1)
MINUTE = timedelta(minutes=1)
DAY = timedelta(days=1)
JUST_NOW = timedelta(minutes=5)


def _span(value: Any, fetched_at: datetime) -> tuple[datetime, datetime, bool]:
    if value is None or value == "":
        raise TimeParseError("空时间")
    if isinstance(value, bool):
        raise TimeParseError(str(value))
    if isinstance(value, (int, float)):
        return _exact(_from_unix(float(value)))
    text = str(value).strip()
    if re.fullmatch(r"\d{9,13}(\.\d+)?", text):
        return _exact(_from_unix(float(text)))
    local_now = fetched_at.astimezone(TZ)
    fetched = fetched_at.astimezone(UTC)
    if text == "刚刚":
        return fetched - JUST_NOW, fetched, True
    m = _REL.match(text)
    if m:
        unit = timedelta(seconds=_REL_UNITS[m.group(2)])
        centre = fetched - int(m.group(1)) * unit
        return centre - unit, centre + unit, True
    m = _DAY_TIME.match(text)
    if m:
        day = local_now.date() - timedelta(days=_DAY_WORDS[m.group(1)])
        if m.group(2) is None:
            return _whole_day(day)
        return _minute(_local(day, int(m.group(2)), int(m.group(3))))
    m = _FULL_DATE.match(text)
    if m:
        y, mo, d, hh, mm, ss = (int(g) if g else 0 for g in m.groups())
        if m.group(4) is None:
            return _whole_day(date(y, mo, d))
        return _exact(_local(date(y, mo, d), hh, mm, ss))
    m = _MONTH_DAY.match(text)
    if m:
        return _month_day(m, local_now, fetched)
    for parse in (_weibo_form, _rfc2822, _iso):
        parsed = parse(text)
        if parsed is not None:
            return _exact(parsed)
    raise TimeParseError(text)


def _month_day(m: re.Match[str], local_now: datetime, fetched: datetime) -> tuple[datetime, datetime, bool]:
    """``MM-DD [HH:MM]``: this year's, or last year's when this year's lies in the future."""
    mo, d = int(m.group(1)), int(m.group(2))
    year = local_now.year
    if _local(date(year, mo, d)) > fetched + DAY:
        year -= 1
    if m.group(3) is None:
        return _whole_day(date(year, mo, d))
    return _minute(_local(date(year, mo, d), int(m.group(3)), int(m.group(4))))


def _exact(when: datetime) -> tuple[datetime, datetime, bool]:
    return when, when, False


def _minute(when: datetime) -> tuple[datetime, datetime, bool]:
    return when, when + MINUTE - timedelta(microseconds=1), True


def _whole_day(day: date) -> tuple[datetime, datetime, bool]:
    start = _local(day)
    return start, start + DAY - timedelta(microseconds=1), True


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
