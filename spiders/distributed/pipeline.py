"""The workers' pipeline: each result is stored only while its account is still leased to this
worker (``registry.collection.cycles.record_outcomes``), in one transaction with its posts and
outcome; a result whose lease another worker took over is dropped (that worker stores its own).

Batches are written on the store pipeline's background thread, at the latest every
``FLUSH_SECONDS`` (a long-running worker may go quiet between cycles). A batch the database
refuses is stored result by result (a result that fails is tried once more a second later); a
result that still cannot be stored ends its account with the outcome ``error``, and when even
that cannot be written the worker stops renewing the account's lease, so the account goes back
to the queue instead of being held forever.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from spiders.items import AccountResult
from spiders.outcomes import ERROR, OK
from spiders.pipelines import StorePipeline, result_payload

log = logging.getLogger(__name__)
FLUSH_SECONDS = 0.5
RETRY_AFTER = 1.0
STORE_FAILED = "保存采集结果失败（数据库拒绝了写入），本批次记为采集失败"


class CycleStorePipeline(StorePipeline):
    """``StorePipeline`` for ``govmedia crawl worker`` (reads ``GOVMEDIA_WORKER``, its name)."""

    def __init__(self, db: str, holder: str, batch: int) -> None:
        super().__init__(db, None, batch, progress=False)
        self.holder = holder
        self.loop: Any = None
        self.crawler: Crawler | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CycleStorePipeline:
        settings = crawler.settings
        if not settings.get("GOVMEDIA_DB") or not settings.get("GOVMEDIA_WORKER"):
            raise NotConfigured("GOVMEDIA_DB and GOVMEDIA_WORKER are required")
        pipeline = cls(
            settings["GOVMEDIA_DB"], settings["GOVMEDIA_WORKER"], settings.getint("GOVMEDIA_STORE_BATCH", 100)
        )
        pipeline.stats = crawler.stats
        pipeline.crawler = crawler
        crawler.signals.connect(pipeline.opened, signal=signals.spider_opened)
        return pipeline

    def opened(self, spider: Spider) -> None:
        from twisted.internet import task

        self.loop = task.LoopingCall(self.flush)
        self.loop.start(FLUSH_SECONDS, now=False)

    def close_spider(self) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        super().close_spider()

    def save(self, results: list[AccountResult]) -> list[dict[str, Any]]:
        try:
            return self._save(results)
        finally:  # stored, taken over or not storable: the spider stops renewing their leases
            spider = getattr(self.crawler, "spider", None)
            if spider is not None and hasattr(spider, "settled"):
                spider.settled([(r.cycle_id, r.account_id) for r in results if r.cycle_id is not None])

    def _save(self, results: list[AccountResult]) -> list[dict[str, Any]]:
        try:
            return store_cycle_results(self.db, results, holder=self.holder, stats=self.stats)
        except Exception:
            if len(results) > 1:
                log.warning("一批采集结果保存失败，逐个重试（%d 个账号）", len(results))
                return [event for result in results for event in self._save([result])]
        log.exception("保存账号 %s 的采集结果失败", results[0].account_id)
        time.sleep(RETRY_AFTER)  # a passing fault (a dropped connection, a restart) gets a second try
        try:
            return store_cycle_results(self.db, results, holder=self.holder, stats=self.stats)
        except Exception:
            return store_cycle_results(self.db, [_failed(results[0])], holder=self.holder, stats=self.stats)


def _failed(result: AccountResult) -> AccountResult:
    return AccountResult(
        account_id=result.account_id,
        outcome=ERROR,
        collector=result.collector,
        fetched_at=result.fetched_at,
        detail=STORE_FAILED,
        cycle_id=result.cycle_id,
    )


def store_cycle_results(
    db: str, results: list[AccountResult], *, holder: str, stats: Any = None
) -> list[dict[str, Any]]:
    """Store the results this worker still holds the leases of; the events of those stored."""
    from registry.collection.cycles import record_outcomes
    from registry.db import session_scope

    mine = [r for r in results if r.cycle_id is not None]
    payload = [{**result_payload(r), "cycle_id": r.cycle_id} for r in mine]
    with session_scope(db, check=False) as session:  # checked when the worker started
        counts = record_outcomes(session, holder=holder, results=payload)
    lost = sum(1 for n in counts if n is None)
    if lost:
        log.warning("%d 个账号的租约已由其他采集进程接手，本进程的结果未保存", lost)
        if stats is not None:
            stats.inc_value("govmedia/leases_lost", lost)
    return [
        {
            "account_id": r.account_id,
            "outcome": r.outcome,
            "new_posts": n,
            "detail": r.detail,
            "posts": len(r.posts) if r.outcome == OK else 0,
        }
        for r, n in zip(mine, counts, strict=True)
        if n is not None
    ]
