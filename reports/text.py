"""Chinese wording helpers shared by every report: percentages, 百分点, ordinals, dates.

All arithmetic that a sentence needs happens here or in the compute modules, never in a
template; the functions return finished strings such as "提高2.70个百分点".
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from registry.filing.platforms import platform_label
from registry.validation import LEVELS

DIGITS = "零一二三四五六七八九"
LEVEL_ORDER = ("province", "city", "county", "township")
VERDICT_LABELS = {"qualified": "合格", "unqualified": "不合格", "uncollected": "未能采集"}
LEVEL_LABELS = {"veto": "单项否决", "deduct": "扣分", "warn": "提醒", "info": "提示"}
STATUS_LABELS = {"candidate": "待复核", "confirmed": "已确认", "dismissed": "已排除"}

# Chinese names of the monitor's rule codes; an unknown code is shown as it is.
RULE_LABELS = {
    "no_update": "内容不更新（监测时间点前2周内无更新）",
    "update_warning": "更新不及时",
    "update_slow": "更新频率偏低",
    "shell_account": "空壳、僵尸账号",
    "duplicate_account": "同一平台重复开设账号",
    "similar_low_use": "功能相近、关注度和利用率低",
    "low_originality": "原创比例偏低",
    "serious_error": "严重表述错误",
    "sensitive_word": "使用敏感词语",
    "entertainment": "内容娱乐化",
    "commercial_ad": "发布商业广告",
    "no_interaction": "未提供有效互动功能",
    "filing_mismatch": "账号信息与备案不符",
    "relay_missed": "未按要求转载重要信息",
}


def rule_label(code: str) -> str:
    return RULE_LABELS.get(code, code)


def level_label(code: str) -> str:
    return LEVELS.get(code, code)


def platform_name(code: str) -> str:
    return platform_label(code)


def rate(part: int, whole: int, places: int = 2) -> Decimal | None:
    """part / whole in percent, rounded half-up to ``places`` decimals; None when whole is 0."""
    if whole <= 0:
        return None
    quantum = Decimal(1).scaleb(-places)
    return (Decimal(part) * 100 / Decimal(whole)).quantize(quantum, rounding=ROUND_HALF_UP)


def pct(value: Decimal | None) -> str:
    """'98.60%', or '—' when there is nothing to divide."""
    return "—" if value is None else f"{value}%"


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


def join_names(names: list[str], limit: int = 5) -> str:
    """'「甲」「乙」等3个' style list, naming at most ``limit`` accounts."""
    shown = "、".join(f"「{n}」" for n in names[:limit])
    if len(names) > limit:
        return f"{shown}等{len(names)}个账号"
    return shown


def join_counts(pairs: list[tuple[str, int]], unit: str = "个") -> str:
    """'省级12个、市州30个' from label/count pairs, skipping zeros."""
    return "、".join(f"{label}{count}{unit}" for label, count in pairs if count)
