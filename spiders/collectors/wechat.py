"""WeChat official accounts through the MP backend of an account the centre administers.

Needs ``GOVMEDIA_WECHAT_TOKEN`` and ``GOVMEDIA_WECHAT_COOKIE`` (the backend session).
Steps for one account:

1. ``cgi-bin/searchbiz`` resolves the filed name to a ``fakeid`` (= ``__biz``) when the
   filing holds a gh_ id instead of the ``__biz``; the match also gives the shown name.
2. ``cgi-bin/appmsgpublish`` lists what was published: ``publish_page`` is JSON inside a
   string, and each ``publish_info`` inside it is JSON inside a string again. When it is
   unavailable or malformed, ``cgi-bin/appmsg?action=list_ex`` is the fallback.
3. Article pages, at most ``GOVMEDIA_WECHAT_MAX_ARTICLES``, where the list lacks the
   copyright flag or the reprint source: ``_copyright_stat`` 1 = original declared, 2 =
   reprint with ``source_username``; the status pages (deleted by the author, removed for
   violation, temporarily unavailable, expired link) mark the post.

``copyright_stat`` in the lists: 11 original; 101 and 201 reprint; other values unknown.
``base_resp.ret`` 200013 is frequency control (blocked); 200003 / 200040 an invalid
session (auth_expired).
"""

from __future__ import annotations

import contextlib
import html
import json
import re
from typing import Any
from urllib.parse import urlencode, urlsplit

from scrapy.http import Response

from spiders.collectors.base import Collector, Output, Run, make_post
from spiders.collectors.weibo import load_json
from spiders.outcomes import (
    AuthExpired,
    Blocked,
    CollectionOutcome,
    Failed,
    Gone,
    check_http,
    check_markers,
    snippet_of,
)

DEFAULT_BASE = "https://mp.weixin.qq.com"
BLOCK_RETS = {200013}
AUTH_RETS = {200003, 200040, -6, 200008}
ORIGINAL, REPRINTS = 11, {101, 201}
STATUS_PAGES = {
    "该内容已被发布者删除": "deleted",
    "此内容因违规无法查看": "violation",
    "该内容暂时无法查看": "unavailable",
    "链接已过期": "expired",
}
_VAR = re.compile(r"""(?:var\s+|window\.)(\w+)\s*=\s*(.+?)\s*;?\s*$""", re.M)
_STR = re.compile(r"""(["'])(.*?)\1""")


def page_vars(text: str) -> dict[str, str]:
    """The JavaScript string variables of an article page: the first non-empty alternative of
    ``var x = "" || "value"`` / ``window.x = 'value' || ''`` (first assignment wins)."""
    found: dict[str, str] = {}
    for name, expr in _VAR.findall(text):
        if name in found:
            continue
        values = [m.group(2) for m in _STR.finditer(expr)]
        value = next((v for v in values if v), "")
        if values:
            found[name] = html.unescape(value)
    return found


def page_status(text: str) -> str | None:
    """deleted / violation / unavailable / expired for the platform's status pages."""
    head = re.sub(r"<script\b.*?</script>", "", text[:200000], flags=re.S | re.I)
    return next((status for marker, status in STATUS_PAGES.items() if marker in head), None)


class WechatCollector(Collector):
    name = "wechat"
    label = "微信公众号（公众平台后台）"
    budget = "wechat"
    slot = "wechat"
    priority = 20
    shows_platform_name = True

    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.base = (settings.get("GOVMEDIA_WECHAT_BASE_URL") or DEFAULT_BASE).rstrip("/")
        self.token = settings.get("GOVMEDIA_WECHAT_TOKEN")
        self.cookie = settings.get("GOVMEDIA_WECHAT_COOKIE")
        self.max_articles = settings.getint("GOVMEDIA_WECHAT_MAX_ARTICLES", 5)

    @classmethod
    def handles(cls, job: dict[str, Any]) -> bool:
        return bool(job["platform"] == "wechat")

    def missing(self, job: dict[str, Any]) -> str | None:
        if not (self.token and self.cookie):
            return "未配置 GOVMEDIA_WECHAT_TOKEN 和 GOVMEDIA_WECHAT_COOKIE（公众平台后台会话）"
        return None

    def _headers(self) -> dict[str, str]:
        return {
            "Cookie": self.cookie or "",
            "Referer": f"{self.base}/cgi-bin/home",
            "X-Requested-With": "XMLHttpRequest",
        }

    def _cgi(self, path: str, **params: Any) -> str:
        params.update(token=self.token, lang="zh_CN", f="json", ajax=1)
        return f"{self.base}/cgi-bin/{path}?{urlencode(params)}"

    def start(self, run: Run) -> Output:
        job = run["job"]
        if job["platform_id"].startswith("gh_"):
            url = self._cgi("searchbiz", action="search_biz", begin=0, count=5, query=job["name"])
            yield self.request(url, run, "search", headers=self._headers())
            return
        run["fakeid"] = job["platform_id"]
        yield self._publish_request(run)

    def _publish_request(self, run: Run) -> Any:
        url = self._cgi(
            "appmsgpublish",
            sub="list",
            sub_action="list_ex",
            begin=0,
            count=5,
            fakeid=run["fakeid"],
            type="101_1",
            free_publish_type=1,
        )
        return self.request(url, run, "publish", headers=self._headers(), own_status=True)

    def parse_search(self, response: Response, run: Run) -> Output:
        payload = load_json(response)
        _base_resp(payload, response)
        job = run["job"]
        candidates = [c for c in payload.get("list") or [] if isinstance(c, dict)]
        match = next(
            (
                c
                for c in candidates
                if c.get("nickname") == job["name"] or c.get("alias") == job["platform_id"]
            ),
            None,
        )
        if match is None and job.get("fakeid"):
            # renamed on the platform: the fakeid found by an earlier crawl still works
            run["fakeid"] = job["fakeid"]
            yield self._publish_request(run)
            return
        if not candidates:
            raise Gone(
                f"searchbiz 搜索不到「{job['name']}」（可能已注销、迁移或改名）",
                status=response.status,
                snippet=snippet_of(response.text),
            )
        if match is None:
            names = "、".join(str(c.get("nickname")) for c in candidates) or "无结果"
            raise Failed(
                f"searchbiz 未找到名为「{job['name']}」的公众号（结果：{names}）",
                status=response.status,
                snippet=snippet_of(response.text),
            )
        run["fakeid"] = match["fakeid"]
        run["snapshot"] = {
            "shown_name": match.get("nickname"),
            "verified": (match.get("verify_status") or 0) > 0,
            "extra": {
                "fakeid": match["fakeid"],
                "alias": match.get("alias"),
                "service_type": match.get("service_type"),
            },
        }
        yield self._publish_request(run)

    def parse_publish(self, response: Response, run: Run) -> Output:
        try:
            check_http(response.status, response.text, response.url)
            payload = load_json(response)
            _base_resp(payload, response)
            items = list(_publish_items(payload))
        except (Blocked, AuthExpired):
            raise
        except (CollectionOutcome, ValueError, KeyError, TypeError) as exc:
            reason = exc.detail if isinstance(exc, CollectionOutcome) else "返回的内容与预期的格式不符"
            run["notes"].append(f"appmsgpublish 不可用（{reason}），改用 appmsg list_ex")
            url = self._cgi(
                "appmsg", action="list_ex", begin=0, count=5, fakeid=run["fakeid"], type=9, query=""
            )
            yield self.request(url, run, "list_ex", headers=self._headers())
            return
        for item, sent_time in items:
            self._add(run, item, sent_time)
        yield from self.advance(run)

    def parse_list_ex(self, response: Response, run: Run) -> Output:
        payload = load_json(response)
        _base_resp(payload, response)
        items = payload.get("app_msg_list")
        if not isinstance(items, list):
            raise Failed(
                "list_ex 响应缺少 app_msg_list", status=response.status, snippet=snippet_of(response.text)
            )
        for item in items:
            self._add(run, item, None)
        yield from self.advance(run)

    def _add(self, run: Run, item: dict[str, Any], sent_time: Any) -> None:
        stat = item.get("copyright_stat")
        is_repost = (
            None if stat is None else (False if stat == ORIGINAL else (True if stat in REPRINTS else None))
        )
        link = html.unescape(str(item.get("link") or "")).replace("\\/", "/")
        pid = item.get("aid") or f"{item.get('appmsgid')}_{item.get('itemidx')}"
        extra = {
            k: item[k]
            for k in ("copyright_stat", "copyright_type", "item_show_type", "is_deleted", "ban_flag")
            if item.get(k) is not None
        }
        if item.get("is_deleted"):
            extra["status"] = "deleted"
        post = make_post(
            pid,
            fetched_at=run["fetched_at"],
            time_value=item.get("create_time") or item.get("update_time") or sent_time,
            title=item.get("title"),
            html=item.get("digest") or "",
            url=link or None,
            is_repost=is_repost,
            counts={},
            extra=extra,
        )
        run["posts"].append(post)
        wanted = stat is None or is_repost is True
        fetches = sum(1 for step, _u, _k in run["queue"] if step == "article")
        page = self._page_url(link)
        if wanted and page and fetches < self.max_articles:
            run["queue"].append(("article", page, post["post_id"]))

    def _page_url(self, link: str) -> str | None:
        parts = urlsplit(link)
        if parts.hostname != "mp.weixin.qq.com":
            return None
        return f"{self.base}{parts.path}?{parts.query}" if parts.query else f"{self.base}{parts.path}"

    def parse_article(self, response: Response, run: Run) -> Output:
        post = next((p for p in run["posts"] if p["post_id"] == run.get("current")), None)
        text = response.text
        status = page_status(text)
        if post is not None and status:
            post["extra"] = {**(post["extra"] or {}), "status": status}
        elif post is not None:
            check_markers(text, response.status)
            values = page_vars(text)
            flag = values.get("_copyright_stat")
            extra = dict(post["extra"] or {})
            extra["page_copyright_stat"] = flag
            if flag == "1":
                post["is_repost"] = False
            elif flag == "2":
                post["is_repost"] = True
                post["source"] = values.get("source_username") or values.get("source_encode_biz") or None
            if values.get("ct") and post["published_at"] is None:
                from spiders.normalize import TimeParseError, parse_time_span

                with contextlib.suppress(TimeParseError):  # an untrusted time stays unknown
                    post["published_at"], post["published_latest"], post["published_approx"] = (
                        parse_time_span(values["ct"], fetched_at=run["fetched_at"])
                    )
            post["extra"] = extra
            if run.get("snapshot") is None and values.get("nickname"):
                run["snapshot"] = {
                    "shown_name": values["nickname"],
                    "extra": {"user_name": values.get("user_name")},
                }
        yield from self.advance(run)


def _base_resp(payload: Any, response: Response) -> None:
    if not isinstance(payload, dict):
        raise Failed(
            "响应格式异常：不是 JSON 对象", status=response.status, snippet=snippet_of(response.text)
        )
    base = payload.get("base_resp") or {}
    ret = base.get("ret")
    msg = base.get("err_msg") or ""
    if ret in (0, None):
        return
    snippet = snippet_of(response.text)
    if ret in BLOCK_RETS:
        raise Blocked(f"公众平台频率限制：ret {ret}（{msg}）", status=response.status, snippet=snippet)
    if ret in AUTH_RETS:
        raise AuthExpired(f"公众平台会话失效：ret {ret}（{msg}）", status=response.status, snippet=snippet)
    raise Failed(f"公众平台返回 ret {ret}（{msg}）", status=response.status, snippet=snippet)


def _publish_items(payload: dict[str, Any]) -> Any:
    """(appmsgex item, sent time) pairs from the double-encoded ``publish_page``."""
    page = payload["publish_page"]
    page = json.loads(page) if isinstance(page, str) else page
    for entry in page.get("publish_list") or []:
        info = entry.get("publish_info")
        info = json.loads(info) if isinstance(info, str) else info
        if not info:
            continue
        sent = (info.get("sent_info") or {}).get("time")
        for item in info.get("appmsgex") or []:
            yield item, sent
