"""Feeds: RSS 2.0, Atom and JSON Feed, for any account with a feed URL (采集地址).

This is how Douyin, Kuaishou, Toutiao, 视频号 and 小红书 are collected (their web interfaces
need signatures computed by the platform's own JavaScript, so the centre runs an
RSSHub-style bridge), and it also covers WeChat bridges, government apps and websites.

Feed URLs come from filings, so they are untrusted (``spiders.safety``). XML is parsed
without entity expansion or network access. A feed with no items is ``empty``; a page that
is not a feed is checked for captcha markers (blocked), otherwise it is an error.
Bridges drop most platform flags: a repost is recognised only where the bridge renders it
(RSSHub's "- 转发 @name:" block); otherwise ``is_repost`` stays unknown.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from lxml import etree
from scrapy.http import Response

from spiders.collectors.base import Collector, Output, Run, make_post
from spiders.outcomes import Failed, check_markers, snippet_of

ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
DC_DATE = "{http://purl.org/dc/elements/1.1/}date"
DC_CREATOR = "{http://purl.org/dc/elements/1.1/}creator"
_REPOST = re.compile(r"-\s*转发\s*(?:<[^>]+>\s*)*@([^:：<\s]+)")
_TITLE_SUFFIXES = ("的微博", "的抖音", "的快手", "的头条", "的小红书", "的视频号")


def parse_feed(body: bytes, run: Run) -> tuple[list[dict[str, Any]], str | None]:
    """(posts, channel title) from an RSS 2.0 / Atom / JSON Feed document; ValueError if none."""
    head = body.lstrip()[:1]
    if head in (b"{", b"["):
        return _json_feed(json.loads(body.decode("utf-8", "replace")), run)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    root = etree.fromstring(body, parser=parser)
    tag = etree.QName(root).localname
    if tag == "rss" or tag == "RDF":
        channel = root.find("channel")
        items = root.iter("item", "{http://purl.org/rss/1.0/}item")
        title = (
            _text(channel, "title")
            if channel is not None
            else _text(root, "{http://purl.org/rss/1.0/}channel/{http://purl.org/rss/1.0/}title")
        )
        return [_rss_item(item, run) for item in items], title
    if root.tag == f"{ATOM}feed":
        return [_atom_entry(e, run) for e in root.iter(f"{ATOM}entry")], _text(root, f"{ATOM}title")
    raise ValueError(f"根元素 <{tag}> 不是 RSS 或 Atom")


def _text(node: Any, path: str) -> str | None:
    found = node.find(path) if node is not None else None
    if found is None:
        return None
    text = "".join(found.itertext()).strip()
    return text or None


def _repost(html: str | None) -> tuple[bool | None, str | None]:
    m = _REPOST.search(html or "")
    return (True, m.group(1)) if m else (None, None)


def _post_id(*candidates: str | None) -> str:
    for value in candidates:
        if value:
            return value if len(value) <= 128 else hashlib.sha1(value.encode()).hexdigest()
    raise ValueError("条目没有 guid/id/link/title")


def _rss_item(item: Any, run: Run) -> dict[str, Any]:
    link = _text(item, "link")
    html = (
        _text(item, CONTENT)
        or _text(item, "description")
        or _text(item, "{http://purl.org/rss/1.0/}description")
    )
    title = _text(item, "title") or _text(item, "{http://purl.org/rss/1.0/}title")
    is_repost, source = _repost(html)
    return make_post(
        _post_id(
            _text(item, "guid"), link, item.get("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about"), title
        ),
        fetched_at=run["fetched_at"],
        time_value=_text(item, "pubDate") or _text(item, DC_DATE),
        title=title,
        html=html or "",
        url=link or _text(item, "{http://purl.org/rss/1.0/}link"),
        is_repost=is_repost,
        source=source,
        extra={"author": _text(item, "author") or _text(item, DC_CREATOR)},
    )


def _atom_entry(entry: Any, run: Run) -> dict[str, Any]:
    links = entry.findall(f"{ATOM}link")
    link = next((x.get("href") for x in links if x.get("rel") in (None, "alternate")), None)
    html = _text(entry, f"{ATOM}content") or _text(entry, f"{ATOM}summary")
    title = _text(entry, f"{ATOM}title")
    is_repost, source = _repost(html)
    return make_post(
        _post_id(_text(entry, f"{ATOM}id"), link, title),
        fetched_at=run["fetched_at"],
        time_value=_text(entry, f"{ATOM}published") or _text(entry, f"{ATOM}updated"),
        title=title,
        html=html or "",
        url=link,
        is_repost=is_repost,
        source=source,
        extra={"author": _text(entry, f"{ATOM}author/{ATOM}name")},
    )


def _json_feed(doc: Any, run: Run) -> tuple[list[dict[str, Any]], str | None]:
    if not isinstance(doc, dict) or "jsonfeed.org" not in str(doc.get("version", "")):
        raise ValueError("不是 JSON Feed（缺少 version）")
    items = doc.get("items")
    if not isinstance(items, list):
        raise ValueError("JSON Feed 缺少 items")
    posts = []
    for item in items:
        html = item.get("content_html") or item.get("summary")
        is_repost, source = _repost(html)
        authors = item.get("authors") or ([item["author"]] if item.get("author") else [])
        posts.append(
            make_post(
                _post_id(str(item.get("id") or ""), item.get("url"), item.get("title")),
                fetched_at=run["fetched_at"],
                time_value=item.get("date_published") or item.get("date_modified"),
                title=item.get("title"),
                html=html if html is not None else None,
                text=item.get("content_text"),
                url=item.get("url"),
                is_repost=is_repost,
                source=source,
                extra={"author": (authors[0] or {}).get("name") if authors else None},
            )
        )
    return posts, doc.get("title")


class FeedCollector(Collector):
    name = "feed"
    label = "RSS/Atom/JSON Feed"
    budget = "feed"
    untrusted = True
    priority = 10

    @classmethod
    def handles(cls, job: dict[str, Any]) -> bool:
        return bool(job.get("feed_url"))

    def start(self, run: Run) -> Output:
        yield self.request(
            run["job"]["feed_url"],
            run,
            "feed",
            headers={
                "Accept": "application/rss+xml, application/atom+xml, "
                "application/feed+json, application/xml;q=0.9, */*;q=0.5"
            },
        )

    def parse_feed(self, response: Response, run: Run) -> Output:
        try:
            posts, title = parse_feed(response.body, run)
        except (ValueError, etree.XMLSyntaxError) as exc:
            text = response.body[:200000].decode("utf-8", "replace")
            check_markers(text, response.status)
            raise Failed(
                f"不是合法的 RSS/Atom/JSON Feed（{exc}）", status=response.status, snippet=snippet_of(text)
            ) from None
        run["posts"].extend(posts)
        if title:
            shown = title
            for suffix in _TITLE_SUFFIXES:
                shown = shown.removesuffix(suffix)
            run["snapshot"] = {"shown_name": shown.strip() or title, "extra": {"feed_title": title}}
        yield from self.advance(run)
