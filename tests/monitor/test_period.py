"""Calendar periods and windows: --month, --week, --from/--to, rolling; no day lost at an edge."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from monitor.check.period import month_days, previous_month, previous_week, resolve_window, week_days
from registry.errors import InvalidValue
from registry.timeutil import TZ, local_iso

PROFILE = {"window_days": {"weekly": 7, "monthly": 30, "adhoc": 30}}
NOW = datetime(2026, 12, 3, 9, 0, tzinfo=TZ).astimezone(UTC)


def window(kind: str = "monthly", **kw: object) -> tuple[str | None, str | None, str | None]:
    options = {"at": None, "date_from": None, "date_to": None, **kw}
    at, start, end = resolve_window(kind, PROFILE, now=NOW, **options)  # type: ignore[arg-type]
    return local_iso(at), local_iso(start), local_iso(end)


@pytest.mark.parametrize(
    ("kw", "expected"),
    [
        ({"month": "2026-11"}, ("2026-11-30T23:59:59", "2026-11-01T00:00:00", "2026-11-30T23:59:59")),
        ({"month": "2026-10"}, ("2026-10-31T23:59:59", "2026-10-01T00:00:00", "2026-10-31T23:59:59")),
        ({"month": "2024-02"}, ("2024-02-29T23:59:59", "2024-02-01T00:00:00", "2024-02-29T23:59:59")),
        (
            {"month": "2026-12"},
            ("2026-12-03T09:00:00", "2026-12-01T00:00:00", "2026-12-03T09:00:00"),
        ),  # not ended
        ({"week": "2026-W48"}, ("2026-11-29T23:59:59", "2026-11-23T00:00:00", "2026-11-29T23:59:59")),
        (
            {"month": "2026-11", "at": datetime(2026, 12, 1, 10, 0, tzinfo=TZ)},
            ("2026-12-01T10:00:00", "2026-11-01T00:00:00", "2026-11-30T23:59:59"),
        ),
        # --to alone: the profile's days as whole days ending that day
        (
            {"date_to": date(2026, 10, 31)},
            ("2026-10-31T23:59:59", "2026-10-02T00:00:00", "2026-10-31T23:59:59"),
        ),
        (
            {"date_from": date(2026, 10, 1), "date_to": date(2026, 10, 31)},
            ("2026-10-31T23:59:59", "2026-10-01T00:00:00", "2026-10-31T23:59:59"),
        ),
        # rolling: the profile's days before the check time
        ({}, ("2026-12-03T09:00:00", "2026-11-03T09:00:00", "2026-12-03T09:00:00")),
    ],
)
def test_windows(kw: dict[str, object], expected: tuple[str, str, str]) -> None:
    at, start, end = window(**kw)
    assert (at, start, end) == tuple(e + "+08:00" for e in expected)


def test_a_period_that_has_not_started_is_refused() -> None:
    with pytest.raises(InvalidValue):
        window(week="2027-W01")


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"month": "2026-13"}, "--month"),
        ({"month": "11月"}, "--month"),
        ({"week": "2026-W54"}, "--week"),
        ({"month": "2026-11", "week": "2026-W48"}, "--week"),
        ({"month": "2026-11", "date_from": date(2026, 11, 1)}, "--month"),
    ],
)
def test_bad_periods(kw: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidValue) as exc:
        window(**kw)
    assert exc.value.field == field


@pytest.mark.parametrize(
    ("today", "month", "week"),
    [
        (date(2026, 12, 1), "2026-11", "2026-W48"),  # a Tuesday: the week before is W48
        (date(2026, 11, 30), "2026-10", "2026-W48"),  # a Monday: last week is W48
        (date(2027, 1, 1), "2026-12", "2026-W52"),
        (date(2027, 1, 4), "2026-12", "2026-W53"),
    ],
)
def test_the_period_that_just_ended(today: date, month: str, week: str) -> None:
    assert previous_month(today) == month
    assert previous_week(today) == week


def test_period_days() -> None:
    assert month_days("2026-11") == (date(2026, 11, 1), date(2026, 11, 30))
    assert week_days("2026w48") == (date(2026, 11, 23), date(2026, 11, 29))
    assert week_days("2026-W48")[0] + timedelta(days=6) == date(2026, 11, 29)
