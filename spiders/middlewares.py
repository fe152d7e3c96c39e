"""Downloader middlewares: retries with back-off, daily request budgets, URL safety.

All three read their settings from the crawler (see ``spiders.settings``).
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from registry.timeutil import TZ
from spiders.safety import AllowList, check_url

log = logging.getLogger(__name__)


async def _sleep(seconds: float) -> None:
    if seconds > 0:
        from scrapy.utils.defer import maybe_deferred_to_future
        from twisted.internet import reactor, task  # the crawl's reactor, installed by Scrapy

        await maybe_deferred_to_future(task.deferLater(reactor, seconds, lambda: None))


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retries (timeouts, 5xx) with an exponential pause before each retry.

    The pause is ``GOVMEDIA_RETRY_BACKOFF`` × 2^(retry − 1) seconds; ``GOVMEDIA_CRAWL_DELAY``
    sets the base when given (0 in tests). Retries count against the daily budget too.
    """

    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.backoff = settings.getfloat("GOVMEDIA_RETRY_BACKOFF", 2.0)

    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        result = super().process_response(request, response)
        if isinstance(result, Request):
            await _sleep(self._pause(result))
        return result

    async def process_exception(  # type: ignore[override]
        self, request: Request, exception: Exception, spider: Spider | None = None
    ) -> Request | Response | None:
        result = super().process_exception(request, exception)
        if isinstance(result, Request):
            await _sleep(self._pause(result))
        return result

    def _pause(self, retry: Request) -> float:
        return float(self.backoff * 2 ** (int(retry.meta.get("retry_times", 1)) - 1))


class BudgetExhausted(IgnoreRequest):
    """The platform's daily request budget is spent."""


class BudgetMiddleware:
    """Per-platform daily request budgets (``GOVMEDIA_<P>_DAILY_BUDGET``, 0 = unlimited).

    Requests carry ``meta["budget"]`` (weibo, wechat, bilibili, feed, html). The day's use
    is read from the database when a platform is first seen and written back when the
    crawl closes, through ``registry.collection``.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.db = crawler.settings.get("GOVMEDIA_DB")
        self.budgets: dict[str, int] = dict(crawler.settings.getdict("GOVMEDIA_BUDGETS"))
        self.base: dict[str, int] = {}
        self.spent: Counter[str] = Counter()
        self.day = datetime.now(TZ).date()
        crawler.signals.connect(self.closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BudgetMiddleware:
        return cls(crawler)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        key = request.meta.get("budget")
        if not key:
            return None
        limit = int(self.budgets.get(key) or 0)
        if limit:
            if key not in self.base:
                self.base[key] = self._used(key)
            if self.base[key] + self.spent[key] >= limit:
                raise BudgetExhausted(f"{key} 今日请求已达上限 {limit}")
        self.spent[key] += 1
        return None

    def _used(self, key: str) -> int:
        from registry.collection.jobs import budget_used
        from registry.db import session_scope

        try:
            with session_scope(self.db) as session:
                return budget_used(session, platform=key, day=self.day)
        except Exception:
            log.warning("无法读取 %s 的今日请求用量", key)
            return 0

    def closed(self, spider: Spider) -> None:
        from registry.collection.jobs import add_budget_use
        from registry.db import session_scope

        if not self.spent:
            return
        try:
            with session_scope(self.db) as session:
                for key, count in sorted(self.spent.items()):
                    add_budget_use(session, platform=key, day=self.day, count=count)
        except Exception:
            log.warning("无法记录今日请求用量")


class UrlSafetyMiddleware:
    """Refuses unsafe filing URLs (``meta["untrusted"]``) on the first request and on every
    redirect, and caps their response size (see ``spiders.safety``)."""

    def __init__(self, crawler: Crawler) -> None:
        self.allow = AllowList(crawler.settings.get("GOVMEDIA_ALLOW_PRIVATE_URLS"))
        self.maxsize = crawler.settings.getint("GOVMEDIA_MAX_RESPONSE_BYTES", 5 * 1024 * 1024)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> UrlSafetyMiddleware:
        return cls(crawler)

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        if not request.meta.get("untrusted"):
            return None
        from scrapy.utils.defer import maybe_deferred_to_future
        from twisted.internet import threads

        # DNS resolution blocks: do it on a worker thread, not in the reactor
        await maybe_deferred_to_future(threads.deferToThread(check_url, request.url, allow=self.allow))
        request.meta["download_maxsize"] = self.maxsize
        return None
