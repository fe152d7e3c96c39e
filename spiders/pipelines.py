"""The one pipeline: store each account's result through ``registry.collection``.

For every ``AccountResult``: upsert the posts (only for ``ok``; keyed by account and platform
post id, so a re-crawl never duplicates), record the account snapshot, and record the
attempt with its outcome, evidence and the number of new posts. Results are written in
batches of ``GOVMEDIA_STORE_BATCH`` accounts per transaction (and at the end); when
``GOVMEDIA_PROGRESS`` is set, one JSON line per stored account is printed on stdout for
the ``govmedia crawl`` progress bar.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from spiders.items import AccountResult
from spiders.outcomes import EMPTY, OK

log = logging.getLogger(__name__)


class StorePipeline:
    def __init__(self, db: str, crawl_id: str | None, batch: int, progress: bool) -> None:
        self.db = db
        self.crawl_id = crawl_id
        self.batch = max(1, batch)
        self.progress = progress
        self.pending: list[AccountResult] = []
        self.last_flush = time.monotonic()
        self.stored = 0
        self.posts_stored = 0
        self.stats: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        settings = crawler.settings
        db = settings.get("GOVMEDIA_DB")
        if not db:
            raise NotConfigured("GOVMEDIA_DB is not set")
        pipeline = cls(
            db,
            settings.get("GOVMEDIA_CRAWL_ID"),
            settings.getint("GOVMEDIA_STORE_BATCH", 20),
            settings.getbool("GOVMEDIA_PROGRESS"),
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

    def flush(self) -> None:
        """Write the pending results in one unit of work."""
        self.last_flush = time.monotonic()
        if not self.pending:
            return
        results, self.pending = self.pending, []
        events = store_results(self.db, results, crawl_id=self.crawl_id)
        self.stored += len(results)
        self.posts_stored += sum(len(r.posts) for r in results if r.outcome == OK)
        if self.stats is not None:
            self.stats.inc_value("govmedia/accounts_stored", len(results))
            self.stats.inc_value("govmedia/posts_stored", sum(e["posts"] for e in events))
            for event in events:
                self.stats.inc_value(f"govmedia/outcome/{event['outcome']}")
        if self.progress:
            for event in events:
                public = {k: event[k] for k in ("account_id", "outcome", "new_posts", "detail")}
                sys.stdout.write(json.dumps({"event": "account", **public}, ensure_ascii=False) + "\n")
            sys.stdout.flush()


def store_results(db: str, results: list[AccountResult], *, crawl_id: str | None) -> list[dict[str, Any]]:
    """Store results; return ``{account_id, outcome, new_posts, detail, posts}`` for each."""
    from registry.collection import record_attempt, record_snapshot, upsert_posts
    from registry.db import session_scope

    events = []
    with session_scope(db) as session:
        for result in results:
            new = 0
            if result.outcome == OK and result.posts:
                new = upsert_posts(session, result.account_id, result.posts, fetched_at=result.fetched_at)
            if result.snapshot and result.outcome in (OK, EMPTY):
                snap = result.snapshot
                record_snapshot(
                    session,
                    account_id=result.account_id,
                    at=result.fetched_at,
                    shown_name=snap.get("shown_name"),
                    followers=snap.get("followers"),
                    posts_count=snap.get("posts_count"),
                    verified=snap.get("verified"),
                    verified_reason=snap.get("verified_reason"),
                    extra=snap.get("extra"),
                )
            record_attempt(
                session,
                account_id=result.account_id,
                outcome=result.outcome,
                crawl_id=crawl_id,
                at=result.fetched_at,
                http_status=result.http_status,
                detail=result.detail,
                snippet=result.snippet,
                new_posts=new,
            )
            events.append(
                {
                    "account_id": result.account_id,
                    "outcome": result.outcome,
                    "new_posts": new,
                    "detail": result.detail,
                    "posts": len(result.posts) if result.outcome == OK else 0,
                }
            )
    return events
