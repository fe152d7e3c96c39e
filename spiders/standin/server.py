"""A stand-in for the platforms: a local HTTP server that serves given accounts and posts in
the exact shapes of the real interfaces, with fault modes per account.

Used by the tests, by ``make demo`` and by ``bench/crawl.py``. Nothing here reaches the
internet. Typical use::

    from spiders.standin import StandinAccount, StandinServer, make_posts

    accounts = [
        StandinAccount("weibo", "2803301701", "甘肃发布", posts=make_posts(20, prefix="wb")),
        StandinAccount("wechat", "gh_0123456789ab", "兰州发布", posts=make_posts(5)),
        StandinAccount("bilibili", "12345678", "甘肃共青团", posts=make_posts(5)),
        StandinAccount("douyin", "MS4wLjABAAAAxxxxxxxxxxxxxxxx", "兰州消防", kind="rss"),
        StandinAccount("website", "lanzhou-gov", "兰州市政府网", kind="html"),
        StandinAccount("weibo", "2803301702", "某局", fault="blocked_432"),
    ]
    with StandinServer(accounts) as server:
        env = server.env()                      # GOVMEDIA_*_BASE_URL, WeChat token/cookie,
                                                # GOVMEDIA_ALLOW_PRIVATE_URLS for this server
        server.feed_url(accounts[3])            # the 采集地址 to file for a feed account
        server.list_url(accounts[4]), server.selectors(accounts[4])   # list page + selectors
        ...                                     # run `govmedia crawl` with env
        server.hits                             # Counter of requests per path
        server.arrivals()                       # request times per platform / host (pace checks)
        file_accounts(db, server, accounts, unit="某单位")   # file + approve them in the registry

``StandinAccount(platform, platform_id, name, posts=[], kind="native", fault=None,
followers=1000, verified=True)``: ``kind`` is ``native`` (weibo/wechat/bilibili interfaces),
``rss``, ``atom``, ``json`` (feeds) or ``html`` (a news-list page). ``StandinPost(post_id,
published_at, title, text, is_repost=False, source=None, pinned=False, long_text=False,
counts={}, status=None)``; ``status`` deleted / violation / unavailable makes the WeChat
article page a status page. ``make_posts(n, ...)`` builds n posts an hour apart.

Fault modes (``fault=``), applied to every request of that account unless noted:

=====================  ======================================================================
``blocked_432``        HTTP 432 (Weibo's answer to cookie-less clients)
``blocked_418``        HTTP 418
``captcha``            HTTP 200 with a "当前环境异常，完成验证后即可继续访问" page
``ret_200013``         WeChat ``base_resp.ret`` 200013 (frequency control)
``ok_-100``            Weibo ``{"ok": -100}`` (login / verification required)
``ok_0_login``         Weibo's post list ``{"ok": 0, "msg": "您还没有登录…"}`` (a refusal, not "no posts")
``gone``               Weibo "用户不存在", Bilibili code -404, WeChat search without result,
                       HTTP 404 for feeds and list pages
``auth_expired``       Weibo redirect to the login page, WeChat ret 200003, Bilibili code
                       -101, HTTP 401 for feeds and list pages
``truncated``          the body cut in the middle (malformed JSON / XML)
``slow``               the answer waits ``slow_seconds`` (default 5) before being sent
``error_once``         the first request of the account gets HTTP 500, later ones succeed
``no_publish``         WeChat ``appmsgpublish`` fails (ret -1), ``appmsg list_ex`` works
``redirect_private``   feeds / list pages redirect to ``localhost`` (a private address)
``empty``              a real, well-formed answer with no posts
=====================  ======================================================================

``StandinServer(accounts, latency=0.2)`` waits that many seconds before every answer (a platform
far away: a crawl against it is bound by latency, not by the CPU). Every request's arrival is
logged (``server.log``: monotonic time, what it was paced by, path): ``weibo``, ``wechat`` and
``bilibili`` for their interfaces, ``host:<host:port>`` for feeds and list pages.

Weibo times are sent in the mobile list's relative forms (``刚刚``, ``N分钟前``, ``昨天 HH:MM``,
``MM-DD``) unless ``weibo_time_style="detail"``.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from spiders.standin import feeds
from spiders.standin import payloads as pay
from spiders.standin import search as search_routes

FAULTS = (
    "blocked_432",
    "blocked_418",
    "captcha",
    "ret_200013",
    "ok_-100",
    "ok_0_login",
    "gone",
    "auth_expired",
    "truncated",
    "slow",
    "error_once",
    "no_publish",
    "redirect_private",
    "empty",
)


@dataclass
class StandinPost:
    post_id: str
    published_at: datetime
    title: str
    text: str
    is_repost: bool = False
    source: str | None = None
    pinned: bool = False
    long_text: bool = False
    counts: dict[str, Any] = field(default_factory=dict)
    status: str | None = None


@dataclass
class StandinAccount:
    platform: str
    platform_id: str
    name: str
    posts: list[StandinPost] = field(default_factory=list)
    kind: str = "native"
    fault: str | None = None
    followers: int = 1000
    verified: bool = True

    @property
    def key(self) -> str:
        return f"{self.platform}-{self.platform_id}"


def make_posts(
    n: int,
    *,
    prefix: str = "p",
    start: datetime | None = None,
    step: timedelta = timedelta(hours=1),
    reposts: int = 0,
    source: str = "人民日报",
) -> list[StandinPost]:
    """``n`` posts, newest first, ``step`` apart from ``start`` (default: 30 minutes ago);
    the last ``reposts`` of them are reposts of ``source``."""
    start = start or datetime.now(UTC) - timedelta(minutes=30)
    posts = []
    for i in range(n):
        repost = i >= n - reposts
        posts.append(
            StandinPost(
                post_id=f"{prefix}{i:06d}",
                published_at=start - step * i,
                title=f"【政务动态】第{i + 1}条：关于做好冬季安全生产工作的通知",
                text=f"第{i + 1}条正文：各单位要切实做好冬季安全生产工作，确保群众生命财产安全。",
                is_repost=repost,
                source=source if repost else None,
                counts={"reposts": i, "comments": 2 * i, "likes": 10 * i, "reads": 100 * i},
            )
        )
    return posts


class StandinServer:
    """The stand-in HTTP server (threaded, on 127.0.0.1 and a free port by default)."""

    def __init__(
        self,
        accounts: list[StandinAccount] | tuple[StandinAccount, ...] = (),
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        slow_seconds: float = 5.0,
        weibo_time_style: str = "mobile",
        latency: float = 0.0,
    ) -> None:
        self.accounts: dict[str, StandinAccount] = {}
        for account in accounts:
            self.add(account)
        self.slow_seconds = slow_seconds
        self.weibo_time_style = weibo_time_style
        self.hits: Counter[str] = Counter()
        self.latency = latency
        self.log: list[tuple[float, str, str]] = []  # (time.monotonic(), pace key, path)
        self.search = search_routes.SearchData()  # account searches (spiders.standin.search)
        self._seen: set[str] = set()
        self._lock = threading.Lock()
        self._httpd = _QuietServer((host, port), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.standin = self  # type: ignore[attr-defined]
        self._thread: threading.Thread | None = None

    def add(self, account: StandinAccount) -> StandinAccount:
        self.accounts[account.key] = account
        return account

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        """Environment for a crawl against this server."""
        return {
            "GOVMEDIA_WEIBO_BASE_URL": f"{self.base_url}/weibo",
            "GOVMEDIA_WECHAT_BASE_URL": f"{self.base_url}/wechat",
            "GOVMEDIA_BILIBILI_BASE_URL": f"{self.base_url}/bilibili",
            "GOVMEDIA_WECHAT_TOKEN": "standin-token",
            "GOVMEDIA_WECHAT_COOKIE": "slave_sid=standin",
            "GOVMEDIA_ALLOW_PRIVATE_URLS": f"127.0.0.1:{self.port}",
            "GOVMEDIA_CRAWL_DELAY": "0",
        }

    def feed_url(self, account: StandinAccount) -> str:
        ext = {"rss": "xml", "atom": "atom", "json": "json"}.get(account.kind, "xml")
        return f"{self.base_url}/feeds/{account.key}.{ext}"

    def list_url(self, account: StandinAccount) -> str:
        return f"{self.base_url}/html/{account.key}/index.html"

    def selectors(self, account: StandinAccount) -> dict[str, Any]:
        return {**feeds.HTML_SELECTORS, "url": self.list_url(account)}

    def start(self) -> StandinServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> StandinServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- routing ---

    def first_time(self, key: str) -> bool:
        with self._lock:
            if key in self._seen:
                return False
            self._seen.add(key)
            return True

    def arrivals(self) -> dict[str, list[float]]:
        """Arrival times (``time.monotonic()``, sorted) of the requests paced by each key."""
        out: dict[str, list[float]] = {}
        with self._lock:
            for at, key, _path in self.log:
                out.setdefault(key, []).append(at)
        return {k: sorted(v) for k, v in out.items()}

    def find(self, platform: str, platform_id: str) -> StandinAccount | None:
        return self.accounts.get(f"{platform}-{platform_id}")

    def by_fakeid(self, value: str) -> StandinAccount | None:
        return next(
            (
                a
                for a in self.accounts.values()
                if a.platform == "wechat" and (pay.fakeid(a) == value or a.platform_id == value)
            ),
            None,
        )


class _QuietServer(ThreadingHTTPServer):
    """Clients that hang up (timeouts in the fault tests) are not errors of the stand-in. The
    listen backlog takes many crawl processes opening connections at once (the default of 5
    drops connections, which then wait a second to retry)."""

    request_queue_size = 256

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are separate writes

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        server: StandinServer = self.server.standin  # type: ignore[attr-defined]
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        arrived = time.monotonic()
        with server._lock:
            server.hits[parts.path] += 1
            server.log.append((arrived, _pace_key(parts.path, self.headers.get("Host", "")), parts.path))
        if server.latency > 0:
            time.sleep(server.latency)
        try:
            searched = search_routes.route(server, parts.path, query, dict(self.headers))
            answer = searched or _route(server, parts.path, query, self.headers.get("Host", ""))
        except LookupError:
            answer = (404, "text/html; charset=utf-8", b"<html><body>404 Not Found</body></html>", {})
        status, ctype, body, headers = answer
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)


def _pace_key(path: str, host: str) -> str:
    platform = path.split("/", 2)[1] if path.count("/") >= 2 else ""
    return platform if platform in ("weibo", "wechat", "bilibili") else f"host:{host}"


Answer = tuple[int, str, bytes, dict[str, str]]
JSON = "application/json; charset=utf-8"
HTML = "text/html; charset=utf-8"


def _json(payload: Any, status: int = 200) -> Answer:
    return status, JSON, json.dumps(payload, ensure_ascii=False).encode(), {}


def _fault(server: StandinServer, account: StandinAccount | None, kind: str, path: str) -> Answer | None:
    """The fault answer for this request, or None to serve normally."""
    fault = account.fault if account else None
    if not fault or account is None:
        return None
    if fault == "slow":
        time.sleep(server.slow_seconds)
        return None
    if fault == "error_once":
        return (
            (500, HTML, b"<html><body>500 Internal Server Error</body></html>", {})
            if server.first_time(account.key)
            else None
        )
    if fault in ("blocked_432", "blocked_418"):
        return int(fault[-3:]), HTML, b"<html><body>Forbidden</body></html>", {}
    if fault == "captcha":
        return 200, HTML, pay.CAPTCHA_PAGE.encode(), {}
    if fault == "redirect_private" and kind in ("feed", "html"):
        return 302, HTML, b"", {"Location": f"http://localhost:{server.port}{path}"}
    if fault == "gone" and kind in ("feed", "html"):
        return 404, HTML, b"<html><body>404 Not Found</body></html>", {}
    if fault == "auth_expired" and kind in ("feed", "html"):
        return 401, HTML, b"<html><body>401 Unauthorized</body></html>", {}
    return None


def _route(server: StandinServer, path: str, query: dict[str, str], host: str) -> Answer:
    now = datetime.now(UTC)
    if path.startswith("/weibo/"):
        return _weibo(server, path[len("/weibo") :], query, now)
    if path.startswith("/wechat/"):
        return _wechat(server, path[len("/wechat") :], query)
    if path.startswith("/bilibili/"):
        return _bilibili(server, path[len("/bilibili") :], query)
    if path.startswith("/feeds/"):
        key, _, ext = path[len("/feeds/") :].rpartition(".")
        account = server.accounts[key]
        fault = _fault(server, account, "feed", path)
        if fault:
            return fault
        link = f"https://feeds.example.gov.cn/{account.key}"
        if ext == "json":
            answer = _json(feeds.json_feed(account, link))
        elif ext == "atom":
            answer = 200, "application/atom+xml; charset=utf-8", feeds.atom(account, link).encode(), {}
        else:
            answer = 200, "application/rss+xml; charset=utf-8", feeds.rss(account, link).encode(), {}
        return _maybe_truncate(account, answer)
    if path.startswith("/html/"):
        account = server.accounts[path.split("/")[2]]
        fault = _fault(server, account, "html", path)
        return fault or _maybe_truncate(account, (200, HTML, feeds.news_list(account).encode(), {}))
    raise LookupError(path)


def _maybe_truncate(account: StandinAccount, answer: Answer) -> Answer:
    if account.fault == "truncated":
        status, ctype, body, headers = answer
        return status, ctype, body[: len(body) // 2], headers
    return answer


def _posts(account: StandinAccount) -> StandinAccount:
    if account.fault == "empty":
        return StandinAccount(
            account.platform,
            account.platform_id,
            account.name,
            posts=[],
            kind=account.kind,
            followers=account.followers,
            verified=account.verified,
        )
    return account


def _weibo(server: StandinServer, path: str, query: dict[str, str], now: datetime) -> Answer:
    if path.startswith("/signin"):
        return 200, HTML, "<html><body>登录 - 新浪微博</body></html>".encode(), {}
    if path == "/statuses/extend":
        for candidate in server.accounts.values():
            for post in candidate.posts:
                if candidate.platform == "weibo" and post.post_id == query.get("id"):
                    return _json(pay.weibo_extend(post))
        return _json({"ok": 0, "msg": "微博不存在"})
    if path != "/api/container/getIndex":
        raise LookupError(path)
    account = server.find("weibo", query.get("value", ""))
    if account is None:
        return _json({"ok": 0, "msg": "用户不存在"})
    fault = _fault(server, account, "api", path)
    if fault:
        return fault
    if account.fault == "ok_-100":
        return _json({"ok": -100, "url": "https://passport.weibo.cn/signin/welcome?entry=mweibo"})
    if account.fault == "ok_0_login" and "containerid" in query:
        return _json({"ok": 0, "msg": "您还没有登录，请先登录"})
    if account.fault == "gone":
        return _json({"ok": 0, "msg": "用户不存在"})
    if account.fault == "auth_expired":
        return 302, HTML, b"", {"Location": f"/weibo/signin/login?r={path}"}
    account = _posts(account)
    if "containerid" in query:
        payload = pay.weibo_list(account, int(query.get("page") or 1), now, server.weibo_time_style)
    else:
        payload = pay.weibo_profile(account)
    return _maybe_truncate(account, _json(payload))


def _wechat(server: StandinServer, path: str, query: dict[str, str]) -> Answer:
    if path == "/s":
        account = server.by_fakeid(query.get("__biz", ""))
        if account is None:
            raise LookupError(path)
        if account.fault == "captcha":
            return 200, HTML, pay.CAPTCHA_PAGE.encode(), {}
        mid = query.get("mid", "")
        post = next((p for p in account.posts if str(pay.numeric_id(p.post_id, 10)) == mid), None)
        if post is None:
            raise LookupError(path)
        return 200, HTML, pay.wechat_article(account, post).encode(), {}
    if query.get("token") != "standin-token":
        return _json({"base_resp": {"ret": 200003, "err_msg": "invalid session"}})
    if path == "/cgi-bin/searchbiz":
        found = [
            a
            for a in server.accounts.values()
            if a.platform == "wechat" and a.name == query.get("query") and a.fault != "gone"
        ]
        fault = _fault(server, found[0] if found else None, "api", path)
        return fault or _json(pay.wechat_search(found))
    account = server.by_fakeid(query.get("fakeid", ""))
    if account is None:
        return _json({"base_resp": {"ret": 200002, "err_msg": "invalid args"}})
    fault = _fault(server, account, "api", path)
    if fault:
        return fault
    if account.fault == "ret_200013":
        return _json({"base_resp": {"ret": 200013, "err_msg": "freq control"}})
    if account.fault == "auth_expired":
        return _json({"base_resp": {"ret": 200003, "err_msg": "invalid session"}})
    account = _posts(account)
    if path == "/cgi-bin/appmsgpublish":
        if account.fault == "no_publish":
            return _json({"base_resp": {"ret": -1, "err_msg": "system error"}})
        return _maybe_truncate(account, _json(pay.wechat_publish(account, server.base_url)))
    if path == "/cgi-bin/appmsg" and query.get("action") == "list_ex":
        return _maybe_truncate(account, _json(pay.wechat_list_ex(account, server.base_url)))
    raise LookupError(path)


def _bilibili(server: StandinServer, path: str, query: dict[str, str]) -> Answer:
    mid = query.get("mid") or query.get("vmid") or query.get("host_mid") or ""
    account = server.find("bilibili", mid)
    if account is None:
        return _json({"code": -404, "message": "啥都木有", "ttl": 1})
    fault = _fault(server, account, "api", path)
    if fault:
        return fault
    if account.fault == "gone":
        return _json({"code": -404, "message": "啥都木有", "ttl": 1})
    if account.fault == "auth_expired":
        return _json({"code": -101, "message": "账号未登录", "ttl": 1})
    account = _posts(account)
    builders = {
        "/x/space/wbi/acc/info": feeds.bili_card,
        "/x/relation/stat": feeds.bili_stat,
        "/x/space/wbi/arc/search": feeds.bili_videos,
        "/x/polymer/web-dynamic/v1/feed/space": feeds.bili_dynamics,
    }
    if path not in builders:
        raise LookupError(path)
    return _maybe_truncate(account, _json(builders[path](account)))


def file_accounts(
    db: str | None,
    server: StandinServer,
    accounts: list[StandinAccount],
    *,
    unit: str,
    actor: str = "standin",
) -> dict[str, int]:
    """File and approve ``accounts`` under ``unit`` (which must exist), with feed URLs and
    list-page selectors pointing at ``server``; return ``{account.key: account id}``."""
    from registry.db import session_scope
    from registry.filing import accounts as filing

    ids: dict[str, int] = {}
    with session_scope(db) as session:
        for account in accounts:
            extra: dict[str, Any] = {}
            if account.kind in ("rss", "atom", "json"):
                extra["feed_url"] = server.feed_url(account)
            elif account.kind == "html":
                extra["selectors"] = server.selectors(account)
            filed = filing.file_account(
                session,
                unit=unit,
                platform=account.platform,
                name=account.name,
                platform_id=account.platform_id,
                reason="采集演示/测试账号",
                actor=actor,
                **extra,
            )
            filing.approve(session, filed.id, actor=actor)
            ids[account.key] = filed.id
    return ids
