"""Normalisation truth tables: every time form the platforms use, counts, plain text."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from spiders.normalize import TimeParseError, parse_count, parse_time, parse_time_span, plain_text

# 2026-11-23 10:00 in Beijing
FETCHED = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "earliest_utc", "latest_utc", "approx"),
    [
        (1762747210, "2025-11-10T04:00:10", "2025-11-10T04:00:10", False),
        ("1762747210", "2025-11-10T04:00:10", "2025-11-10T04:00:10", False),
        (1762747210000, "2025-11-10T04:00:10", "2025-11-10T04:00:10", False),
        ("Sat, 15 Jun 2019 11:44:46 +0800", "2019-06-15T03:44:46", "2019-06-15T03:44:46", False),
        ("Fri, 04 Jul 2025 09:23:58 GMT", "2025-07-04T09:23:58", "2025-07-04T09:23:58", False),
        ("Sat Jun 15 11:44:46 +0800 2019", "2019-06-15T03:44:46", "2019-06-15T03:44:46", False),
        ("2026-11-20T08:30:00+08:00", "2026-11-20T00:30:00", "2026-11-20T00:30:00", False),
        ("2026-11-20T00:30:00Z", "2026-11-20T00:30:00", "2026-11-20T00:30:00", False),
        ("2026-11-20 08:30", "2026-11-20T00:30:00", "2026-11-20T00:30:00", False),
        # a date without a clock is the whole Beijing day
        ("2026-11-20", "2026-11-19T16:00:00", "2026-11-20T15:59:59.999999", True),
        ("2026年11月20日", "2026-11-19T16:00:00", "2026-11-20T15:59:59.999999", True),
        # relative forms: N units before the fetch, plus or minus one unit
        ("刚刚", "2026-11-23T01:55:00", "2026-11-23T02:00:00", True),
        ("30秒前", "2026-11-23T01:59:29", "2026-11-23T01:59:31", True),
        ("5分钟前", "2026-11-23T01:54:00", "2026-11-23T01:56:00", True),
        ("3小时前", "2026-11-22T22:00:00", "2026-11-23T00:00:00", True),
        ("2天前", "2026-11-20T02:00:00", "2026-11-22T02:00:00", True),
        ("1小时前", "2026-11-23T00:00:00", "2026-11-23T02:00:00", True),  # never after the fetch
        # a clock on a day told relatively: that minute
        ("今天 08:15", "2026-11-23T00:15:00", "2026-11-23T00:15:59.999999", True),
        ("昨天 21:05", "2026-11-22T13:05:00", "2026-11-22T13:05:59.999999", True),
        ("前天 07:00", "2026-11-20T23:00:00", "2026-11-20T23:00:59.999999", True),
        ("昨天", "2026-11-21T16:00:00", "2026-11-22T15:59:59.999999", True),
        ("今天", "2026-11-22T16:00:00", "2026-11-23T02:00:00", True),  # up to the fetch
        ("06-14", "2026-06-13T16:00:00", "2026-06-14T15:59:59.999999", True),
        ("11-23", "2026-11-22T16:00:00", "2026-11-23T02:00:00", True),
        ("11-20 09:30", "2026-11-20T01:30:00", "2026-11-20T01:30:59.999999", True),
        ("12-31", "2025-12-30T16:00:00", "2025-12-31T15:59:59.999999", True),  # a future MM-DD is last year's
    ],
)
def test_time_forms(value: object, earliest_utc: str, latest_utc: str, approx: bool) -> None:
    earliest, latest, rough = parse_time_span(value, fetched_at=FETCHED)
    assert earliest.tzinfo is not None and latest.tzinfo is not None
    assert earliest.astimezone(UTC).replace(tzinfo=None).isoformat() == earliest_utc
    assert latest.astimezone(UTC).replace(tzinfo=None).isoformat() == latest_utc
    assert rough is approx
    assert parse_time(value, fetched_at=FETCHED) == (earliest, approx)  # the earliest moment


@pytest.mark.parametrize("value", [None, "", "上周", "not a date", True])
def test_unknown_time_forms_raise(value: object) -> None:
    with pytest.raises(TimeParseError):
        parse_time(value, fetched_at=FETCHED)


@pytest.mark.parametrize(
    ("value", "count", "approx"),
    [
        (240492, 240492, False),
        ("240492", 240492, False),
        ("1,234", 1234, False),
        ("100万+", 1_000_000, True),
        ("1.2万", 12_000, True),
        ("12万", 120_000, True),
        ("3亿", 300_000_000, True),
        ("1.5w", 15_000, True),
        ("999+", 999, True),
        ("", None, False),
        (None, None, False),
        ("很多", None, False),
    ],
)
def test_counts(value: object, count: int | None, approx: bool) -> None:
    assert parse_count(value) == (count, approx)


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ('搬完这块砖<span class="url-icon"><img alt=[偷笑] src="x.png" /></span>', "搬完这块砖[偷笑]"),
        ("第一行<br />第二行", "第一行\n第二行"),
        ("<p>A &amp; B</p><p>C</p>", "A & B\nC"),
        ("<script>var x = 1;</script>正文", "正文"),
        ("", ""),
    ],
)
def test_plain_text(html: str, text: str) -> None:
    assert plain_text(html) == text
