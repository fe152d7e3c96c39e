"""``govmedia crawl worker``: one long-running crawl process fed from the Redis queue.

Any number of workers, on any machine that reaches the database and Redis, run the real
collectors (the same as ``govmedia crawl``) in this process. A worker registers itself
(``registry.collection.workers``), leases accounts as it pops their messages, renews its leases
by a heartbeat, stores each result only while it still holds the account's lease, and on a
normal stop (SIGTERM, Ctrl-C, or ``--until-empty`` once nothing is left) gives its unfinished
accounts back to the queue. Killed outright (SIGKILL, a lost machine), it gives nothing back:
its leases expire ``lease_seconds`` after its last heartbeat and another worker takes the
accounts over.

Settings: the crawl's own (``spiders.settings.settings_from_env``: credentials, base URLs,
delays, budgets) with the shared limits of ``spiders.distributed.limits`` in place of the
per-process ones, and scrapy-redis's connection settings (``REDIS_URL``, ``REDIS_PARAMS``,
``REDIS_START_URLS_KEY``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from spiders.distributed import queue as q

DOWNLOADER_MIDDLEWARES = {
    "spiders.middlewares.BudgetMiddleware": None,
    "spiders.distributed.limits.SharedBudgetMiddleware": 560,
    "spiders.distributed.limits.SharedPaceMiddleware": 950,  # last before the downloader
}
ITEM_PIPELINES = {
    "spiders.pipelines.StorePipeline": None,
    "spiders.distributed.pipeline.CycleStorePipeline": 300,
}


@dataclass
class WorkerReport:
    """What one worker did: its name, the outcomes it stored, accounts given back on exit."""

    holder: str
    outcomes: dict[str, int] = field(default_factory=dict)
    given_back: int = 0
    leases_lost: int = 0

    @property
    def accounts(self) -> int:
        return sum(self.outcomes.values())


def worker_settings(db: str, queue: q.QueueSettings, env: Mapping[str, str], holder: str) -> dict[str, Any]:
    """The Scrapy settings of a worker (on top of ``spiders.settings``)."""
    from spiders.settings import settings_from_env

    out = settings_from_env(env)
    out["GOVMEDIA_DB"] = db
    out["GOVMEDIA_WORKER"] = holder
    out["GOVMEDIA_REDIS_PREFIX"] = queue.prefix
    # the shared pace replaces the per-process delays; the slots keep their concurrency
    out["DOWNLOAD_SLOTS"] = {k: {**v, "delay": 0, "jitter": 0} for k, v in out["DOWNLOAD_SLOTS"].items()}
    out["DOWNLOAD_DELAY"] = 0
    out["DOWNLOAD_DELAY_JITTER"] = 0
    out["DOWNLOADER_MIDDLEWARES"] = DOWNLOADER_MIDDLEWARES
    out["ITEM_PIPELINES"] = ITEM_PIPELINES
    out["DUPEFILTER_CLASS"] = "scrapy.dupefilters.BaseDupeFilter"  # every cycle re-fetches every page
    out["REDIS_URL"] = queue.url
    out["REDIS_PARAMS"] = dict(q.REDIS_PARAMS)
    out["REDIS_START_URLS_KEY"] = queue.start_urls_key
    out["LOG_INSTALL_ROOT_HANDLER"] = True
    return out


def run_worker(
    db: str | None,
    queue: q.QueueSettings,
    *,
    env: Mapping[str, str],
    until_empty: bool = False,
    log: Callable[[str], None] = lambda _line: None,
) -> WorkerReport:
    """Run one worker in this process until it is stopped (or, with ``until_empty``, until
    nothing is left to lease). Raises ``QueueUnavailable`` before starting when Redis does not
    answer, ``DatabaseError`` when the database is not reachable or not upgraded."""
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings

    from registry.collection.cycles import release
    from registry.collection.workers import register_worker, stop_worker
    from registry.db import resolve_url, session_scope
    from registry.ops.jobs import new_holder
    from spiders import settings as project
    from spiders.distributed.spider import QueueSpider
    from spiders.outcomes import register_secrets
    from spiders.run import _redact_logs
    from spiders.settings import secrets_of

    url = resolve_url(db)
    client = q.connect(queue)
    register_secrets(secrets_of(env))
    holder = new_holder()
    settings = Settings()
    settings.setmodule(project, priority="project")
    settings.update(worker_settings(url, queue, env, holder), priority="cmdline")
    with session_scope(url) as session:
        register_worker(
            session, name=holder, lease_seconds=queue.lease_seconds, heartbeat_seconds=queue.heartbeat_seconds
        )
    log(
        f"采集进程 {holder} 已启动：队列 {queue.queue_key}（{_masked(queue.url)}），"
        f"租约 {queue.lease_seconds:g} 秒，心跳 {queue.heartbeat_seconds:g} 秒"
        + ("；队列取空后退出" if until_empty else "")
    )
    process = CrawlerProcess(settings)
    _redact_logs()
    crawler = process.create_crawler(QueueSpider)
    process.crawl(crawler, holder=holder, queue=queue, until_empty=until_empty)
    report = WorkerReport(holder)
    try:
        process.start()
    finally:
        with session_scope(url) as session:
            keys = release(session, holder=holder)
            stop_worker(session, name=holder)
        report.given_back = q.push(client, queue, keys)
    stats = crawler.stats.get_stats() if crawler.stats else {}
    report.outcomes = {
        k.rsplit("/", 1)[1]: int(v) for k, v in stats.items() if k.startswith("govmedia/outcome/")
    }
    report.leases_lost = int(stats.get("govmedia/leases_lost") or 0)
    return report


def _masked(url: str) -> str:
    from registry.masking import mask_url

    return mask_url(url)
