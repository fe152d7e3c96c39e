"""The ``search`` spider: searches a set of queries, each on its platform's searcher.

It loads the queries (``registry.discovery.queries.search_jobs``), routes every answer to the
searcher's ``parse_<step>``, and turns whatever goes wrong into that query's outcome. It yields
exactly one ``SearchResult`` per query: ``skipped`` when the platform's search budget of the
day is spent before the query's first request (the query stays pending for the next run).

The queries of one platform are searched one after the other (platforms in parallel): search
is the most guarded call, and a budget that runs out then cuts at most one query short.
"""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from spiders import search
from spiders.middlewares import BudgetExhausted
from spiders.outcomes import CollectionOutcome, Failed, check_http, snippet_of
from spiders.search.base import Run, Searcher, SearchResult
from spiders.spiders.accounts import _text


class SearchSpider(scrapy.Spider):
    name = "search"

    def __init__(
        self,
        *args: Any,
        query_ids: str | list[int] | None = None,
        jobs: list[dict[str, Any]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if isinstance(query_ids, str):
            query_ids = [int(x) for x in query_ids.split(",") if x.strip()]
        self.query_ids = list(query_ids or [])
        self.jobs = jobs
        self.searchers: dict[str, Searcher] = {}
        self.waiting: dict[str, deque[dict[str, Any]]] = {}

    def _load_jobs(self) -> list[dict[str, Any]]:
        if self.jobs is not None:
            return self.jobs
        from registry.db import session_scope
        from registry.discovery.queries import search_jobs

        with session_scope(self.settings.get("GOVMEDIA_DB")) as session:
            return search_jobs(session, self.query_ids)

    async def start(self) -> AsyncIterator[Any]:
        for output in self.start_outputs():
            yield output

    def start_outputs(self) -> Iterator[Any]:
        self.searchers = search.build(self.settings)
        for job in self._load_jobs():
            searcher = self.searchers.get(job["platform"])
            reason = "该平台没有账号搜索" if searcher is None else searcher.missing()
            if searcher is None or reason:
                now = datetime.now(UTC)
                platform, query = job["platform"], job["query"]
                yield SearchResult(job["query_id"], platform, query, "error", now, detail=reason)
                continue
            self.waiting.setdefault(job["platform"], deque()).append(job)
        for platform in list(self.waiting):
            yield from self._next(platform)

    def _next(self, platform: str) -> Iterator[Any]:
        """Start the platform's next query, if any."""
        queue = self.waiting.get(platform)
        if not queue:
            return
        job = queue.popleft()
        run: Run = {"job": job, "platform": platform, "fetched_at": datetime.now(UTC), "status": None}
        yield from self._wire(self.searchers[platform].start(run))

    def _wire(self, outputs: Iterator[Any]) -> Iterator[Any]:
        for output in outputs:
            if isinstance(output, scrapy.Request):
                output.callback = self.route
                output.errback = self.on_error
            yield output
            if isinstance(output, SearchResult):  # this query is done: the next one starts
                yield from self._next(output.platform)

    def route(self, response: Response, run: Run, step: str) -> Iterator[Any]:
        """Send an answer to its searcher step; a failure becomes the query's outcome."""
        searcher = self.searchers[run["platform"]]
        run["status"] = response.status
        run["fetched_at"] = datetime.now(UTC)
        try:
            check_http(response.status, _text(response), response.url)
            method = searcher.parse_page if step == "page" else getattr(searcher, f"parse_{step}")
            outputs = list(method(response, run))
        except CollectionOutcome as exc:
            outputs = list(searcher.failed(run, exc, step))
        except Exception as exc:
            self.logger.info("payload error for query %s: %r", run["job"]["query_id"], exc)
            failure = Failed(
                f"响应格式异常（{type(exc).__name__}: {exc}）",
                status=response.status,
                snippet=snippet_of(response.body),
            )
            outputs = list(searcher.failed(run, failure, step))
        yield from self._wire(iter(outputs))

    def on_error(self, failure: Failure) -> Iterator[Any]:
        """Network failures after retries, and spent budgets (the query is not searched)."""
        request = failure.request  # type: ignore[attr-defined]
        run: Run = request.cb_kwargs["run"]
        step: str = request.cb_kwargs["step"]
        searcher = self.searchers[run["platform"]]
        exc = failure.value
        if isinstance(exc, BudgetExhausted) and step == "page" and not run.get("pages"):
            job = run["job"]
            skipped = SearchResult(
                job["query_id"], job["platform"], job["query"], "skipped", run["fetched_at"], detail=str(exc)
            )
            yield from self._wire(iter([skipped]))
            return
        if isinstance(exc, BudgetExhausted):
            detail = f"已达今日搜索上限（{exc}），本次未搜索完"
        else:
            detail = (
                f"请求失败（{type(exc).__name__}: {exc}，已重试 {request.meta.get('retry_times', 0)} 次）"
            )
        yield from self._wire(searcher.failed(run, Failed(detail), step))
