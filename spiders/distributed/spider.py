"""The workers' spider: the ``accounts`` spider fed from the Redis queue.

It is scrapy-redis's ``RedisMixin`` (connection, queue key, batched pop) on the accounts spider,
with one difference: scrapy-redis fills a spider from its ``spider_idle`` signal, a batch at a
time, with requests only; here an async ``start()`` (Scrapy ≥ 2.13) keeps the worker fed as
accounts finish, and can also give an account's result when it cannot start (no collector, a
bad filing). For each popped message it leases the account in the database first
(``registry.collection.cycles.take_leases``): a message whose account is done or leased to a
live worker is dropped. A worker has at most twice ``CONCURRENT_REQUESTS`` accounts under way
(their requests wait in its scheduler while the next batch is leased), and leases them in
batches of ``CONCURRENT_REQUESTS``; the other workers get the rest.

Every request is marked ``dont_filter`` by the collectors, and the dupefilter is switched off
(``BaseDupeFilter`` with Scrapy's own scheduler): every cycle fetches every page again. The
scrapy-redis scheduler and its persistent dupefilter are not used (a monitor re-crawls the same
URLs every cycle, and that dupefilter silently drops them).

An idle worker waits on the queue with a blocking pop (so a new cycle starts at once) and,
between waits, hands expired leases back to the queue (``cycles.reap``); a heartbeat on the
reactor renews its leases (a stuck reactor stops renewing them, and another worker takes
over). Only the accounts it still works on are renewed: one whose result could not be stored
at all is left to expire and goes back to the queue. With ``until_empty`` it stops once the
queue is drained, its own accounts are done and no account is left that it could lease
(``registry.collection.workers.work_left_for``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

from scrapy.crawler import Crawler
from scrapy_redis.spiders import RedisMixin
from twisted.python.failure import Failure

from spiders import collectors
from spiders.distributed import queue as q
from spiders.distributed.limits import LimiterUnavailable
from spiders.items import AccountResult
from spiders.middlewares import _sleep
from spiders.outcomes import Failed
from spiders.spiders.accounts import AccountsSpider

IDLE_WAIT, BUSY_WAIT = 1.0, 0.5  # seconds a worker waits on an empty queue (idle / still collecting)
BUSY_TICK = 0.05  # seconds before asking again when the worker has no room for more accounts
AHEAD = 2  # accounts under way per worker: twice CONCURRENT_REQUESTS, so that leasing the next
# batch (a database transaction) never leaves the downloader without requests


async def _in_thread(fn: Any, *args: Any) -> Any:
    from scrapy.utils.defer import maybe_deferred_to_future
    from twisted.internet import threads

    return await maybe_deferred_to_future(threads.deferToThread(fn, *args))


class QueueSpider(RedisMixin, AccountsSpider):
    name = q.SPIDER

    def __init__(
        self, *args: Any, holder: str, queue: q.QueueSettings, until_empty: bool = False, **kwargs: Any
    ):
        super().__init__(*args, jobs=[], **kwargs)
        self.holder = holder
        self.queue = queue
        self.until_empty = until_empty
        self.in_flight: dict[int, int] = {}  # account → cycle, while this worker collects it
        self.working: set[q.Key] = set()  # leased and not yet stored: the leases to renew
        self.lock = threading.Lock()  # ``working`` is also updated by the pipeline's writer
        self.last_reap = 0.0
        self.beat: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> QueueSpider:
        """The spider with scrapy-redis's queue set up; the database's schema was checked when
        the worker started, so the worker's own transactions skip that check."""
        spider: QueueSpider = super().from_crawler(crawler, *args, **kwargs)
        spider.setup_redis(crawler)  # scrapy-redis: REDIS_URL, REDIS_START_URLS_KEY, batch size
        return spider

    # --- feeding ---------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        self.cpu_at_start = time.process_time()
        self.reactor_cpu_at_start = time.thread_time()
        self.collectors = collectors.build(self.settings)
        self._start_heartbeat()
        waiting: list[Any] = []
        batch = self.redis_batch_size
        while True:
            room = min(batch, AHEAD * batch - len(self.in_flight))
            if room < max(1, batch // 2) and self.in_flight and not waiting:
                await _sleep(BUSY_TICK)  # enough accounts under way: lease in batches, not one by one
                continue
            popped, jobs = await _in_thread(self._pop_and_lease, max(room, 1), waiting, set(self.in_flight))
            waiting = []
            for job in jobs:
                self.in_flight[job["account_id"]] = job["cycle_id"]
                for output in self.outputs_of(job):
                    yield output
            if popped:
                continue
            if await _in_thread(self._reap):
                continue
            if self.until_empty and not self.in_flight and not await _in_thread(self._work_left):
                return
            # wait on the queue itself (a blocking pop), so new messages are taken at once
            waiting = await _in_thread(self._wait_for_message, BUSY_WAIT if self.in_flight else IDLE_WAIT)

    def spider_idle(self) -> None:
        """The spider is idle only once ``start()`` has returned (``until_empty``): let it
        close (scrapy-redis's own idle handler would pop more and keep it open)."""
        return None

    def _wait_for_message(self, timeout: float) -> list[Any]:
        """One message as soon as one is pushed (a blocking pop), or none after ``timeout``."""
        found = self.server.blpop([self.redis_key], timeout=timeout)
        return [found[1]] if found else []

    def _pop_and_lease(
        self, room: int, waiting: list[Any], in_flight: set[int]
    ) -> tuple[int, list[dict[str, Any]]]:
        """Pop up to ``room`` messages (scrapy-redis's batched pop; or take the one a blocking
        pop brought) and lease their accounts, but those already in flight here: (messages
        popped, jobs won). On a thread."""
        popped = waiting or self.fetch_data(self.redis_key, room)
        keys = [k for k in map(q.decode, popped) if k is not None and k[1] not in in_flight]
        return len(popped), self._lease(keys) if keys else []

    def _lease(self, keys: list[q.Key]) -> list[dict[str, Any]]:
        from registry.collection.cycles import take_leases
        from registry.collection.jobs import crawl_jobs
        from registry.db import session_scope

        with session_scope(self.settings.get("GOVMEDIA_DB"), check=False) as session:
            won = take_leases(session, holder=self.holder, keys=keys, ttl=self.queue.lease_seconds)
            jobs = crawl_jobs(session, account_ids=[a for _, a in won]) if won else []
        with self.lock:
            self.working.update(won)
        by_id = {j["account_id"]: j for j in jobs}
        return [{**by_id[a], "cycle_id": c} for c, a in won if a in by_id]

    def _reap(self) -> int:
        """Put expired leases (and lost messages) back on the queue, at most once a heartbeat."""
        from registry.collection.cycles import reap
        from registry.db import session_scope

        if time.monotonic() - self.last_reap < self.queue.heartbeat_seconds:
            return 0
        self.last_reap = time.monotonic()
        with session_scope(self.settings.get("GOVMEDIA_DB"), check=False) as session:
            reaped = reap(session, queue_empty=True, grace=max(5.0, 2 * self.queue.heartbeat_seconds))
        q.push(self.server, self.queue, reaped.requeue)
        return len(reaped.requeue)

    def _work_left(self) -> bool:
        from registry.collection.workers import work_left_for
        from registry.db import session_scope

        with session_scope(self.settings.get("GOVMEDIA_DB"), check=False) as session:
            return work_left_for(session, holder=self.holder)

    # --- results ---------------------------------------------------------------------

    def outputs_of(self, job: dict[str, Any]) -> list[Any]:
        outputs = super().outputs_of(job)
        for output in outputs:
            if isinstance(output, AccountResult):
                self._done(output)
        return outputs

    def _wire(self, outputs: Iterator[Any]) -> Iterator[Any]:
        for output in super()._wire(outputs):
            if isinstance(output, AccountResult):
                self._done(output)
            yield output

    def settled(self, keys: list[q.Key]) -> None:
        """The pipeline is done with these accounts (stored, taken over, or not storable):
        their leases are no longer renewed (called from the writer thread)."""
        with self.lock:
            self.working.difference_update(keys)

    def _done(self, result: AccountResult) -> None:
        """The account's collection is over here: its result carries its cycle to the pipeline."""
        result.cycle_id = self.in_flight.pop(result.account_id, None)

    def on_error(self, failure: Failure) -> Iterator[Any]:
        if isinstance(failure.value, LimiterUnavailable):
            request = failure.request  # type: ignore[attr-defined]
            run = request.cb_kwargs["run"]
            collector = self.collectors[run["collector"]]
            detail = f"请求失败：{failure.value}"
            yield from self._wire(collector.failed(run, Failed(detail), bool(request.meta.get("optional"))))
            return
        yield from super().on_error(failure)

    # --- heartbeat -------------------------------------------------------------------

    def _start_heartbeat(self) -> None:
        from twisted.internet import task

        self.beat = task.LoopingCall(self._heartbeat)
        self.beat.start(self.queue.heartbeat_seconds, now=True)

    def _heartbeat(self) -> Any:
        """On the reactor (a stuck reactor stops it); the database write on a thread."""
        from twisted.internet import threads

        with self.lock:
            keys = set(self.working)
        d = threads.deferToThread(self._renew, keys)
        d.addErrback(lambda f: self.logger.warning("心跳失败（租约未能续期）：%s", f.getErrorMessage()))
        return d

    def _renew(self, keys: set[q.Key]) -> None:
        from registry.collection.cycles import heartbeat
        from registry.db import session_scope

        with session_scope(self.settings.get("GOVMEDIA_DB"), check=False) as session:
            heartbeat(session, holder=self.holder, ttl=self.queue.lease_seconds, keys=keys)

    def closed(self, reason: str) -> None:
        if self.beat is not None and self.beat.running:
            self.beat.stop()
        super().closed(reason)
