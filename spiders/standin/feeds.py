"""Payload builders of the stand-in server (second part): Bilibili, feeds and list pages, in
the exact shapes of the real answers (see ../shared/fixtures/platforms). Written for
govmedia; the texts are our own. Used by ``spiders.standin``."""

from __future__ import annotations

import hashlib
import html
from datetime import datetime
from email.utils import format_datetime
from typing import TYPE_CHECKING, Any

from registry.timeutil import TZ
from spiders.standin.payloads import numeric_id

if TYPE_CHECKING:
    from spiders.standin import StandinAccount, StandinPost


# --- Bilibili ---


def bili_card(account: StandinAccount) -> dict[str, Any]:
    return {
        "code": 0,
        "message": "0",
        "ttl": 1,
        "data": {
            "mid": int(account.platform_id),
            "name": account.name,
            "sex": "保密",
            "face": "https://i0.hdslb.com/bfs/face/member/noface.jpg",
            "face_nft": 0,
            "face_nft_type": 0,
            "sign": f"{account.name}官方账号",
            "rank": 10000,
            "level": 6,
            "jointime": 0,
            "moral": 0,
            "silence": 0,
            "coins": 0,
            "fans_badge": False,
            "is_followed": False,
            "top_photo": "",
            "official": {"role": 3, "title": f"{account.name}官方账号", "desc": "", "type": 1}
            if account.verified
            else {"role": 0, "title": "", "desc": "", "type": -1},
            "birthday": "",
            "tags": None,
            "is_senior_member": 0,
            "is_risk": False,
        },
    }


def bili_stat(account: StandinAccount) -> dict[str, Any]:
    return {
        "code": 0,
        "message": "0",
        "ttl": 1,
        "data": {
            "mid": int(account.platform_id),
            "following": 3,
            "whisper": 0,
            "black": 0,
            "follower": account.followers,
        },
    }


def bili_videos(account: StandinAccount) -> dict[str, Any]:
    videos = [p for p in account.posts if not p.is_repost and not p.pinned]
    vlist = [
        {
            "comment": p.counts.get("comments", 0),
            "typeid": 250,
            "play": p.counts.get("reads", 0),
            "pic": "http://i0.hdslb.com/bfs/archive/x.jpg",
            "subtitle": "",
            "description": p.text,
            "copyright": "1",
            "title": p.title,
            "review": 0,
            "author": account.name,
            "mid": int(account.platform_id),
            "created": int(p.published_at.timestamp()),
            "length": "03:12",
            "video_review": 0,
            "aid": numeric_id(p.post_id, 15),
            "bvid": bvid(p),
            "hide_click": False,
            "is_pay": 0,
            "is_union_video": 0,
            "is_steins_gate": 0,
            "is_live_playback": 0,
            "is_lesson_video": 0,
            "meta": None,
            "is_avoided": 0,
            "attribute": 0,
        }
        for p in sorted(videos, key=lambda p: -p.published_at.timestamp())
    ]
    return {
        "code": 0,
        "message": "0",
        "ttl": 1,
        "data": {
            "list": {
                "slist": [],
                "tlist": {"160": {"tid": 160, "count": len(vlist), "name": "生活"}},
                "vlist": vlist,
            },
            "page": {"pn": 1, "ps": 25, "count": len(vlist)},
            "is_risk": False,
            "gaia_res_type": 0,
            "gaia_data": None,
        },
    }


def bvid(post: StandinPost) -> str:
    return "BV1" + hashlib.sha1(post.post_id.encode()).hexdigest()[:9]


def bili_dynamics(account: StandinAccount) -> dict[str, Any]:
    author = {
        "face": "",
        "mid": int(account.platform_id),
        "name": account.name,
        "pub_action": "",
        "type": "AUTHOR_TYPE_NORMAL",
    }
    items = []
    for p in sorted(account.posts, key=lambda p: -p.published_at.timestamp()):
        stat = {
            "comment": {"count": p.counts.get("comments", 0), "forbidden": False},
            "forward": {"count": p.counts.get("reposts", 0), "forbidden": False},
            "like": {"count": p.counts.get("likes", 0), "forbidden": False, "status": False},
        }
        modules: dict[str, Any] = {
            "module_author": {
                **author,
                "pub_time": f"{p.published_at.astimezone(TZ):%Y年%m月%d日 %H:%M}",
                "pub_ts": int(p.published_at.timestamp()),
            },
            "module_stat": stat,
        }
        item: dict[str, Any] = {
            "basic": {"comment_id_str": p.post_id, "comment_type": 11, "rid_str": p.post_id},
            "id_str": p.post_id,
            "visible": True,
        }
        if p.is_repost:
            item["type"] = "DYNAMIC_TYPE_FORWARD"
            modules["module_dynamic"] = {
                "additional": None,
                "major": None,
                "topic": None,
                "desc": {
                    "rich_text_nodes": [
                        {"orig_text": p.text, "text": p.text, "type": "RICH_TEXT_NODE_TYPE_TEXT"}
                    ],
                    "text": p.text,
                },
            }
            item["orig"] = {
                "id_str": str(numeric_id(p.post_id, 18)),
                "type": "DYNAMIC_TYPE_WORD",
                "modules": {
                    "module_author": {"mid": numeric_id(p.source or "x"), "name": p.source, "pub_ts": 0}
                },
            }
        elif p.pinned:
            item["type"] = "DYNAMIC_TYPE_DRAW"
            modules["module_tag"] = {"text": "置顶"}
            modules["module_dynamic"] = {
                "additional": None,
                "desc": None,
                "topic": None,
                "major": {
                    "opus": {
                        "jump_url": f"//www.bilibili.com/opus/{p.post_id}",
                        "pics": [],
                        "summary": {"rich_text_nodes": [], "text": p.text},
                        "title": p.title,
                    },
                    "type": "MAJOR_TYPE_OPUS",
                },
            }
        else:
            item["type"] = "DYNAMIC_TYPE_AV"
            modules["module_dynamic"] = {
                "additional": None,
                "desc": None,
                "topic": None,
                "major": {
                    "archive": {
                        "aid": str(numeric_id(p.post_id, 15)),
                        "bvid": bvid(p),
                        "title": p.title,
                        "desc": p.text,
                        "jump_url": f"//www.bilibili.com/video/{bvid(p)}/",
                        "stat": {"danmaku": "0", "play": str(p.counts.get("reads", 0))},
                        "type": 1,
                    },
                    "type": "MAJOR_TYPE_ARCHIVE",
                },
            }
        item["modules"] = modules
        items.append(item)
    return {
        "code": 0,
        "message": "0",
        "ttl": 1,
        "data": {"has_more": False, "items": items, "offset": "", "update_baseline": "", "update_num": 0},
    }


# --- Feeds and list pages ---


def _repost_html(post: StandinPost) -> str:
    body = html.escape(post.text).replace("\n", "<br>")
    if post.is_repost:
        link = f'<a href="https://weibo.com/n/{post.source}">@{post.source}</a>'
        body += f"<br><br><blockquote> - 转发 {link}: 原文</blockquote>"
    return body


def rss(account: StandinAccount, link: str) -> str:
    items = "".join(
        f"<item><title>{html.escape(p.title)}</title><description><![CDATA[{_repost_html(p)}]]></description>"
        f"<pubDate>{format_datetime(p.published_at.astimezone(TZ))}</pubDate>"
        f'<guid isPermaLink="false">{link}/{p.post_id}</guid><link>{link}/{p.post_id}</link>'
        f"<author>{html.escape(account.name)}</author></item>"
        for p in sorted(account.posts, key=lambda p: -p.published_at.timestamp())
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss xmlns:atom="http://www.w3.org/2005/Atom" '
        f'version="2.0"><channel><title>{html.escape(account.name)}</title><link>{link}</link>'
        f"<description>{html.escape(account.name)} - Powered by RSSHub</description>"
        "<generator>RSSHub</generator><language>zh-cn</language>"
        f"<lastBuildDate>{format_datetime(datetime.now(TZ))}</lastBuildDate><ttl>5</ttl>{items}"
        "</channel></rss>"
    )


def atom(account: StandinAccount, link: str) -> str:
    entries = "".join(
        f"<entry><id>{link}/{p.post_id}</id><title>{html.escape(p.title)}</title>"
        f'<link href="{link}/{p.post_id}"/><published>{p.published_at.astimezone(TZ).isoformat()}</published>'
        f"<updated>{p.published_at.astimezone(TZ).isoformat()}</updated>"
        f'<content type="html">{html.escape(_repost_html(p))}</content>'
        f"<author><name>{html.escape(account.name)}</name></author></entry>"
        for p in account.posts
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        f'<title>{html.escape(account.name)}</title><id>{link}</id><link href="{link}"/>'
        f"<updated>{datetime.now(TZ).isoformat()}</updated>{entries}</feed>"
    )


def json_feed(account: StandinAccount, link: str) -> dict[str, Any]:
    return {
        "version": "https://jsonfeed.org/version/1.1",
        "title": account.name,
        "home_page_url": link,
        "items": [
            {
                "id": f"{link}/{p.post_id}",
                "url": f"{link}/{p.post_id}",
                "title": p.title,
                "content_html": _repost_html(p),
                "date_published": p.published_at.astimezone(TZ).isoformat(),
                "authors": [{"name": account.name}],
            }
            for p in account.posts
        ],
    }


def news_list(account: StandinAccount) -> str:
    rows = "".join(
        f'<li><a href="/art/{p.published_at.astimezone(TZ):%Y/%m/%d}/art_{p.post_id}.html" '
        f'title="{html.escape(p.title)}" target="_blank">{html.escape(p.title[:20])}</a>'
        f'<span class="date">{p.published_at.astimezone(TZ):%Y-%m-%d}</span></li>'
        for p in sorted(account.posts, key=lambda p: -p.published_at.timestamp())
    )
    body = f'<ul class="news-list">{rows}</ul>' if rows else '<div class="empty">暂无信息</div>'
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><meta name="SiteName" '
        f'content="{html.escape(account.name)}"><meta name="ColumnName" content="政务动态">'
        f'<title>政务动态_{html.escape(account.name)}</title></head><body><div class="main">'
        f"<h2>政务动态</h2>{body}</div></body></html>"
    )


HTML_SELECTORS = {
    "item": "ul.news-list li",
    "title": "a::attr(title)",
    "link": "a::attr(href)",
    "date": "span.date::text",
    "empty_text": "暂无信息",
}
