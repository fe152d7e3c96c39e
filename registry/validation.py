"""Field checks for filings: credit codes, region codes, phone numbers, dates.

Each function raises ``InvalidValue`` naming the field, the value and the reason.
"""

from __future__ import annotations

import re
from datetime import date

from registry.errors import InvalidValue, shown_value
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


# characters a person cannot see or that rewrite a terminal or a document: C0/C1 controls
# (NUL, BEL, ESC…, CR/LF in one-line fields), bidi overrides and isolates (U+202A–U+202E,
# U+2066–U+2069), zero-width joiners and the BOM, line/paragraph separators
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]"
)
INVISIBLE = _INVISIBLE
_LINE_BREAKS = re.compile("[\r\n\t]")


def shown(value: object) -> str:
    """A value as a message may show it: control characters escaped, cut at 80 characters."""
    return shown_value(value)


_HOST = re.compile(r"(?=.{1,253}$)(?!-)[A-Za-z0-9\-]{1,63}(?<!-)(?:\.(?!-)[A-Za-z0-9\-]{1,63}(?<!-))*\.?")


def url(value: str, field: str = "链接") -> str:
    """An http(s) address with a real host and a valid port; anything else (``javascript:``,
    ``data:``, ``http://x:99999/``, spaces or control characters) is refused."""
    from urllib.parse import urlsplit

    text_value = str(value).strip()
    if _INVISIBLE.search(text_value) or _LINE_BREAKS.search(text_value) or " " in text_value:
        raise InvalidValue(field, value, "网址中不能有空格或控制字符")
    try:
        parts = urlsplit(text_value)
        port = parts.port
    except ValueError:
        raise InvalidValue(field, value, "端口或主机名无效（端口应为 1–65535）") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise InvalidValue(field, value, "应为 http:// 或 https:// 开头的网址")
    host = parts.hostname or ""
    if not (_is_ip(host) or _HOST.fullmatch(_idna(host))):
        raise InvalidValue(field, value, "缺少有效的主机名")
    if port is not None and not 1 <= port <= 65535:
        raise InvalidValue(field, value, "端口无效（应为 1–65535）")
    return text_value


def _idna(host: str) -> str:
    """The ASCII form of a host name (中文域名 included), or "" when it has none."""
    try:
        return host.encode("idna").decode("ascii") if host else ""
    except UnicodeError:
        return ""


def _is_ip(host: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def text(
    value: str, field: str, *, max_len: int = 200, required: bool = True, multiline: bool | None = None
) -> str:
    """Stripped text of at most ``max_len`` characters. Invisible and control characters are
    refused; line breaks only where ``multiline`` (by default: long, note-like fields of more
    than 200 characters)."""
    cleaned = str(value).strip()
    if required and not cleaned:
        raise InvalidValue(field, value, "不能为空")
    if len(cleaned) > max_len:
        raise InvalidValue(field, value, f"过长（最多 {max_len} 个字符）")
    lines = max_len > 200 if multiline is None else multiline
    bad = _INVISIBLE.search(cleaned) or (not lines and _LINE_BREAKS.search(cleaned))
    if bad:
        escaped = _INVISIBLE.sub(_escape, _LINE_BREAKS.sub(_escape, cleaned))[:80]
        raise InvalidValue(field, escaped, f"含有不可见的控制字符（U+{ord(bad.group()):04X}）")
    return cleaned


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


SELECTOR_KEYS = ("url", "item", "title", "link", "date", "text", "empty_text")


def selectors(value: object, field: str = "列表页选择器") -> dict[str, str]:
    """网站/客户端列表页选择器: a JSON object whose ``item`` (and the other known keys) are CSS
    or XPath selectors that compile; ``url`` is an http(s) address; unknown keys are refused."""
    if not isinstance(value, dict):
        raise InvalidValue(field, value, '应为 JSON 对象，如 {"item": "ul.list li"}')
    unknown = [k for k in value if k not in SELECTOR_KEYS]
    if unknown:
        raise InvalidValue(field, unknown[0], "未知的键，可用：" + "、".join(SELECTOR_KEYS))
    if not str(value.get("item") or "").strip():
        raise InvalidValue(field, value, "必须给出 item（每条内容对应的节点）")
    out: dict[str, str] = {}
    for key, raw in value.items():
        expr = text(str(raw), f"{field}.{key}", max_len=500)
        if key == "url":
            out[key] = url(expr, f"{field}.url")
        elif key == "empty_text":
            out[key] = expr
        else:
            problem = selector_problem(expr)
            if problem:
                raise InvalidValue(f"{field}.{key}", expr, problem)
            out[key] = expr
    return out


def selector_problem(expr: str) -> str | None:
    """Why a CSS/XPath selector does not compile (None when it does). A selector starting with
    ``/``, ``./`` or ``(`` is XPath, otherwise CSS with ``::text`` / ``::attr(name)``."""
    from parsel import Selector

    probe = Selector(text="<html><body></body></html>")
    try:
        if expr.startswith(("/", "./", "(")):
            probe.xpath(expr if not expr.startswith("/") else "." + expr)
        else:
            probe.css(expr)
    except Exception:  # cssselect and lxml raise several kinds for a bad expression
        return "不是有效的 CSS 或 XPath 选择器"
    return None


def iso_date(value: str, field: str) -> date:
    from registry.timeutil import parse_date

    return parse_date(value, field)


MAX_ID = 2**31 - 1  # ids are INTEGER columns (32-bit on PostgreSQL)


def record_id(value: object) -> int | None:
    """A record id given as text or a number: ASCII digits within the database's integer
    range, else None (the caller reports "not found" for its own field)."""
    text = str(value).strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None
