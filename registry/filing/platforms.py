"""Platform codes, their Chinese names, and the shape of each platform's stable id."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Platform:
    code: str
    label: str
    abbr: str
    aliases: tuple[str, ...]
    id_pattern: str | None
    id_hint: str


PLATFORMS: dict[str, Platform] = {
    p.code: p
    for p in (
        Platform(
            "wechat",
            "微信公众号",
            "WX",
            ("微信", "公众号", "微信订阅号", "微信服务号", "订阅号", "服务号"),
            r"gh_[0-9a-f]{12}|[A-Za-z0-9+/]{12,}={0,2}",
            "应为原始ID（gh_ 加 12 位十六进制）或 __biz",
        ),
        Platform(
            "weibo",
            "新浪微博",
            "WB",
            ("微博", "新浪", "sina"),
            r"[0-9]{5,12}",
            "应为微博 uid（5–12 位数字）",
        ),
        Platform(
            "douyin",
            "抖音",
            "DY",
            ("抖音号",),
            r"MS4wLjABAAAA[A-Za-z0-9_\-]{16,}|[0-9]{5,20}",
            "应为抖音 sec_uid（MS4wLjABAAAA 开头）或数字 uid",
        ),
        Platform(
            "kuaishou",
            "快手",
            "KS",
            ("快手号",),
            r"[A-Za-z0-9_]{5,40}",
            "应为快手用户ID（5–40 位字母、数字或下划线）",
        ),
        Platform(
            "toutiao",
            "今日头条",
            "TT",
            ("头条", "头条号", "今日头条号"),
            r"[0-9]{5,20}|MS4wLjABAAAA[A-Za-z0-9_\-]{16,}",
            "应为头条号数字ID或 MS4wLjABAAAA 开头的 token",
        ),
        Platform(
            "bilibili",
            "哔哩哔哩",
            "BL",
            ("B站", "b站", "bilibili", "哔哩哔哩号"),
            r"[0-9]{1,16}",
            "应为 B站 mid（数字）",
        ),
        Platform(
            "wechat_channels",
            "微信视频号",
            "SP",
            ("视频号",),
            r"sph[A-Za-z0-9]{4,40}|v2_[A-Za-z0-9_@.\-]{8,}@finder",
            "应为视频号ID（sph 开头，或 v2_…@finder）",
        ),
        Platform(
            "xiaohongshu",
            "小红书",
            "XH",
            ("小红书号", "红书"),
            r"[0-9a-f]{24}",
            "应为小红书用户ID（24 位十六进制）",
        ),
        Platform(
            "baijiahao",
            "百家号",
            "BJ",
            ("百度百家号",),
            r"[0-9]{6,20}",
            "应为百家号 app_id（数字）",
        ),
        Platform("app", "移动客户端", "APP", ("客户端", "APP", "App", "政务APP"), None, ""),
        Platform("website", "网站", "WEB", ("政府网站", "门户网站"), None, ""),
        Platform("other", "其他", "QT", ("其它",), None, ""),
    )
}

_LOOKUP: dict[str, str] = {}
for _p in PLATFORMS.values():
    for _key in (_p.code, _p.label, *_p.aliases):
        _LOOKUP[_key.strip().lower()] = _p.code


def platform_code(value: str) -> str | None:
    """A code or a Chinese name (微信公众号, 新浪微博, 抖音…) → the platform code."""
    return _LOOKUP.get(value.strip().lower())


def platform_label(code: str) -> str:
    p = PLATFORMS.get(code)
    return p.label if p else code


def platform_id_problem(code: str, platform_id: str) -> str | None:
    """Why a platform id has the wrong shape for its platform, or None when it fits."""
    if not platform_id or platform_id != platform_id.strip():
        return "不能为空，且首尾不能有空格"
    if len(platform_id) > 200:
        return "过长（最多 200 个字符）"
    p = PLATFORMS[code]
    if p.id_pattern is None:
        return None if not re.search(r"\s", platform_id) else "不能包含空白字符"
    if not re.fullmatch(p.id_pattern, platform_id):
        return p.id_hint
    if code == "wechat" and not platform_id.startswith("gh_") and not _is_biz(platform_id):
        return p.id_hint
    return None


def _is_biz(value: str) -> bool:
    """A ``__biz`` is the base64 of the account's decimal uin."""
    try:
        decoded = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return False
    return decoded.isdigit()
