"""A crawled time is not trusted when it lies after the fetch (beyond the clock tolerance) or
outside the years 1900–2100: the post is kept without a time, so it proves no activity."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from spiders.collectors.base import make_post
from spiders.normalize import TimeParseError, parse_time_span

FETCHED = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "trusted"),
    [
        ("2026-11-23 12:00", True),  # the fetch time itself (Beijing noon = 04:00 UTC)
        ("2026-11-23 12:04", True),  # within the clock tolerance
        ("2026-11-23 12:06", False),  # after the fetch
        ("2099-01-01 10:00", False),
        (str(int((FETCHED + timedelta(days=3)).timestamp())), False),
        ("2026-11-24", False),  # the next day (the whole day lies after the fetch)
        ("0001-01-01", False),
        ("9999-12-31 23:59", False),
        ("1899-12-31", False),
        ("3小时前", True),
        ("11-24", False),  # the next day, written without a year
        ("11-22", True),
    ],
)
def test_times_after_the_fetch_are_not_trusted(value: str, trusted: bool) -> None:
    if trusted:
        earliest, latest, _ = parse_time_span(value, fetched_at=FETCHED)
        assert earliest <= latest <= FETCHED + timedelta(minutes=5)
    else:
        with pytest.raises(TimeParseError):
            parse_time_span(value, fetched_at=FETCHED)


def test_an_untrusted_time_leaves_the_post_without_a_time() -> None:
    post = make_post("p1", fetched_at=FETCHED, time_value="2099-01-01 10:00", title="来自未来")
    assert post["published_at"] is None and post["extra"]["time_raw"] == "2099-01-01 10:00"
