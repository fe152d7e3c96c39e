"""The collectors, and the choice of one per account.

Order of preference: a list page with selectors (html), the platform's native collector
(weibo, wechat, bilibili; later signed ones for Douyin and others), then the feed URL
(feed). A collector that lacks its credential is skipped for the next one; when none can
run, the account's outcome is ``error`` with the reason.
"""

from __future__ import annotations

from typing import Any

from scrapy.settings import BaseSettings

from spiders.collectors.base import Collector
from spiders.collectors.bilibili import BilibiliCollector
from spiders.collectors.feeds import FeedCollector
from spiders.collectors.html import HtmlListCollector
from spiders.collectors.wechat import WechatCollector
from spiders.collectors.weibo import WeiboCollector

COLLECTORS: list[type[Collector]] = [
    HtmlListCollector,
    WeiboCollector,
    WechatCollector,
    BilibiliCollector,
    FeedCollector,
]


def build(settings: BaseSettings) -> dict[str, Collector]:
    """One instance of every collector, by name, highest priority first."""
    ordered = sorted(COLLECTORS, key=lambda c: -c.priority)
    return {cls.name: cls(settings) for cls in ordered}


def choose(job: dict[str, Any], collectors: dict[str, Collector]) -> tuple[Collector | None, str]:
    """The collector for one account, or None with the reason none can run."""
    reasons = []
    for collector in collectors.values():
        if not collector.handles(job):
            continue
        missing = collector.missing(job)
        if missing is None:
            return collector, ""
        reasons.append(missing)
    if reasons:
        return None, "；".join(reasons) + "，且没有可用的采集地址"
    return None, "没有可用的采集方式：该平台需要在备案中填写采集地址（RSS/Atom/JSON Feed）或列表页选择器"


__all__ = ["COLLECTORS", "Collector", "build", "choose"]
