"""The one pipeline: store each account's result through ``registry.collection``.

For every ``AccountResult``: upsert the posts (only for ``ok``; keyed by account and platform
post id, so a re-crawl never duplicates), record the account snapshot, and record the
attempt with its outcome, evidence and the number of new posts. Results are written in
batches of ``GOVMEDIA_STORE_BATCH`` accounts per transaction (default 100, and at least every second)
on a background writer thread; when
``GOVMEDIA_PROGRESS`` is set, one JSON line per stored account is printed on stdout for
the ``govmedia crawl`` progress bar.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from spiders.items import AccountResult
from spiders.outcomes import OK

log = logging.getLogger(__name__)


class StorePipeline:
    """Batches results and writes them on one background writer thread, so the crawl goes
    on while a batch is stored (one writer keeps SQLite happy); ``close_spider`` waits."""

    def __init__(self, db: str, crawl_id: str | None, batch: int, progress: bool, store: bool = True) -> None:
        self.db = db
        self.store = store
        self.crawl_id = crawl_id
        self.batch = max(1, batch)
        self.progress = progress
        self.pending: list[AccountResult] = []
        self.last_flush = time.monotonic()
        self.stats: Any = None
        self.writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="govmedia-store")
        self.writes: list[Future[None]] = []
        self.lock = threading.Lock()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        settings = crawler.settings
        db = settings.get("GOVMEDIA_DB")
        if not db:
            raise NotConfigured("GOVMEDIA_DB is not set")
        pipeline = cls(
            db,
            settings.get("GOVMEDIA_CRAWL_ID"),
            settings.getint("GOVMEDIA_STORE_BATCH", 100),
            settings.getbool("GOVMEDIA_PROGRESS"),
            store=settings.getbool("GOVMEDIA_STORE", True),
        )
        pipeline.stats = crawler.stats
        return pipeline

    def process_item(self, item: Any) -> Any:
        if isinstance(item, AccountResult):
            self.pending.append(item)
            if len(self.pending) >= self.batch or time.monotonic() - self.last_flush > 1.0:
                self.flush()
        return item

    def close_spider(self) -> None:
        self.flush()
        self.writer.shutdown(wait=True)
        for write in self.writes:
            write.result()

    def flush(self) -> None:
        """Hand the pending results to the writer thread (one unit of work per batch)."""
        self.last_flush = time.monotonic()
        if not self.pending:
            return
        results, self.pending = self.pending, []
        self.writes = [w for w in self.writes if not w.done() or w.exception() is not None]
        self.writes.append(self.writer.submit(self._write, results))

    def save(self, results: list[AccountResult]) -> list[dict[str, Any]]:
        """Store one batch (on the writer thread); the events of the stored results."""
        return store_results(self.db, results, crawl_id=self.crawl_id)

    def _write(self, results: list[AccountResult]) -> None:
        cpu = time.thread_time()
        try:
            if self.store:
                events = self.save(results)
            else:  # a bare crawl (benchmark): report, write nothing
                events = [
                    {
                        "account_id": r.account_id,
                        "outcome": r.outcome,
                        "new_posts": 0,
                        "detail": r.detail,
                        "posts": 0,
                    }
                    for r in results
                ]
        except Exception:  # the parent records unreported accounts as errors
            log.exception("写入采集结果失败（%d 个账号）", len(results))
            return
        with self.lock:
            if self.stats is not None:
                self.stats.inc_value("govmedia/store_cpu_seconds", time.thread_time() - cpu)
                self.stats.inc_value("govmedia/accounts_stored", len(results))
                self.stats.inc_value("govmedia/posts_stored", sum(e["posts"] for e in events))
                for event in events:
                    self.stats.inc_value(f"govmedia/outcome/{event['outcome']}")
            if self.progress:
                for event in events:
                    public = {k: event[k] for k in ("account_id", "outcome", "new_posts", "detail")}
                    sys.stdout.write(json.dumps({"event": "account", **public}, ensure_ascii=False) + "\n")
                sys.stdout.flush()


def result_payload(r: AccountResult) -> dict[str, Any]:
    """A result as ``registry.collection.store.store_collection`` takes it."""
    return {
        "account_id": r.account_id,
        "outcome": r.outcome,
        "at": r.fetched_at,
        "http_status": r.http_status,
        "detail": r.detail,
        "snippet": r.snippet,
        "posts": r.posts,
        "snapshot": r.snapshot,
    }


def store_results(db: str, results: list[AccountResult], *, crawl_id: str | None) -> list[dict[str, Any]]:
    """Store results in one unit of work; return ``{account_id, outcome, new_posts, detail, posts}``."""
    from registry.collection.store import store_collection
    from registry.db import session_scope

    payload = [result_payload(r) for r in results]
    with session_scope(db) as session:
        new = store_collection(session, payload, crawl_id=crawl_id)
    return [
        {
            "account_id": r.account_id,
            "outcome": r.outcome,
            "new_posts": n,
            "detail": r.detail,
            "posts": len(r.posts) if r.outcome == OK else 0,
        }
        for r, n in zip(results, new, strict=True)
    ]
