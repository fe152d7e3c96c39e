"""Chinese wording helpers shared by every report: percentages, 百分点, ordinals, dates.

All arithmetic that a sentence needs happens here or in the compute modules, never in a
template; the functions return finished strings such as "提高2.70个百分点".
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from monitor.figures import pct_text as pct
from monitor.figures import percent as rate
from registry.vocab import PLATFORM, RULE, UNIT_LEVEL

__all__ = ["pct", "rate"]

DIGITS = "零一二三四五六七八九"
LEVEL_ORDER = ("province", "city", "county", "township")


def rule_label(code: str) -> str:
    return RULE.label(code)


def level_label(code: str) -> str:
    return UNIT_LEVEL.label(code)


def platform_name(code: str) -> str:
    return PLATFORM.label(code)


def points_change(current: Decimal | None, previous: Decimal | None, period: str) -> str:
    """'较上季度提高2.70个百分点' / '下降…' / '持平'; empty when either side is missing."""
    if current is None or previous is None:
        return ""
    diff = current - previous
    if diff > 0:
        return f"较{period}提高{diff}个百分点"
    if diff < 0:
        return f"较{period}下降{-diff}个百分点"
    return f"与{period}持平"


def previous_period_name(days: int) -> str:
    """What the previous window of the same length is called in a circular."""
    if days <= 8:
        return "上周"
    if 28 <= days <= 31:
        return "上月"
    if 89 <= days <= 92:
        return "上季度"
    if 365 <= days <= 366:
        return "上年"
    return "上一检查周期"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 25 → 二十五 (enough for numbered problems)."""
    if n < 10:
        return DIGITS[n]
    if n < 20:
        return "十" + (DIGITS[n - 10] if n > 10 else "")
    if n < 100:
        tens, ones = divmod(n, 10)
        return DIGITS[tens] + "十" + (DIGITS[ones] if ones else "")
    return str(n)


def cn_date(day: date) -> str:
    """'2026年11月23日' (成文日期 in Arabic numerals, GB/T 9704)."""
    return f"{day.year}年{day.month}月{day.day}日"


def join_counts(pairs: list[tuple[str, int]], unit: str = "个") -> str:
    """'省级12个、市州30个' from label/count pairs, skipping zeros."""
    return "、".join(f"{label}{count}{unit}" for label, count in pairs if count)
