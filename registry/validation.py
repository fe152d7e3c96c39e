"""Field checks for filings: credit codes, region codes, phone numbers, dates.

Each function raises ``InvalidValue`` naming the field, the value and the reason.
"""

from __future__ import annotations

import re
from datetime import date

from registry.errors import InvalidValue
from registry.vocab import ACCOUNT_STATUS, PLATFORM, UNIT_KIND, UNIT_LEVEL

# GB 32100-2015: 18 characters, the last a check character over the first 17.
CREDIT_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

_MOBILE = re.compile(r"(?:\+?86[- ]?)?1[3-9][0-9]{9}")
_LANDLINE = re.compile(r"0[0-9]{2,3}-?[0-9]{7,8}(?:-[0-9]{1,6})?")


def credit_check_char(first17: str) -> str:
    total = sum(CREDIT_CHARSET.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS, strict=True))
    return CREDIT_CHARSET[(31 - total % 31) % 31]


def credit_code(value: str, field: str = "统一社会信用代码") -> str:
    """统一社会信用代码: 18 characters from GB 32100's alphabet with a valid check character."""
    code = value.strip().upper()
    if len(code) != 18:
        raise InvalidValue(field, value, f"应为 18 位，实际 {len(code)} 位")
    bad = [c for c in code if c not in CREDIT_CHARSET]
    if bad:
        raise InvalidValue(field, value, f"含有不允许的字符「{bad[0]}」（不使用 I、O、Z、S、V）")
    if not code[2:8].isdigit():
        raise InvalidValue(field, value, "第 3–8 位应为登记管理机关的行政区划代码")
    expected = credit_check_char(code[:17])
    if code[17] != expected:
        raise InvalidValue(field, value, f"校验位错误（应为「{expected}」）")
    return code


def region_level(code: str) -> str:
    """The administrative level a six-digit code names: 620000 province, 620100 city, …"""
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "city"
    return "county"


def region_code(value: str, level: str, field: str = "行政区划代码") -> str:
    """Six digits, consistent with the unit's level (townships use their county's code)."""
    code = value.strip()
    if not re.fullmatch(r"[1-9][0-9]{5}", code):
        raise InvalidValue(field, value, "应为 6 位数字")
    shown = region_level(code)
    wanted = "county" if level == "township" else level
    if shown != wanted:
        examples = {"province": "如 620000", "city": "如 620100", "county": "如 620102"}
        raise InvalidValue(
            field,
            value,
            f"与级别「{UNIT_LEVEL.label(level)}」不符：这是{UNIT_LEVEL.label(shown)}代码（{examples[wanted]}）",
        )
    return code


def region_prefix(value: str, field: str = "--region") -> str:
    """The prefix of the region codes within a region: 620000 → "62", 620100 → "6201",
    620102 → "620102" (2, 4 or 6 digits may also be given as they are)."""
    code = value.strip()
    if re.fullmatch(r"[1-9][0-9](?:[0-9]{2}){0,2}", code) and len(code) < 6:
        return code
    if not re.fullmatch(r"[1-9][0-9]{5}", code):
        raise InvalidValue(field, value, "应为行政区划代码，如 620000（省）、620100（市州）或 620102（县区）")
    return code[: {"province": 2, "city": 4, "county": 6}[region_level(code)]]


def region_within(child: str, parent: str, parent_level: str) -> bool:
    prefix = {"province": 2, "city": 4, "county": 6, "township": 6}[parent_level]
    return child[:prefix] == parent[:prefix]


def level(value: str, field: str = "级别") -> str:
    return UNIT_LEVEL.code(value, field)


def kind(value: str, field: str = "类型") -> str:
    return UNIT_KIND.code(value, field)


def status(value: str, field: str = "状态") -> str:
    return ACCOUNT_STATUS.code(value, field)


def platform(value: str, field: str = "平台") -> str:
    return PLATFORM.code(value, field)


def phone(value: str, field: str = "联系电话") -> str:
    """A mainland mobile number (11 digits from 13–19) or a landline with its area code."""
    number = re.sub(r"[\s()（）]", "", value)
    if _MOBILE.fullmatch(number):
        digits = re.sub(r"\D", "", number)
        return digits[-11:]
    if _LANDLINE.fullmatch(number):
        return number
    raise InvalidValue(field, value, "应为 11 位手机号码（1 开头）或带区号的固定电话")


def email(value: str, field: str = "邮箱") -> str:
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value.strip()):
        raise InvalidValue(field, value, "不是有效的电子邮箱地址")
    return value.strip()


def url(value: str, field: str = "链接") -> str:
    if not re.fullmatch(r"https?://[^\s/]+\S*", value.strip()):
        raise InvalidValue(field, value, "应为 http:// 或 https:// 开头的网址")
    return value.strip()


def text(value: str, field: str, *, max_len: int = 200, required: bool = True) -> str:
    cleaned = value.strip()
    if required and not cleaned:
        raise InvalidValue(field, value, "不能为空")
    if len(cleaned) > max_len:
        raise InvalidValue(field, value, f"过长（最多 {max_len} 个字符）")
    return cleaned


def iso_date(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value.strip().replace("/", "-"))
    except ValueError:
        raise InvalidValue(field, value, "应为日期 YYYY-MM-DD") from None


MAX_ID = 2**31 - 1  # ids are INTEGER columns (32-bit on PostgreSQL)


def record_id(value: object) -> int | None:
    """A record id given as text or a number: ASCII digits within the database's integer
    range, else None (the caller reports "not found" for its own field)."""
    text = str(value).strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None
