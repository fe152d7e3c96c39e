"""Weibo user search through m.weibo.cn ``api/container/getIndex``.

The container ``100103type=3&q={query}`` is the user search; with ``&isv=3&specfilter=1`` it is
restricted to organisation-verified accounts (titled 机构认证). Both passes run: the filter
where it answers, then unfiltered for unverified accounts. Users are in ``data.cards[]``
(``card_type`` 11 → ``card_group[]`` ``card_type`` 10 → ``user``: ``id``, ``screen_name``,
``verified``, ``verified_type``, ``verified_reason``, ``description``, ``followers_count``);
``data.cardlistInfo.page`` is the next page. ``ok: -100``, HTTP 432/418 and captcha pages are
blocks; ``ok: 0`` "还没有内容" is a real empty answer; another ``ok: 0`` is a failed search
(for the filtered pass: the filter does not answer, so the query goes on unfiltered).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from scrapy.http import Response

from spiders.collectors.weibo import DEFAULT_BASE, load_json
from spiders.outcomes import Blocked, Failed, snippet_of
from spiders.search.base import Run, Searcher, verified_kind_weibo

EMPTY_MESSAGES = ("还没有", "没有找到", "暂无")


class WeiboSearch(Searcher):
    platform = "weibo"
    budget = "weibo_search"
    slot = "weibo"
    filters = ("org", "all")
    priority = 20

    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.base = (settings.get("GOVMEDIA_WEIBO_BASE_URL") or DEFAULT_BASE).rstrip("/")
        self.cookie = settings.get("GOVMEDIA_WEIBO_COOKIE")

    def headers(self) -> dict[str, str]:
        headers = {
            "Accept": "application/json, text/plain, */*",
            "X-Requested-With": "XMLHttpRequest",
            "MWeibo-Pwa": "1",
            "Referer": f"{self.base}/search?containerid=100103",
        }
        if self.cookie:
            headers["Cookie"] = self.cookie
        return headers

    def page_url(self, run: Run, filter_: str, page: int) -> str:
        container = f"100103type=3&q={run['job']['query']}"
        if filter_ == "org":
            container += "&isv=3&specfilter=1"
        params = {"containerid": container, "page_type": "searchall", "page": page}
        return f"{self.base}/api/container/getIndex?{urlencode(params)}"

    def accounts_of(self, response: Response, run: Run) -> tuple[list[dict[str, Any]], bool]:
        payload = load_json(response)
        snippet = snippet_of(response.text)
        if not isinstance(payload, dict):
            raise Failed("响应格式异常：不是 JSON 对象", status=response.status, snippet=snippet)
        ok, msg = payload.get("ok"), str(payload.get("msg") or "")
        if ok == -100:
            raise Blocked("微博返回 ok: -100（需要登录或验证）", status=response.status, snippet=snippet)
        if ok != 1:
            if any(m in msg for m in EMPTY_MESSAGES):
                return [], False
            raise Failed(
                f"微博搜索返回 ok: {ok}（{msg or '无说明'}）", status=response.status, snippet=snippet
            )
        data = payload.get("data")
        if not isinstance(data, dict) or not isinstance(data.get("cards"), list):
            raise Blocked("响应缺少 data.cards（疑似限流）", status=response.status, snippet=snippet)
        accounts = [weibo_account(card) for card in user_cards(data["cards"])]
        info = data.get("cardlistInfo") or {}
        return accounts, bool(info.get("page"))


def user_cards(cards: list[Any]) -> list[dict[str, Any]]:
    """The ``card_type`` 10 user cards, at top level or inside ``card_group``."""
    out = []
    for card in cards:
        if not isinstance(card, dict):
            continue
        for inner in [card, *(card.get("card_group") or [])]:
            if (
                isinstance(inner, dict)
                and inner.get("card_type") == 10
                and isinstance(inner.get("user"), dict)
            ):
                out.append(inner)
    return out


def weibo_account(card: dict[str, Any]) -> dict[str, Any]:
    user = card["user"]
    uid = str(user["id"])
    verified = bool(user.get("verified"))
    return {
        "platform_id": uid,
        "name": user.get("screen_name") or uid,
        "verified": verified,
        "verified_kind": verified_kind_weibo(verified, user.get("verified_type")),
        "verified_text": (user.get("verified_reason") or "").strip() or None,
        "description": user.get("description") or None,
        "followers": _count(user.get("followers_count")),
        "url": f"https://m.weibo.cn/u/{uid}",
        "raw": card,
    }


def _count(value: Any) -> int | None:
    from spiders.normalize import parse_count

    return parse_count(value)[0]
