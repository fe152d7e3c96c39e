"""The circular's trend and charts: the pass rate of the previous window and of each month
(or each check) of this one, from the stored results, and the chart series worth drawing.

The trend names its points as a person would: the previous window as 第二季度 / 8月 (or 上季度
when it is not a calendar period), this window's months as 9月 / 10月 (2026年12月 when the
window spans two years), the checks of a one-month window as 11月2日周抽查 — never a point
named by two dates. A chart is drawn only when it compares at least two bars or points.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from registry.timeutil import TZ
from registry.vocab import CHECK_KIND
from reports import groups
from reports.charts import Series
from reports.text import pct
from reports.window import Window, WindowFacts, load_window

MAX_BARS = 40


def rate_row(label: str, f: WindowFacts) -> groups.RateRow:
    """One point: the window's (or month's, or check's) stored figures under ``label``."""
    value = f.pass_rate
    assert value is not None
    return groups.RateRow(
        label, label, len(f.checked), f.qualified, len(f.unqualified), float(value), pct(value)
    )


def trend_rows(
    session: Session, window: Window, facts: WindowFacts, previous: WindowFacts, period: str
) -> list[groups.RateRow]:
    """The previous window, then each month of this window — or each check when the window
    lies within one month — with its stored figures."""
    rows = []
    if previous.checked:
        other_year = previous.window.start.year != window.start.year
        named = previous.window.calendar_months() is not None
        rows.append(rate_row(previous.window.label(with_year=other_year) if named else period, previous))
    months = window.months()
    if len(months) > 1:
        with_year = window.start.year != window.end.year
        for month in months:
            start, end = month.bounds()
            runs = [r for r in facts.runs if start <= r.at <= end]
            point = load_window(session, month, with_problems=False, runs=runs) if runs else None
            if point is not None and point.checked:
                rows.append(rate_row(month.label(with_year=with_year), point))
        return rows
    for run in facts.runs:
        point = load_window(session, window, with_problems=False, runs=[run])
        if point.checked:
            day = run.at.astimezone(TZ)
            rows.append(rate_row(f"{day.month}月{day.day}日{CHECK_KIND.label(run.kind)}", point))
    return rows


def chart_series(
    trend: Sequence[groups.RateRow],
    platforms: Sequence[groups.RateRow],
    cities: Sequence[groups.RateRow],
    *,
    decimals: int = 2,
) -> dict[str, Series]:
    """The charts worth drawing, in the order they are numbered (图1, 图2 …)."""
    out: dict[str, Series] = {}
    if len(trend) > 1:
        what = "各月" if any(r.label.endswith("月") for r in trend) else "各次检查"
        first = trend[0].label
        head = f"本期{what}" if first.endswith(("月", "抽查", "检查")) else f"{first}及本期{what}"
        kind = "line" if len(trend) >= 3 else "bar"
        out["chart_trend"] = Series(
            f"{head}合格率", [r.label for r in trend], [r.rate for r in trend], kind, decimals
        )
    if len(platforms) > 1:
        out["chart_platform"] = _bars("分平台合格率", platforms, decimals)
    if len(cities) > 1:
        rows, what = list(cities), "分市州合格率"
        if len(rows) > MAX_BARS:
            rows, what = rows[-MAX_BARS:], f"合格率最低的{MAX_BARS}个市州"
        out["chart_region"] = _bars(what, rows, decimals)
    return out


def _bars(title: str, rows: Sequence[groups.RateRow], decimals: int) -> Series:
    return Series(title, [r.label for r in rows], [r.rate for r in rows], "bar", decimals)
