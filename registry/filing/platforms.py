"""The platforms as the registry sees them: the 备案编号 abbreviation and the shape of each
platform's stable account id (names and aliases are in ``registry.vocab``)."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from registry.errors import InvalidValue
from registry.validation import INVISIBLE
from registry.vocab import PLATFORM


@dataclass(frozen=True)
class Platform:
    """What the registry knows of a platform besides its name (``registry.vocab.PLATFORM``):
    the abbreviation in 备案编号 and the shape of its stable account id."""

    code: str
    abbr: str
    id_pattern: str | None
    id_hint: str

    @property
    def label(self) -> str:
        return PLATFORM.label(self.code)


PLATFORMS: dict[str, Platform] = {
    p.code: p
    for p in (
        Platform(
            "wechat",
            "WX",
            r"gh_[0-9a-f]{12}|[A-Za-z0-9+/]{12,}={0,2}",
            "应为原始ID（gh_ 加 12 位十六进制）或 __biz",
        ),
        Platform("weibo", "WB", r"[0-9]{5,12}", "应为微博 uid（5–12 位数字）"),
        Platform(
            "douyin",
            "DY",
            r"MS4wLjABAAAA[A-Za-z0-9_\-]{16,}|[0-9]{5,20}",
            "应为抖音 sec_uid（MS4wLjABAAAA 开头）或数字 uid",
        ),
        Platform("kuaishou", "KS", r"[A-Za-z0-9_]{5,40}", "应为快手用户ID（5–40 位字母、数字或下划线）"),
        Platform(
            "toutiao",
            "TT",
            r"[0-9]{5,20}|MS4wLjABAAAA[A-Za-z0-9_\-]{16,}",
            "应为头条号数字ID或 MS4wLjABAAAA 开头的 token",
        ),
        Platform("bilibili", "BL", r"[0-9]{1,16}", "应为 B站 mid（数字）"),
        Platform(
            "wechat_channels",
            "SP",
            r"sph[A-Za-z0-9]{4,40}|v2_[A-Za-z0-9_@.\-]{8,}@finder",
            "应为视频号ID（sph 开头，或 v2_…@finder）",
        ),
        Platform("xiaohongshu", "XH", r"[0-9a-f]{24}", "应为小红书用户ID（24 位十六进制）"),
        Platform("baijiahao", "BJ", r"[0-9]{6,20}", "应为百家号 app_id（数字）"),
        Platform("app", "APP", None, ""),
        Platform("website", "WEB", None, ""),
        Platform("other", "QT", None, ""),
    )
}
assert set(PLATFORMS) == set(PLATFORM.codes)


def platform_id_problem(code: str, platform_id: str) -> str | None:
    """Why a platform id has the wrong shape for its platform, or None when it fits."""
    if not platform_id or platform_id != platform_id.strip():
        return "不能为空，且首尾不能有空格"
    if len(platform_id) > 200:
        return "过长（最多 200 个字符）"
    if INVISIBLE.search(platform_id):
        return "含有不可见的控制字符"
    p = PLATFORMS[code]
    if p.id_pattern is None:
        return None if not re.search(r"\s", platform_id) else "不能包含空白字符"
    if not re.fullmatch(p.id_pattern, platform_id):
        return p.id_hint
    if code == "wechat" and not platform_id.startswith("gh_") and not _is_biz(platform_id):
        return p.id_hint
    return None


def platform_id(code: str, value: str, field: str = "平台账号ID") -> str:
    """A platform id of the right shape for its platform, or ``InvalidValue``."""
    problem = platform_id_problem(code, value)
    if problem:
        raise InvalidValue(field, value, f"{PLATFORM.label(code)}{problem}")
    return value


def _is_biz(value: str) -> bool:
    """A ``__biz`` is the base64 of the account's decimal uin."""
    try:
        decoded = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return False
    return decoded.isdigit()
