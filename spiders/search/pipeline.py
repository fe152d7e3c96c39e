"""The search pipeline: store each query's search and the accounts it found through
``registry.discovery.store``, and report it on stdout as one JSON line
(``{"event": "query", query_id, platform, outcome, found, candidates, new, detail}``) for the
parent process. A ``skipped`` query (budget spent) is reported and not stored: it stays
pending. Searches are few (a budget of hundreds a day), so each is stored in its own unit of
work as it arrives."""

from __future__ import annotations

import dataclasses
import json
import logging
import sys
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from spiders.search.base import SearchResult

log = logging.getLogger(__name__)


class SearchStorePipeline:
    def __init__(self, db: str, run_id: str, progress: bool) -> None:
        self.db, self.run_id, self.progress = db, run_id, progress
        self.stats: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SearchStorePipeline:
        settings = crawler.settings
        if not settings.get("GOVMEDIA_DB"):
            raise NotConfigured("GOVMEDIA_DB is not set")
        pipeline = cls(
            settings.get("GOVMEDIA_DB"),
            settings.get("GOVMEDIA_SEARCH_RUN_ID") or "",
            settings.getbool("GOVMEDIA_PROGRESS"),
        )
        pipeline.stats = crawler.stats
        return pipeline

    def process_item(self, item: Any) -> Any:
        if isinstance(item, SearchResult):
            self.store(item)
        return item

    def store(self, result: SearchResult) -> None:
        event: dict[str, Any] = {
            "event": "query",
            "query_id": result.query_id,
            "platform": result.platform,
            "outcome": result.outcome,
            "found": len(result.accounts),
            "candidates": [],
            "new": [],
            "detail": result.detail,
        }
        if result.outcome != "skipped":
            from registry.db import session_scope
            from registry.discovery.store import store_search

            try:
                with session_scope(self.db) as session:
                    stored = store_search(session, run_id=self.run_id, result=dataclasses.asdict(result))
            except Exception:  # the parent records unreported queries as failed
                log.exception("写入搜索结果失败（查询 %s）", result.query_id)
                return
            event["candidates"], event["new"] = stored["candidates"], stored["new"]
        if self.stats is not None:
            self.stats.inc_value(f"govmedia/search/{result.outcome}")
        if self.progress:
            sys.stdout.write(json.dumps(event, ensure_ascii=False) + "\n")
            sys.stdout.flush()
