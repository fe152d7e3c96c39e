"""The workbench's settings: plain values the application builds from ``[web]`` of
``govmedia.toml`` (or ``GOVMEDIA_WEB_…``) and the command's options.

    [web]
    host = "127.0.0.1"          # 监听地址（反向代理在本机时保持 127.0.0.1）
    port = 8000
    approval_level = "parent"   # 报备由谁审核：parent（上级单位）或 province/city/county（该级别的上级单位）
    trust_proxy = false         # 在反向代理之后：信任 X-Forwarded-Proto / X-Forwarded-For
    proxy_addresses = ["127.0.0.1"]   # 只信任这些地址转来的 X-Forwarded-… 头
    session_hours = 8           # 登录有效时长
    login_failures = 5          # 同一用户名在 login_window 分钟内失败这么多次即暂停登录
    address_failures = 20       # 同一地址在 login_window 分钟内失败这么多次即暂停登录
    login_window = 15
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from registry.users.logins import Throttle


@dataclass(frozen=True)
class WebSettings:
    db: str | None = None
    approval_level: str = "parent"
    trust_proxy: bool = False
    proxy_addresses: tuple[str, ...] = ("127.0.0.1", "::1")
    session_hours: float = 8
    throttle: Throttle = field(default_factory=Throttle)
    report: Any = None  # reports.settings.CircularSettings for the circulars and notices


def parse_flag(value: Any) -> bool:
    """true/false, yes/no, 1/0, 是/否 (ValueError with a Chinese reason otherwise)."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on", "是"):
        return True
    if text in ("0", "false", "no", "off", "否", ""):
        return False
    raise ValueError("应为 true 或 false")


def parse_approval_level(value: Any) -> str:
    from registry.errors import InvalidValue
    from registry.users.access import approval_level_code

    try:
        return approval_level_code(str(value))
    except InvalidValue:
        raise ValueError("应为 parent（上级单位）、province、city 或 county") from None
