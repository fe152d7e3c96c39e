"""The ``accounts`` spider: collects a set of filed accounts, each with its own collector.

It loads the accounts (``registry.collection.crawl_jobs``), picks a collector per account
(``spiders.collectors.choose``), routes every answer to the collector's ``parse_<step>``,
and turns whatever goes wrong into that account's outcome. It yields exactly one
``AccountResult`` per account.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import scrapy
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    ResponseDataLossError,
)
from scrapy.http import Response
from twisted.internet.error import (
    ConnectionRefusedError,
    DNSLookupError,
    TCPTimedOutError,
    TimeoutError,
)
from twisted.python.failure import Failure

from spiders import collectors
from spiders.collectors.base import Collector, Run
from spiders.items import AccountResult
from spiders.middlewares import BudgetExhausted
from spiders.outcomes import ERROR, CollectionOutcome, Failed, check_http, snippet_of
from spiders.safety import UnsafeUrl


class AccountsSpider(scrapy.Spider):
    name = "accounts"

    def __init__(
        self,
        *args: Any,
        account_ids: str | list[int] | None = None,
        jobs: list[dict[str, Any]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if isinstance(account_ids, str):
            account_ids = [int(x) for x in account_ids.split(",") if x.strip()]
        self.account_ids = list(account_ids or [])
        self.jobs = jobs
        self.collectors: dict[str, Collector] = {}

    def _load_jobs(self) -> list[dict[str, Any]]:
        if self.jobs is not None:
            return self.jobs
        from registry.collection.jobs import crawl_jobs
        from registry.db import session_scope

        with session_scope(self.settings.get("GOVMEDIA_DB")) as session:
            return crawl_jobs(session, account_ids=self.account_ids)

    async def start(self) -> AsyncIterator[Any]:
        self.cpu_at_start = time.process_time()
        self.reactor_cpu_at_start = time.thread_time()
        for output in self.start_outputs():
            yield output

    def closed(self, reason: str) -> None:
        """Record the CPU seconds of the crawl (all threads, the store writer included)."""
        if self.crawler.stats is not None and hasattr(self, "cpu_at_start"):
            self.crawler.stats.set_value("govmedia/cpu_seconds", time.process_time() - self.cpu_at_start)
            self.crawler.stats.set_value(
                "govmedia/reactor_cpu_seconds", time.thread_time() - self.reactor_cpu_at_start
            )

    def start_outputs(self) -> Iterator[Any]:
        self.collectors = collectors.build(self.settings)
        for job in self._load_jobs():
            yield from self.outputs_of(job)

    def outputs_of(self, job: dict[str, Any]) -> list[Any]:
        """The first requests of one account, or its result when it cannot start."""
        try:
            return list(self._start_one(job))
        except Exception as exc:  # one bad filing never stops the crawl for the others
            self.logger.info("cannot start account %s: %r", job["account_id"], exc)
            return [
                AccountResult(
                    account_id=job["account_id"],
                    outcome=ERROR,
                    collector="",
                    fetched_at=datetime.now(UTC),
                    detail="无法开始采集：备案中的采集地址或选择器无效，请用 account change 更正",
                )
            ]

    def _start_one(self, job: dict[str, Any]) -> Iterator[Any]:
        """The first requests of one account (or its error result)."""
        fetched_at = datetime.now(UTC)
        collector, reason = collectors.choose(job, self.collectors)
        if collector is None:
            yield AccountResult(
                account_id=job["account_id"],
                outcome=ERROR,
                collector="",
                fetched_at=fetched_at,
                detail=reason,
            )
            return
        run: Run = {
            "job": job,
            "collector": collector.name,
            "posts": [],
            "snapshot": None,
            "notes": [],
            "queue": [],
            "fetched_at": fetched_at,
            "status": None,
        }
        for request in collector.start(run):
            if isinstance(request, scrapy.Request):
                request.errback = self.on_error
                request.callback = self.route
            yield request

    def _wire(self, outputs: Iterator[Any]) -> Iterator[Any]:
        for output in outputs:
            if isinstance(output, scrapy.Request):
                output.callback = self.route
                output.errback = self.on_error
            elif isinstance(output, AccountResult) and self.crawler.stats is not None:
                self.crawler.stats.inc_value("govmedia/posts_parsed", len(output.posts))
            yield output

    def route(self, response: Response, run: Run, step: str) -> Iterator[Any]:
        """Send an answer to its collector step; a failure becomes the account's outcome."""
        collector = self.collectors[run["collector"]]
        optional = bool(response.meta.get("optional"))
        run["status"] = response.status
        # relative times ("5分钟前") are resolved against the moment this answer arrived,
        # not when the account was queued (polite delays can be hours apart)
        run["fetched_at"] = datetime.now(UTC)
        try:
            if not response.meta.get("own_status"):
                check_http(response.status, _text(response), response.url)
            outputs = list(getattr(collector, f"parse_{step}")(response, run))
        except CollectionOutcome as exc:
            outputs = list(collector.failed(run, exc, optional))
        except Exception as exc:
            self.logger.info("payload error for account %s: %r", run["job"]["account_id"], exc)
            failure = Failed(
                "响应格式异常：平台返回的内容与预期的格式不符",
                status=response.status,
                snippet=snippet_of(response.body),
            )
            outputs = list(collector.failed(run, failure, optional))
        yield from self._wire(iter(outputs))

    def on_error(self, failure: Failure) -> Iterator[Any]:
        """Network-level failures (after retries), refused URLs and spent budgets."""
        request = failure.request  # type: ignore[attr-defined]
        run: Run = request.cb_kwargs["run"]
        collector = self.collectors[run["collector"]]
        exc = failure.value
        retries = request.meta.get("retry_times", 0)
        if isinstance(exc, UnsafeUrl):
            detail = f"地址被拒绝：{exc.reason}"
        elif isinstance(exc, BudgetExhausted):
            detail = f"已达每日请求上限（{exc}），本次未采集"
        elif isinstance(exc, (DownloadTimeoutError, TimeoutError, TCPTimedOutError)):
            detail = f"请求超时（已重试 {retries} 次）"
        elif isinstance(exc, (CannotResolveHostError, DNSLookupError)):
            detail = f"无法连接：无法解析域名（已重试 {retries} 次）"
        elif isinstance(exc, (DownloadConnectionRefusedError, ConnectionRefusedError)):
            detail = f"无法连接：连接被拒绝（已重试 {retries} 次）"
        elif isinstance(exc, (DownloadCancelledError, ResponseDataLossError)):
            detail = "下载中断或超过大小上限"
        else:
            self.logger.warning("request failed: %r", exc)  # the exception itself goes to the log
            detail = f"请求失败：网络错误（已重试 {retries} 次）"
        outputs = collector.failed(run, Failed(detail), bool(request.meta.get("optional")))
        yield from self._wire(outputs)


def _text(response: Response) -> str:
    try:
        return str(response.text)
    except AttributeError:
        return response.body[:2000].decode("utf-8", "replace")
