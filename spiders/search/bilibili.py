"""Bilibili user search: ``x/web-interface/wbi/search/type?search_type=bili_user``.

Two passes: ``user_type=3`` (认证用户) first, then ``user_type=0`` (all). Users are in
``data.result[]`` (``mid``, ``uname``, ``usign``, ``fans``, ``official_verify`` {``type``:
1 机构 / 0 个人 / -1 none, ``desc``}); ``data.numPages`` bounds the pages. ``code`` -412/-352
is the risk control (blocked), -101 not logged in. The WBI signature is not computed here:
a platform that refuses unsigned calls answers -352, which is reported as blocked.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from scrapy.http import Response

from spiders.collectors.bilibili import AUTH_CODES, BLOCK_CODES, DEFAULT_BASE
from spiders.collectors.weibo import load_json
from spiders.outcomes import AuthExpired, Blocked, Failed, snippet_of
from spiders.search.base import Run, Searcher

USER_TYPES = {"org": 3, "all": 0}


class BilibiliSearch(Searcher):
    platform = "bilibili"
    budget = "bilibili_search"
    slot = "bilibili"
    filters = ("org", "all")
    priority = 20

    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.base = (settings.get("GOVMEDIA_BILIBILI_BASE_URL") or DEFAULT_BASE).rstrip("/")
        self.cookie = settings.get("GOVMEDIA_BILIBILI_COOKIE")

    def headers(self) -> dict[str, str]:
        headers = {"Referer": "https://search.bilibili.com/", "Accept": "application/json"}
        if self.cookie:
            headers["Cookie"] = self.cookie
        return headers

    def page_url(self, run: Run, filter_: str, page: int) -> str:
        params = {
            "search_type": "bili_user",
            "keyword": run["job"]["query"],
            "user_type": USER_TYPES[filter_],
            "order": "0",
            "page": page,
        }
        return f"{self.base}/x/web-interface/wbi/search/type?{urlencode(params)}"

    def accounts_of(self, response: Response, run: Run) -> tuple[list[dict[str, Any]], bool]:
        payload = load_json(response)
        snippet = snippet_of(response.text)
        if not isinstance(payload, dict):
            raise Failed("响应格式异常：不是 JSON 对象", status=response.status, snippet=snippet)
        code, message = payload.get("code"), payload.get("message") or ""
        if code in BLOCK_CODES:
            raise Blocked(f"B站风控：code {code}（{message}）", status=response.status, snippet=snippet)
        if code in AUTH_CODES:
            raise AuthExpired(
                f"B站登录失效：code {code}（{message}）", status=response.status, snippet=snippet
            )
        data = payload.get("data")
        if code != 0 or not isinstance(data, dict):
            raise Failed(f"B站搜索返回 code {code}（{message}）", status=response.status, snippet=snippet)
        items = data.get("result") or []
        if not isinstance(items, list):
            raise Failed("搜索响应的 data.result 不是列表", status=response.status, snippet=snippet)
        accounts = [bili_account(i) for i in items if isinstance(i, dict) and i.get("mid") is not None]
        return accounts, int(data.get("page") or 1) < int(data.get("numPages") or 0)


def bili_account(item: dict[str, Any]) -> dict[str, Any]:
    """One ``bili_user`` result as a found account (``official_verify.type`` 1 = 机构)."""
    official = item.get("official_verify") or {}
    kind_code = official.get("type")
    kind = {1: "organisation", 0: "personal"}.get(kind_code if isinstance(kind_code, int) else -1, "none")
    mid = str(item["mid"])
    return {
        "platform_id": mid,
        "name": _plain(item.get("uname")) or mid,
        "verified": kind != "none",
        "verified_kind": kind,
        "verified_text": (official.get("desc") or "").strip() or None,
        "description": _plain(item.get("usign")) or None,
        "followers": item.get("fans") if isinstance(item.get("fans"), int) else None,
        "url": f"https://space.bilibili.com/{mid}",
        "raw": {k: v for k, v in item.items() if k != "res"},
    }


def _plain(value: Any) -> str:
    """Search answers may wrap the keyword in ``<em class="keyword">``."""
    return re.sub(r"<[^>]+>", "", str(value or "")).strip()
