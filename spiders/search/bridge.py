"""Douyin, Kuaishou and Toutiao user search through a configurable search bridge.

Their web searches need signatures computed by the platform's own JavaScript (Douyin
``a_bogus``, Toutiao ``_signature``, Kuaishou ``sig``), so the centre points
``GOVMEDIA_DISCOVERY_<P>_SEARCH_URL`` at a bridge that signs the call and passes the platform's
answer through, e.g. ``https://bridge.example.gov.cn/douyin/search/user?keyword={query}&page={page}``
(``{query}`` is URL-encoded; ``{page}`` counts from 1, ``{offset}`` from 0). The answers read:

- Douyin ``user_list[].user_info`` {``sec_uid``/``uid``, ``nickname``, ``signature``,
  ``follower_count``, ``custom_verify``, ``enterprise_verify_reason``, ``is_gov_media_vip``};
  ``status_code`` ≠ 0 is a failed search, an answer with neither users nor cursor a block (what
  a wrong signature gets);
- Kuaishou ``users[]`` {``user_id``, ``user_name``, ``user_text``, ``fansCount``} (no
  verification field is known), ``result`` ≠ 1 failed;
- Toutiao ``data[]`` user objects {``user_id``, ``name``/``screen_name``, ``user_verified``,
  ``verified_content``, ``description``, ``follower_count``} (field names of the feed's user
  objects; the 2026 user-search shape is unconfirmed).

A signed native searcher can replace one of these by registering with a higher priority.
"""

from __future__ import annotations

from typing import Any, ClassVar
from urllib.parse import quote

from scrapy.http import Response

from spiders.collectors.weibo import load_json
from spiders.outcomes import Blocked, Failed, snippet_of
from spiders.search.base import Run, Searcher

PAGE_SIZE = 10


class BridgeSearch(Searcher):
    """One platform's search through its configured bridge URL."""

    platform: ClassVar[str] = ""
    priority = 10

    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.template = settings.get(f"GOVMEDIA_DISCOVERY_{self.platform.upper()}_SEARCH_URL")

    def missing(self) -> str | None:
        if not self.template:
            var = f"GOVMEDIA_DISCOVERY_{self.platform.upper()}_SEARCH_URL"
            return f"未配置搜索桥接地址（[discovery] {self.platform}_search_url / {var}），无法搜索"
        return None

    def page_url(self, run: Run, filter_: str, page: int) -> str:
        assert self.template
        return (
            self.template.replace("{query}", quote(run["job"]["query"]))
            .replace("{page}", str(page))
            .replace("{offset}", str((page - 1) * PAGE_SIZE))
        )

    def accounts_of(self, response: Response, run: Run) -> tuple[list[dict[str, Any]], bool]:
        payload = load_json(response)
        if not isinstance(payload, dict):
            raise Failed(
                "响应格式异常：不是 JSON 对象", status=response.status, snippet=snippet_of(response.text)
            )
        return self.read(payload, response)

    def read(self, payload: dict[str, Any], response: Response) -> tuple[list[dict[str, Any]], bool]:
        raise NotImplementedError


class DouyinSearch(BridgeSearch):
    platform = "douyin"
    budget = "douyin_search"

    def read(self, payload: dict[str, Any], response: Response) -> tuple[list[dict[str, Any]], bool]:
        snippet = snippet_of(response.text)
        if payload.get("status_code") not in (0, None):
            raise Failed(f"抖音搜索返回 status_code {payload.get('status_code')}", snippet=snippet)
        users = payload.get("user_list")
        if not users:
            if "cursor" not in payload and "has_more" not in payload:
                raise Blocked("抖音返回空结果且没有翻页游标（签名无效时的表现）", snippet=snippet)
            return [], False
        accounts = [
            douyin_account(u["user_info"]) for u in users if isinstance(u, dict) and u.get("user_info")
        ]
        return accounts, bool(payload.get("has_more"))


def douyin_account(user: dict[str, Any]) -> dict[str, Any]:
    pid = str(user.get("sec_uid") or user.get("uid"))
    enterprise = (user.get("enterprise_verify_reason") or "").strip()
    custom = (user.get("custom_verify") or "").strip()
    if user.get("is_gov_media_vip"):
        kind = "government"
    elif enterprise:
        kind = "verified"  # 蓝V: a body, enterprise or public
    elif custom:
        kind = "personal"
    else:
        kind = "none"
    return {
        "platform_id": pid,
        "name": user.get("nickname") or pid,
        "verified": kind != "none",
        "verified_kind": kind,
        "verified_text": enterprise or custom or None,
        "description": user.get("signature") or None,
        "followers": user.get("follower_count"),
        "url": f"https://www.douyin.com/user/{pid}",
        "raw": user,
    }


class KuaishouSearch(BridgeSearch):
    platform = "kuaishou"
    budget = "kuaishou_search"

    def read(self, payload: dict[str, Any], response: Response) -> tuple[list[dict[str, Any]], bool]:
        if payload.get("result") not in (1, None):
            raise Failed(f"快手搜索返回 result {payload.get('result')}", snippet=snippet_of(response.text))
        users = [u for u in payload.get("users") or [] if isinstance(u, dict) and u.get("user_id")]
        accounts = [
            {
                "platform_id": str(u["user_id"]),
                "name": u.get("user_name") or str(u["user_id"]),
                "verified": None,
                "verified_kind": "none",
                "verified_text": None,
                "description": u.get("user_text") or None,
                "followers": u.get("fansCount"),
                "url": f"https://www.kuaishou.com/profile/{u['user_id']}",
                "raw": u,
            }
            for u in users
        ]
        return accounts, bool(payload.get("pcursor") not in (None, "", "no_more") and users)


class ToutiaoSearch(BridgeSearch):
    platform = "toutiao"
    budget = "toutiao_search"

    def read(self, payload: dict[str, Any], response: Response) -> tuple[list[dict[str, Any]], bool]:
        if payload.get("message") not in ("success", None):
            raise Failed(f"头条搜索返回 message {payload.get('message')}", snippet=snippet_of(response.text))
        items = [i for i in payload.get("data") or [] if isinstance(i, dict) and i.get("user_id")]
        accounts = []
        for i in items:
            verified = bool(i.get("user_verified"))
            accounts.append(
                {
                    "platform_id": str(i["user_id"]),
                    "name": i.get("name") or i.get("screen_name") or str(i["user_id"]),
                    "verified": verified,
                    "verified_kind": "verified" if verified else "none",
                    "verified_text": (i.get("verified_content") or "").strip() or None,
                    "description": i.get("description") or None,
                    "followers": i.get("follower_count"),
                    "url": f"https://www.toutiao.com/c/user/{i['user_id']}/",
                    "raw": i,
                }
            )
        return accounts, bool(payload.get("has_more"))
