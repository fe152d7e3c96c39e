"""Weibo through m.weibo.cn ``api/container/getIndex``.

Steps for one account (uid): the profile (``type=uid&value={uid}``: shown name, followers,
verification, and the post-list containerid ``107603{uid}``), the post list pages
(``GOVMEDIA_WEIBO_MAX_PAGES``, default 1), then ``statuses/extend`` for each post marked
``isLongText``. Reposts are posts with ``retweeted_status`` (source = its author; a deleted
original has ``user: null``). Pinned posts (``mblogtype`` 2, or a ``proweibotop`` card) are
kept and flagged. ``ok: -100``, HTTP 432/418 and missing ``data`` are blocks, a redirect to
the login pages means the cookie was rejected.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from scrapy.http import Response

from spiders.collectors.base import Collector, Output, Run, make_post
from spiders.outcomes import AuthExpired, Blocked, Failed, Gone, check_markers, gone_marker, snippet_of

DEFAULT_BASE = "https://m.weibo.cn"


def load_json(response: Response) -> Any:
    """The JSON body; a captcha page is a block, anything else unparsable is an error."""
    text = response.text
    try:
        return json.loads(text)
    except ValueError:
        check_markers(text, response.status)
        raise Failed(
            "响应不是合法的 JSON（可能被截断）", status=response.status, snippet=snippet_of(text)
        ) from None


class WeiboCollector(Collector):
    name = "weibo"
    label = "新浪微博"
    budget = "weibo"
    slot = "weibo"
    priority = 20
    shows_platform_name = True

    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.base = (settings.get("GOVMEDIA_WEIBO_BASE_URL") or DEFAULT_BASE).rstrip("/")
        self.cookie = settings.get("GOVMEDIA_WEIBO_COOKIE")
        self.max_pages = settings.getint("GOVMEDIA_WEIBO_MAX_PAGES", 1)

    @classmethod
    def handles(cls, job: dict[str, Any]) -> bool:
        return bool(job["platform"] == "weibo")

    def _headers(self, uid: str) -> dict[str, str]:
        headers = {
            "Accept": "application/json, text/plain, */*",
            "X-Requested-With": "XMLHttpRequest",
            "MWeibo-Pwa": "1",
            "Referer": f"{self.base}/u/{uid}",
        }
        if self.cookie:
            headers["Cookie"] = self.cookie
        return headers

    def _index(self, **params: Any) -> str:
        return f"{self.base}/api/container/getIndex?{urlencode(params)}"

    def start(self, run: Run) -> Output:
        uid = run["job"]["platform_id"]
        yield self.request(self._index(type="uid", value=uid), run, "profile", headers=self._headers(uid))

    def next_request(self, run: Run, step: str, url: str) -> Any:
        return self.request(url, run, step, optional=True, headers=self._headers(run["job"]["platform_id"]))

    def parse_profile(self, response: Response, run: Run) -> Output:
        payload = load_json(response)
        data = _checked(payload, response)
        user = data.get("userInfo")
        if not isinstance(user, dict):
            raise Blocked(
                "响应缺少 userInfo（疑似限流）", status=response.status, snippet=snippet_of(response.text)
            )
        run["snapshot"] = {
            "shown_name": user.get("screen_name"),
            "followers": _int(user.get("followers_count")),
            "posts_count": _int(user.get("statuses_count")),
            "verified": user.get("verified"),
            "verified_reason": (user.get("verified_reason") or "").strip() or None,
            "extra": {"verified_type": user.get("verified_type")},
        }
        uid = run["job"]["platform_id"]
        tabs = (data.get("tabsInfo") or {}).get("tabs") or []
        containerid = next((t.get("containerid") for t in tabs if t.get("tabKey") == "weibo"), None)
        run["containerid"] = containerid or f"107603{uid}"
        run["page"] = 1
        yield self.request(self._list_url(run), run, "list", headers=self._headers(uid))

    def _list_url(self, run: Run) -> str:
        uid = run["job"]["platform_id"]
        return self._index(type="uid", value=uid, containerid=run["containerid"], page=run["page"])

    def parse_list(self, response: Response, run: Run) -> Output:
        payload = load_json(response)
        if isinstance(payload, dict) and payload.get("ok") == 0 and _no_posts(payload):
            yield from self.advance(run)  # the platform's own "no posts yet"
            return
        data = _checked(payload, response)
        if "cards" not in data:
            raise Blocked(
                "响应缺少 cards（疑似限流）", status=response.status, snippet=snippet_of(response.text)
            )
        found = 0
        for card in _cards(data["cards"]):
            mblog = card["mblog"]
            pinned = (
                mblog.get("mblogtype") == 2
                or str(card.get("profile_type_id", "")).startswith("proweibotop")
                or (mblog.get("title") or {}).get("text") == "置顶"
            )
            run["posts"].append(self.post(mblog, run, pinned=pinned))
            found += 1
            if mblog.get("isLongText"):
                run["queue"].append(
                    ("longtext", f"{self.base}/statuses/extend?id={mblog['id']}", str(mblog["id"]))
                )
        if found and run["page"] < self.max_pages:
            run["page"] += 1
            run["queue"].insert(0, ("list", self._list_url(run), None))
        yield from self.advance(run)

    def post(self, mblog: dict[str, Any], run: Run, *, pinned: bool) -> dict[str, Any]:
        retweet = mblog.get("retweeted_status")
        source = None
        extra: dict[str, Any] = {"bid": mblog.get("bid")}
        if isinstance(retweet, dict):
            user = retweet.get("user")
            source = user.get("screen_name") if isinstance(user, dict) else None
            extra["retweet_id"] = retweet.get("id")
            if user is None:
                extra["original_deleted"] = True
        return make_post(
            mblog["id"],
            fetched_at=run["fetched_at"],
            time_value=mblog.get("created_at"),
            html=mblog.get("text"),
            url=f"https://m.weibo.cn/detail/{mblog['id']}",
            is_repost=isinstance(retweet, dict),
            source=source,
            pinned=pinned,
            counts={
                "reposts": mblog.get("reposts_count"),
                "comments": mblog.get("comments_count"),
                "likes": mblog.get("attitudes_count"),
            },
            extra=extra,
        )

    def parse_longtext(self, response: Response, run: Run) -> Output:
        payload = load_json(response)
        data = _checked(payload, response)
        mid = run.get("current") or parse_qs(urlsplit(response.url).query).get("id", [""])[0]
        long_text = data.get("longTextContent")
        if long_text:
            from spiders.normalize import first_line, plain_text

            for post in run["posts"]:
                if post["post_id"] == mid:
                    post["text"] = plain_text(long_text)
                    post["title"] = first_line(post["text"]) or post["title"]
        yield from self.advance(run)


# The list's own answer for an account without posts: ``ok: 0`` with exactly this message and
# an empty ``cards`` list. Any other ``ok: 0`` (login required, refused, "还没有登录"…) is a
# refusal, never "no posts".
NO_POSTS_MESSAGES = frozenset({"这里还没有内容", "暂无微博"})
LOGIN_WORDS = ("登录", "login", "登陆")


def _no_posts(payload: dict[str, Any]) -> bool:
    msg = str(payload.get("msg") or "").strip()
    cards = (payload.get("data") or {}).get("cards") if isinstance(payload.get("data"), dict) else None
    return msg in NO_POSTS_MESSAGES and not cards


def _checked(payload: Any, response: Response) -> dict[str, Any]:
    """``data`` of an ``ok: 1`` answer; blocks, gone accounts and odd answers raise."""
    if not isinstance(payload, dict):
        raise Failed(
            "响应格式异常：不是 JSON 对象", status=response.status, snippet=snippet_of(response.text)
        )
    ok = payload.get("ok")
    msg = str(payload.get("msg") or payload.get("message") or "")
    if ok == -100:
        raise Blocked(
            "微博返回 ok: -100（需要登录或验证）", status=response.status, snippet=snippet_of(response.text)
        )
    if ok != 1:
        marker = gone_marker(msg)
        if marker:
            raise Gone(f"微博账号不可用：{msg}", status=response.status, snippet=snippet_of(response.text))
        if any(word in msg.lower() for word in LOGIN_WORDS):
            raise AuthExpired(
                f"微博要求登录（ok: {ok}，{msg}）", status=response.status, snippet=snippet_of(response.text)
            )
        raise Blocked(
            f"微博返回 ok: {ok}（{msg or '无说明'}）",
            status=response.status,
            snippet=snippet_of(response.text),
        )
    data = payload.get("data")
    if not isinstance(data, dict):
        raise Blocked("响应缺少 data（疑似限流）", status=response.status, snippet=snippet_of(response.text))
    return data


def _cards(cards: list[Any]) -> list[dict[str, Any]]:
    out = []
    for card in cards or []:
        if not isinstance(card, dict):
            continue
        if card.get("card_type") == 9 and isinstance(card.get("mblog"), dict):
            out.append(card)
        for inner in card.get("card_group") or []:
            if (
                isinstance(inner, dict)
                and inner.get("card_type") == 9
                and isinstance(inner.get("mblog"), dict)
            ):
                out.append(inner)
    return out


def _int(value: Any) -> int | None:
    from spiders.normalize import parse_count

    return parse_count(value)[0]
