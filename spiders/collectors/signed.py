"""Item parsers for the signed web interfaces (Douyin, Toutiao), ready for a native collector.

Their list requests need signatures computed by the platform's own JavaScript (Douyin and
Toutiao ``a_bogus``), so today these accounts are collected through their feed URL. A
signed collector (a ``Collector`` subclass with ``priority`` above the feed collector's,
see ``spiders.collectors.base``) would use these functions for the answers:

- ``douyin_posts``: ``aweme/v1/web/aweme/post`` → posts (``aweme_id``, ``desc``,
  ``create_time``, ``statistics``, ``is_top`` pinned, ``status.is_delete``). An answer with
  ``status_code`` 0 but no list and no cursors is what a wrong signature gets, so it is
  *blocked*, never "no posts".
- ``toutiao_post``: one item of the feed (``title``, ``abstract``, ``publish_time``,
  ``read_count``/``comment_count``/``digg_count``/``repin_count``; ``label`` 置顶 or
  ``is_stick`` pinned; ``is_original`` when present).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from spiders.collectors.base import make_post
from spiders.outcomes import Blocked, Failed


def douyin_posts(payload: Any, *, fetched_at: datetime) -> list[dict[str, Any]]:
    """Posts of one Douyin post-list answer; raises Blocked / Failed for non-answers."""
    if not isinstance(payload, dict) or payload.get("status_code") not in (0, None):
        raise Failed(f"抖音返回异常：{str(payload)[:100]}")
    items = payload.get("aweme_list")
    if not items:
        if "max_cursor" not in payload and "min_cursor" not in payload:
            raise Blocked("抖音返回空列表且没有翻页游标（签名无效时的表现）")
        return []
    return [douyin_post(item, fetched_at=fetched_at) for item in items]


def douyin_post(item: dict[str, Any], *, fetched_at: datetime) -> dict[str, Any]:
    stats = item.get("statistics") or {}
    status = item.get("status") or {}
    extra: dict[str, Any] = {"share_url": item.get("share_url")}
    if status.get("is_delete"):
        extra["status"] = "deleted"
    if status.get("is_prohibited"):
        extra["status"] = "violation"
    return make_post(
        item["aweme_id"],
        fetched_at=fetched_at,
        time_value=item.get("create_time"),
        text=item.get("desc") or "",
        url=f"https://www.douyin.com/video/{item['aweme_id']}",
        pinned=bool(item.get("is_top")),
        counts={
            "likes": stats.get("digg_count"),
            "comments": stats.get("comment_count"),
            "reposts": stats.get("share_count"),
            "reads": stats.get("play_count") or None,
        },
        extra=extra,
    )


def toutiao_post(item: dict[str, Any], *, fetched_at: datetime) -> dict[str, Any]:
    original = item.get("is_original")
    return make_post(
        item.get("group_id") or item["item_id"],
        fetched_at=fetched_at,
        time_value=item.get("publish_time"),
        title=item.get("title"),
        text=item.get("abstract") or item.get("title") or "",
        url=item.get("display_url") or item.get("share_url") or item.get("url"),
        is_repost=None if original is None else not original,
        pinned=item.get("label") == "置顶" or bool(item.get("is_stick")),
        counts={
            "reads": item.get("read_count"),
            "comments": item.get("comment_count"),
            "likes": item.get("digg_count") or item.get("like_count"),
            "reposts": item.get("repin_count"),
        },
        extra={"source": item.get("source"), "media": (item.get("media_info") or {}).get("name")},
    )
