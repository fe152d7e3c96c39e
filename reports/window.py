"""An inspection window and the facts of the checks run in it.

A window is an explicit pair of dates (Beijing time, both inclusive), not necessarily a
calendar quarter. Over all check runs whose check time falls in it:

- an account is **checked** when at least one run judged it (stored verdict qualified or
  unqualified); the count is of distinct accounts;
- it is **unqualified** when any of its stored results in the window is 不合格 — the verdict
  the check decided (a confirmed veto, or a score under the profile's pass mark) as later
  reviews left it; nothing is judged again here;
- it is **uncollected** when every result in the window was ``uncollected``: it is listed
  for manual follow-up and counts neither as checked nor as a failure;
- 合格率 = (checked − unqualified) / checked, in percent (``monitor.figures.pass_rate``,
  half-up to the profile's decimals).

The previous window ends the day before this one starts and has the same length; for a
calendar month, quarter or year it is the previous calendar month, quarter or year (so Q3's
92 days compare with Q2's 91).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from monitor import figures
from registry.checks import window as rd
from registry.checks.models import CheckRun
from registry.errors import InvalidValue
from registry.timeutil import day_end, day_start
from reports.text import cn_date

PROBLEM_LEVELS = ("veto", "deduct")


@dataclass(frozen=True)
class Window:
    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise InvalidValue("--to", self.end.isoformat(), f"不能早于 --from {self.start.isoformat()}")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def calendar_months(self) -> int | None:
        """1, 3 or 12 when the window is exactly a calendar month, quarter or year, else None."""
        after = self.end + timedelta(days=1)
        if self.start.day != 1 or after.day != 1:
            return None
        months = (after.year - self.start.year) * 12 + after.month - self.start.month
        if months in (1, 12) or (months == 3 and self.start.month in (1, 4, 7, 10)):
            return months
        return None

    def previous(self) -> Window:
        """The window before: the previous calendar month / quarter / year when this window is
        one, otherwise the window of the same number of days ending the day before."""
        end = self.start - timedelta(days=1)
        months = self.calendar_months()
        if months is not None:
            index = self.start.year * 12 + self.start.month - 1 - months
            return Window(date(index // 12, index % 12 + 1, 1), end)
        return Window(end - timedelta(days=self.days - 1), end)

    @property
    def text(self) -> str:
        """'2026年7月1日至9月30日' (the year repeated only when it changes)."""
        if self.end.year == self.start.year:
            return f"{cn_date(self.start)}至{self.end.month}月{self.end.day}日"
        return f"{cn_date(self.start)}至{cn_date(self.end)}"

    def months(self) -> list[Window]:
        """The calendar months the window touches, each cut to the window."""
        out, first = [], self.start.replace(day=1)
        while first <= self.end:
            after = (first + timedelta(days=32)).replace(day=1)
            out.append(Window(max(first, self.start), min(after - timedelta(days=1), self.end)))
            first = after
        return out

    def label(self, *, with_year: bool = False) -> str:
        """A short name for a chart axis: '第三季度', '9月', '2026年' — else the dates."""
        months = self.calendar_months()
        year = f"{self.start.year}年" if with_year else ""
        if months == 3:
            return f"{year}第{'一二三四'[(self.start.month - 1) // 3]}季度"
        if months == 12 and self.start.month == 1:
            return f"{self.start.year}年"
        if self.start.month == self.end.month and self.start.year == self.end.year:
            return f"{year}{self.start.month}月"
        return self.text

    def bounds(self) -> tuple[datetime, datetime]:
        return day_start(self.start), day_end(self.end)


@dataclass
class WindowFacts:
    """What the runs of one window found, per account (ids only; names are looked up later)."""

    window: Window
    runs: list[CheckRun]
    checked: set[int] = field(default_factory=set)
    unqualified: set[int] = field(default_factory=set)
    uncollected: dict[int, rd.ResultRow] = field(default_factory=dict)
    last_post: dict[int, datetime] = field(default_factory=dict)
    problems: list[rd.FindingRow] = field(default_factory=list)

    @property
    def qualified(self) -> int:
        return len(self.checked) - len(self.unqualified)

    @property
    def decimals(self) -> int:
        """The pass-rate decimals of the window's latest run's profile."""
        return figures.decimals_of(self.runs[-1].thresholds) if self.runs else figures.DEFAULT_DECIMALS

    @property
    def pass_rate(self) -> Decimal | None:
        return figures.pass_rate(self.qualified, len(self.unqualified), self.decimals)


def load_window(
    session: Session, window: Window, *, with_problems: bool = True, runs: list[CheckRun] | None = None
) -> WindowFacts:
    """Collect the window's facts from the stored results; ``with_problems`` also keeps the
    confirmed veto/deduct findings and the problem accounts' last post times (needed for the
    circular itself, not for the trend). ``runs`` limits the facts to some of the window's
    runs (one point of the trend)."""
    start, end = window.bounds()
    if runs is None:
        runs = rd.runs_between(session, start=start, end=end)
    facts = WindowFacts(window, runs)
    if not runs:
        return facts
    run_ids = [r.id for r in runs]
    facts.checked = rd.judged_accounts(session, run_ids)
    facts.uncollected = rd.uncollected_only(session, runs)
    facts.unqualified = rd.unqualified_accounts(session, run_ids)
    if with_problems:
        found = rd.findings_of(
            session, run_ids, statuses=("confirmed",), levels=PROBLEM_LEVELS, judged_only=True
        )
        facts.problems = found
        facts.last_post = rd.last_posts(session, run_ids, {f.account_id for f in found})
    return facts
