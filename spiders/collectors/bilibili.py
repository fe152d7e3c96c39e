"""Bilibili: the space's card, video list and dynamics (api.bilibili.com).

Steps for one account (mid): ``x/space/wbi/acc/info`` (shown name, official verification),
``x/space/wbi/arc/search`` (videos; ``copyright`` "1" self-made, "2" reprint), then, as
optional steps, ``x/relation/stat`` (followers) and ``x/polymer/web-dynamic/v1/feed/space``
(dynamics: DYNAMIC_TYPE_FORWARD is a repost of ``orig``; a video dynamic is the same post as
its video; ``module_tag`` 置顶 marks the pinned one). ``code`` -352/-412/412 is the risk
control (blocked), -101 not logged in (auth_expired), -404/-626 no such user (gone).

The WBI signature (``w_rid``, ``wts``) is not computed here: the platform may refuse
unsigned calls with -352, which is reported as blocked. A signed collector can replace this
one by registering with a higher priority (see ``spiders.collectors.base``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from scrapy.http import Response

from spiders.collectors.base import Collector, Output, Run, make_post
from spiders.collectors.weibo import load_json
from spiders.outcomes import AuthExpired, Blocked, Failed, Gone, snippet_of

DEFAULT_BASE = "https://api.bilibili.com"
BLOCK_CODES = {-352, -412, 412, -509, -799}
AUTH_CODES = {-101, -111}
GONE_CODES = {-404, -626, 53013}


class BilibiliCollector(Collector):
    name = "bilibili"
    label = "哔哩哔哩"
    budget = "bilibili"
    slot = "bilibili"
    priority = 20
    shows_platform_name = True

    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.base = (settings.get("GOVMEDIA_BILIBILI_BASE_URL") or DEFAULT_BASE).rstrip("/")
        self.cookie = settings.get("GOVMEDIA_BILIBILI_COOKIE")

    @classmethod
    def handles(cls, job: dict[str, Any]) -> bool:
        return bool(job["platform"] == "bilibili")

    def _url(self, path: str, **params: Any) -> str:
        return f"{self.base}/x/{path}?{urlencode(params)}"

    def _headers(self, mid: str) -> dict[str, str]:
        headers = {"Referer": f"https://space.bilibili.com/{mid}", "Accept": "application/json"}
        if self.cookie:
            headers["Cookie"] = self.cookie
        return headers

    def next_request(self, run: Run, step: str, url: str) -> Any:
        return self.request(url, run, step, optional=True, headers=self._headers(run["job"]["platform_id"]))

    def start(self, run: Run) -> Output:
        mid = run["job"]["platform_id"]
        yield self.request(self._url("space/wbi/acc/info", mid=mid), run, "card", headers=self._headers(mid))

    def parse_card(self, response: Response, run: Run) -> Output:
        data = _data(load_json(response), response)
        official = data.get("official") or {}
        run["snapshot"] = {
            "shown_name": data.get("name"),
            "verified": isinstance(official.get("type"), int) and official["type"] >= 0,
            "verified_reason": official.get("title") or None,
            "extra": {"official_type": official.get("type"), "official_role": official.get("role")},
        }
        mid = run["job"]["platform_id"]
        url = self._url("space/wbi/arc/search", mid=mid, pn=1, ps=25, order="pubdate")
        yield self.request(url, run, "videos", headers=self._headers(mid))

    def parse_videos(self, response: Response, run: Run) -> Output:
        data = _data(load_json(response), response)
        vlist = (data.get("list") or {}).get("vlist")
        if not isinstance(vlist, list):
            raise Failed(
                "视频列表响应缺少 list.vlist", status=response.status, snippet=snippet_of(response.text)
            )
        for video in vlist:
            copyright_ = str(video.get("copyright") or "")
            run["posts"].append(
                make_post(
                    video["bvid"],
                    fetched_at=run["fetched_at"],
                    time_value=video.get("created"),
                    title=video.get("title"),
                    text=video.get("description") or video.get("title"),
                    url=f"https://www.bilibili.com/video/{video['bvid']}",
                    is_repost={"1": False, "2": True}.get(copyright_),
                    counts={"reads": video.get("play"), "comments": video.get("comment")},
                    extra={"kind": "video", "aid": video.get("aid"), "copyright": copyright_ or None},
                )
            )
        mid = run["job"]["platform_id"]
        run["queue"].append(("stat", self._url("relation/stat", vmid=mid), None))
        run["queue"].append(("dynamics", self._url("polymer/web-dynamic/v1/feed/space", host_mid=mid), None))
        yield from self.advance(run)

    def parse_stat(self, response: Response, run: Run) -> Output:
        data = _data(load_json(response), response)
        if run.get("snapshot") is not None:
            run["snapshot"]["followers"] = data.get("follower")
        yield from self.advance(run)

    def parse_dynamics(self, response: Response, run: Run) -> Output:
        data = _data(load_json(response), response)
        known = {p["post_id"] for p in run["posts"]}
        for item in data.get("items") or []:
            post = dynamic_post(item, run)
            if post is None or post["post_id"] in known:
                continue
            known.add(post["post_id"])
            run["posts"].append(post)
        yield from self.advance(run)


def dynamic_post(item: dict[str, Any], run: Run) -> dict[str, Any] | None:
    """A post from one space dynamic; a video dynamic takes its video's bvid as id."""
    modules = item.get("modules") or {}
    author = modules.get("module_author") or {}
    dynamic = modules.get("module_dynamic") or {}
    major = dynamic.get("major") or {}
    stat = modules.get("module_stat") or {}
    kind = item.get("type")
    archive = major.get("archive") or {}
    if kind == "DYNAMIC_TYPE_AV" and archive.get("bvid"):
        pid, title, text = archive["bvid"], archive.get("title"), archive.get("desc")
        url = f"https://www.bilibili.com/video/{archive['bvid']}"
    else:
        pid = f"dyn{item.get('id_str')}"
        text = (
            (dynamic.get("desc") or {}).get("text")
            or ((major.get("opus") or {}).get("summary") or {}).get("text")
            or ""
        )
        title = (major.get("opus") or {}).get("title")
        url = f"https://t.bilibili.com/{item.get('id_str')}"
    if not item.get("id_str"):
        return None
    source = None
    is_repost = kind == "DYNAMIC_TYPE_FORWARD"
    if is_repost:
        orig_author = ((item.get("orig") or {}).get("modules") or {}).get("module_author") or {}
        source = orig_author.get("name")
    return make_post(
        pid,
        fetched_at=run["fetched_at"],
        time_value=author.get("pub_ts"),
        title=title,
        text=text,
        url=url,
        is_repost=is_repost if kind != "DYNAMIC_TYPE_AV" else None,
        source=source,
        pinned=(modules.get("module_tag") or {}).get("text") == "置顶",
        counts={
            "comments": (stat.get("comment") or {}).get("count"),
            "reposts": (stat.get("forward") or {}).get("count"),
            "likes": (stat.get("like") or {}).get("count"),
        },
        extra={"kind": kind},
    )


def _data(payload: Any, response: Response) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise Failed(
            "响应格式异常：不是 JSON 对象", status=response.status, snippet=snippet_of(response.text)
        )
    code = payload.get("code")
    message = payload.get("message") or ""
    snippet = snippet_of(response.text)
    if code in BLOCK_CODES:
        raise Blocked(f"B站风控：code {code}（{message}）", status=response.status, snippet=snippet)
    if code in AUTH_CODES:
        raise AuthExpired(f"B站登录失效：code {code}（{message}）", status=response.status, snippet=snippet)
    if code in GONE_CODES:
        raise Gone(f"B站用户不存在：code {code}（{message}）", status=response.status, snippet=snippet)
    if code != 0 or not isinstance(payload.get("data"), dict):
        raise Failed(f"B站返回 code {code}（{message}）", status=response.status, snippet=snippet)
    return payload["data"]
