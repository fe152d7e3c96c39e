"""Truth tables for the reports' small rules: rates, 百分点, ordinals, window names,
formula neutralisation and the chart font (installed, shipped, or none: no charts)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from registry.sheets import Sheet, neutralise, write_workbook
from reports import charts
from reports.circular_text import period_title
from reports.text import chinese_number, points_change, previous_period_name, rate
from reports.window import Window


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [
        (6, 8, "75.00"),
        (2, 3, "66.67"),
        (1, 3, "33.33"),
        (1, 8, "12.50"),
        (0, 5, "0.00"),
        (5, 5, "100.00"),
        (1, 200, "0.50"),
        (1, 400, "0.25"),
        (1, 800, "0.13"),
        (0, 0, None),
    ],
)
def test_rate_rounds_half_up_to_two_decimals(part: int, whole: int, expected: str | None) -> None:
    value = rate(part, whole)
    assert (str(value) if value is not None else None) == expected


@pytest.mark.parametrize(
    ("current", "previous", "expected"),
    [
        ("98.60", "95.90", "较上季度提高2.70个百分点"),
        ("95.90", "98.60", "较上季度下降2.70个百分点"),
        ("90.00", "90.00", "与上季度持平"),
        ("90.00", None, ""),
        (None, "90.00", ""),
    ],
)
def test_points_change(current: str | None, previous: str | None, expected: str) -> None:
    cur = Decimal(current) if current else None
    prev = Decimal(previous) if previous else None
    assert points_change(cur, prev, "上季度") == expected


@pytest.mark.parametrize(
    ("n", "expected"), [(1, "一"), (9, "九"), (10, "十"), (11, "十一"), (20, "二十"), (25, "二十五")]
)
def test_chinese_ordinals(n: int, expected: str) -> None:
    assert chinese_number(n) == expected


@pytest.mark.parametrize(
    ("start", "end", "title", "previous", "period"),
    [
        (
            date(2026, 7, 1),
            date(2026, 9, 30),
            "2026年第三季度",
            (date(2026, 4, 1), date(2026, 6, 30)),
            "上季度",
        ),
        (
            date(2026, 1, 1),
            date(2026, 3, 31),
            "2026年第一季度",
            (date(2025, 10, 1), date(2025, 12, 31)),
            "上季度",
        ),
        (date(2026, 10, 1), date(2026, 10, 31), "2026年10月", (date(2026, 9, 1), date(2026, 9, 30)), "上月"),
        (
            date(2026, 11, 16),
            date(2026, 11, 22),
            "2026年11月16日至11月22日",
            (date(2026, 11, 9), date(2026, 11, 15)),
            "上周",
        ),
        (
            date(2026, 8, 15),
            date(2026, 11, 14),
            "2026年8月15日至11月14日",
            (date(2026, 5, 15), date(2026, 8, 14)),
            "上季度",
        ),
        (date(2026, 1, 1), date(2026, 12, 31), "2026年度", (date(2025, 1, 1), date(2025, 12, 31)), "上年"),
        (
            date(2026, 1, 1),
            date(2026, 1, 20),
            "2026年1月1日至1月20日",
            (date(2025, 12, 12), date(2025, 12, 31)),
            "上一检查周期",
        ),
    ],
)
def test_windows(start: date, end: date, title: str, previous: tuple[date, date], period: str) -> None:
    window = Window(start, end)
    assert period_title(window) == title
    assert (window.previous().start, window.previous().end) == previous
    assert window.previous().days == window.days or window.calendar_months()
    assert previous_period_name(window.days) == period


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+86 138", "'+86 138"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=cmd", "'\t=cmd"),
        ("  =A1", "'  =A1"),
        ("正常文本", "正常文本"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_formula_triggers_are_neutralised(text: str, expected: str) -> None:
    assert neutralise(text) == expected


def test_workbook_cells_are_neutral_and_numbers_stay_numbers(tmp_path: Path) -> None:
    path = write_workbook(
        tmp_path / "x.xlsx", [Sheet("表", ["a", "b"], [['=HYPERLINK("x")', 75.5], ["-3", 3]])]
    )
    rows = list(load_workbook(path)["表"].iter_rows(min_row=2, values_only=True))
    assert rows == [('\'=HYPERLINK("x")', 75.5), ("'-3", 3)]


SERIES = charts.Series("分平台合格率", ["微信公众号", "新浪微博"], [50.0, 100.0])


def test_without_any_chinese_font_no_chart_is_drawn(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from reports.publish import Written, draw_charts

    monkeypatch.setattr(charts, "cjk_font", lambda: None)
    written = Written()
    assert draw_charts({"chart_platform": SERIES}, tmp_path, "c", written) == {}
    assert written.warnings == [charts.NO_FONT] and not list(tmp_path.glob("*.png"))
    with pytest.raises(RuntimeError, match="未找到中文字体"):
        charts.render(SERIES, tmp_path / "a.png")


def test_the_shipped_font_draws_chinese_where_no_chinese_font_is_installed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A machine without Chinese fonts (none installed): the charts use the font shipped in
    reports/fonts, which covers every character of GB 2312."""
    monkeypatch.setattr(charts, "_installed", lambda: None)
    monkeypatch.setattr(charts, "_add_new_system_fonts", lambda: None)
    charts.cjk_font.cache_clear()
    try:
        family = charts.cjk_font()
        assert family == "Noto Sans SC"
        assert charts.missing_glyphs(["甘肃省政务新媒体", "临夏回族自治州", "崆峒区", "碌曲县"]) == ""
        path = charts.render(SERIES, tmp_path / "b.png")
        assert path.read_bytes()[:4] == b"\x89PNG" and path.stat().st_size > 5000
    finally:
        charts.cjk_font.cache_clear()


def test_a_character_the_font_lacks_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(charts, "_installed", lambda: None)
    monkeypatch.setattr(charts, "_add_new_system_fonts", lambda: None)
    charts.cjk_font.cache_clear()
    try:
        assert charts.missing_glyphs(["西安市鄠邑区"]) == "鄠"  # not in GB 2312
    finally:
        charts.cjk_font.cache_clear()
