"""Safety of untrusted URLs (feed URLs and list pages written into filings).

A filing URL may point anywhere, including the centre's own network. Before every request
to such a URL, and again on every redirect, ``check_url`` refuses:

- schemes other than http and https;
- hosts that resolve (DNS) to loopback, private, link-local, multicast, reserved or
  unspecified addresses, unless ``GOVMEDIA_ALLOW_PRIVATE_URLS`` is ``1`` or lists the
  ``host[:port]``.

Responses from such URLs are capped at ``GOVMEDIA_MAX_RESPONSE_BYTES``. Operator-configured
base URLs (``GOVMEDIA_*_BASE_URL``) are trusted and not checked.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest

Resolver = Callable[[str], Iterable[str]]


class UnsafeUrl(IgnoreRequest):
    """The URL was refused before any byte was sent."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{reason}：{url}")
        self.url = url
        self.reason = reason


def system_resolver(host: str) -> list[str]:
    """Every address the host resolves to (IPv4 and IPv6)."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except socket.gaierror:
        raise UnsafeUrl(host, "无法解析域名") from None
    return sorted({str(info[4][0]) for info in infos})


class AllowList:
    """Parsed ``GOVMEDIA_ALLOW_PRIVATE_URLS``: everything (``1``) or some ``host[:port]``."""

    def __init__(self, value: str | None) -> None:
        text = (value or "").strip()
        self.everything = text.lower() in ("1", "true", "yes", "on")
        self.entries = (
            set()
            if self.everything
            else {e.strip().lower() for e in text.split(",") if e.strip() and e.strip() != "0"}
        )

    def allows(self, host: str, port: int | None) -> bool:
        if self.everything:
            return True
        return host.lower() in self.entries or f"{host.lower()}:{port}" in self.entries


def check_url(url: str, *, allow: AllowList, resolver: Resolver = system_resolver) -> None:
    """Raise UnsafeUrl unless ``url`` is http(s) and reaches only public addresses."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise UnsafeUrl(url, f"不支持的协议「{parts.scheme or '无'}」，只允许 http 和 https")
    host = parts.hostname
    if not host:
        raise UnsafeUrl(url, "缺少主机名")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise UnsafeUrl(url, "端口无效") from None
    if allow.allows(host, port):
        return
    try:
        addresses = [host] if _is_ip(host) else list(resolver(host))
    except UnsafeUrl:
        raise
    except OSError as exc:
        raise UnsafeUrl(url, f"无法解析域名（{exc}）") from None
    if not addresses:
        raise UnsafeUrl(url, "域名没有地址")
    for address in addresses:
        if not is_public(address):
            raise UnsafeUrl(
                url, f"指向内网或本机地址 {address}，已拒绝（GOVMEDIA_ALLOW_PRIVATE_URLS 可放行）"
            )


def is_public(address: str) -> bool:
    """True for a globally routable unicast address."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
