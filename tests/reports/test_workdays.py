"""整改期限 on a working day: weekends and statutory holidays skipped, make-up working days
(调休上班) counted, and a year the calendar package does not cover yet said out loud."""

from __future__ import annotations

from datetime import date

import pytest

from reports import workdays


@pytest.mark.parametrize(
    ("start", "count", "expected"),
    [
        (date(2026, 11, 27), 1, date(2026, 11, 30)),  # Friday + 1 → Monday
        (date(2026, 11, 30), 5, date(2026, 12, 7)),
        (date(2026, 9, 30), 1, date(2026, 10, 8)),  # 国庆节 10月1日–7日
        (date(2026, 10, 9), 1, date(2026, 10, 10)),  # Saturday 10月10日 is a make-up working day
        (date(2026, 9, 18), 1, date(2026, 9, 20)),  # Sunday 9月20日 too
        (date(2026, 12, 2), 15, date(2026, 12, 23)),
        (date(2026, 12, 31), 0, date(2026, 12, 31)),
    ],
)
def test_working_days_follow_the_holiday_schedule(start: date, count: int, expected: date) -> None:
    deadline = workdays.add_workdays(start, count)
    assert deadline.day == expected and deadline.warning == ""


def test_a_year_the_calendar_does_not_know_is_counted_by_weekends_and_said(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = workdays.is_workday

    def known_until_2026(day: date) -> bool | None:
        return None if day.year > 2026 else real(day)

    monkeypatch.setattr(workdays, "is_workday", known_until_2026)
    monkeypatch.setattr(workdays, "known_years", lambda: (2004, 2026))
    deadline = workdays.add_workdays(date(2026, 12, 28), 5)
    assert deadline.day == date(2027, 1, 4)  # 29, 30, 31 December, then Friday 1 and Monday 4 January
    assert "节假日安排只到2026年" in deadline.warning and "2027年的日期只按周末推算" in deadline.warning
    assert "pip install -U chinesecalendar" in deadline.warning and "--deadline" in deadline.warning


def test_the_installed_calendar_knows_this_year() -> None:
    first, last = workdays.known_years()
    assert first <= 2026 <= last
