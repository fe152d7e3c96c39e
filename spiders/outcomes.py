"""Collection outcomes: how a fetch is classified before anything is stored.

Every account in every crawl ends with exactly one outcome, stored with its evidence
(HTTP status and a snippet of the response):

- ``ok``: posts were seen;
- ``empty``: a real, well-formed answer with no posts;
- ``blocked``: HTTP 403/412/418/432, a captcha or verification page ("当前环境异常",
  "访问过于频繁"…), WeChat ``ret`` 200013, Weibo ``ok: -100``, Bilibili ``code`` -352/-412;
- ``auth_expired``: the configured credential was rejected (WeChat 200003/200040, a
  redirect to a login page, HTTP 401, Bilibili -101);
- ``gone``: the account or feed is deleted, frozen, migrated or 注销 (HTTP 404/410 on a
  feed, the platform's own "不存在/已注销/冻结" answers);
- ``error``: timeouts after retries, 5xx after retries, malformed or truncated payloads,
  refused (unsafe) addresses, a missing credential or collector.

A blocked or failed fetch is never stored as "no posts": collectors raise one of the
exceptions below and the spider turns it into an attempt without posts.
"""

from __future__ import annotations

from typing import Any

from registry.masking import MASK, redact, register_secrets

OK, EMPTY, BLOCKED, AUTH_EXPIRED, GONE, ERROR = ("ok", "empty", "blocked", "auth_expired", "gone", "error")
SNIPPET = 300

BLOCK_STATUSES = {403, 412, 418, 429, 432}
AUTH_STATUSES = {401}
GONE_STATUSES = {404, 410}
# text markers of captcha / verification / rate-limit pages, checked on HTML and JSON bodies
BLOCK_MARKERS = (
    "当前环境异常",
    "完成验证后即可继续访问",
    "访问过于频繁",
    "请输入验证码",
    "协助验证",
    "安全验证",
    "captcha",
    "Captcha",
    "antispider",
    "请求过于频繁",
    "风控校验失败",
)
LOGIN_MARKERS = ("passport.weibo", "/signin", "/login", "登录后")
GONE_MARKERS = (
    "已注销",
    "已自主注销",
    "被冻结",
    "已冻结",
    "帐号迁移",
    "账号迁移",
    "用户不存在",
    "账号不存在",
    "帐号不存在",
    "已被封禁",
)


class CollectionOutcome(Exception):
    """Raised by a collector to end an account's collection with a non-ok outcome."""

    outcome = ERROR

    def __init__(self, detail: str, *, status: int | None = None, snippet: str | None = None) -> None:
        super().__init__(detail)
        self.detail = redact(detail)
        self.status = status
        self.snippet = redact(snippet[:SNIPPET]) if snippet else None


class Blocked(CollectionOutcome):
    """平台拦截（验证码、限流、风控），不能据此判断账号是否更新。"""

    outcome = BLOCKED


class AuthExpired(CollectionOutcome):
    """采集凭据（Cookie、token）失效或被拒绝。"""

    outcome = AUTH_EXPIRED


class Gone(CollectionOutcome):
    """账号或采集地址已删除、冻结、迁移或注销。"""

    outcome = GONE


class Failed(CollectionOutcome):
    """超时、服务器错误、响应格式异常等采集失败。"""

    outcome = ERROR


def snippet_of(body: Any) -> str:
    """The first characters of a response body, for evidence (credentials masked before it is
    cut, so no part of a secret survives at the cut)."""
    if isinstance(body, bytes):
        body = body[: SNIPPET * 4].decode("utf-8", "replace")
    return " ".join(redact(str(body or "")[: SNIPPET * 4]).split())[:SNIPPET]


def check_http(status: int, text: str, url: str = "") -> None:
    """Classify by status and login redirects; raise for anything but success."""
    snippet = snippet_of(text)
    if any(m in url for m in LOGIN_MARKERS) or status in AUTH_STATUSES:
        raise AuthExpired(f"凭据被拒绝（HTTP {status}，{redact(url)}）", status=status, snippet=snippet)
    if status in BLOCK_STATUSES:
        raise Blocked(f"平台拦截：HTTP {status}", status=status, snippet=snippet)
    if status in GONE_STATUSES:
        raise Gone(f"地址不存在：HTTP {status}", status=status, snippet=snippet)
    if status >= 400:
        raise Failed(f"服务器错误：HTTP {status}（已重试）", status=status, snippet=snippet)
    if status >= 300:
        raise Failed(f"未完成的重定向：HTTP {status}", status=status, snippet=snippet)


def check_markers(text: str, status: int | None = None) -> None:
    """Raise Blocked when a page is a captcha / verification / rate-limit page.

    Used on HTML pages and on bodies that failed to parse as the expected format, never on a
    well-formed JSON answer (a post may well mention a 验证码).
    """
    snippet = snippet_of(text)
    head = text[:20000]
    for marker in BLOCK_MARKERS:
        if marker in head:
            raise Blocked(f"验证码或验证页面（“{marker}”）", status=status, snippet=snippet)


def gone_marker(text: str) -> str | None:
    """The first account-gone marker found in a text, if any."""
    return next((m for m in GONE_MARKERS if m in text), None)


# masking lives in the registry (``registry.masking``): one root for every package
__all__ = ["MASK", "redact", "register_secrets"]
