"""Politeness shared by every worker: request pace and daily budgets kept in Redis.

``DOWNLOAD_DELAY``, Scrapy's slots and ``spiders.middlewares.BudgetMiddleware`` act per process,
so N workers would hit a platform N times as hard. In a distributed crawl they are replaced by:

- **pace** (``SharedPaceMiddleware``): right before a request leaves, one atomic Redis script
  takes its turn on every key it is paced by: its platform (``weibo``, ``wechat``,
  ``bilibili``; feeds and web pages: their host) and, for a platform with a configured
  credential, that credential. A turn is taken only when every key's "next allowed time" has
  passed on the Redis server's clock (which every worker shares); each key's next allowed time
  then becomes now + its delay, otherwise the worker waits the time left and asks again: at
  most one request per delay per key, however many workers run. Platform delays get a random
  extra of up to half a delay (never less than the delay), and every gap 100 ms more for the
  moment between the turn and the request's arrival (a busy worker, a slow network);
  ``GOVMEDIA_CRAWL_DELAY`` overrides every delay, as in a local crawl (0: no pace at all).
- **budgets** (``SharedBudgetMiddleware``): one atomic script checks and counts the day's
  requests per platform (and per credential) against ``GOVMEDIA_<P>_DAILY_BUDGET``; a key
  starts the day at the use already recorded in the database, and each worker adds what it
  spent to the database (``registry.collection.jobs.add_budget_use``) as it goes.

A request takes its turn only once it can be sent at once: the middleware sits last before the
downloader and holds a slot of the platform's (host's) concurrency until the request leaves the
downloader, so no local queue holds a request back after its turn. The turn is asked on an
asyncio Redis client in the crawl's own event loop: no thread stands between the answer and the
request leaving.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import random
from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured

from registry.timeutil import TZ
from spiders.middlewares import BudgetExhausted

log = logging.getLogger(__name__)

PLATFORM_JITTER = 0.5  # platform API slots: a random extra of up to half a delay
KEEP = 2 * 86400  # seconds a day's budget counter is kept
MARGIN = 0.1  # seconds added to every gap: the moment between a turn and the request's arrival
WRITE_BACK_SECONDS = 30.0  # how often a worker adds its spent requests to the database
CREDENTIALS = {
    "weibo": ("GOVMEDIA_WEIBO_COOKIE",),
    "wechat": ("GOVMEDIA_WECHAT_TOKEN", "GOVMEDIA_WECHAT_COOKIE"),
    "bilibili": ("GOVMEDIA_BILIBILI_COOKIE",),
}

# KEYS: the pace keys; ARGV[i]: the gap (seconds) after a request on KEYS[i]. When every key
# allows a request now (Redis's clock), the turn is taken: each key's next allowed time becomes
# now + its gap, and '0' is returned; otherwise nothing changes and the seconds to wait are
# returned (as a string: Lua numbers would be truncated to integers).
PACE_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local wait = 0
for _, key in ipairs(KEYS) do
  local nxt = tonumber(redis.call('GET', key) or '0')
  if nxt - now > wait then wait = nxt - now end
end
if wait > 0 then return string.format('%.6f', wait) end
for i, key in ipairs(KEYS) do
  local gap = tonumber(ARGV[i])
  redis.call('SET', key, string.format('%.6f', now + gap), 'PX', math.ceil(gap * 1000) + 60000)
end
return '0'
"""

# KEYS: the budget counters; ARGV[i]: the limit of KEYS[i]; ARGV[n + i]: its starting use
# (from the database); ARGV[2n + 1]: seconds to keep. Returns 0 (counted) or the index of the
# key whose limit is reached (nothing counted).
BUDGET_LUA = """
local n = #KEYS
for i, key in ipairs(KEYS) do
  redis.call('SET', key, ARGV[n + i], 'EX', ARGV[2 * n + 1], 'NX')
  if tonumber(redis.call('GET', key)) >= tonumber(ARGV[i]) then return i end
end
for _, key in ipairs(KEYS) do redis.call('INCR', key) end
return 0
"""


class LimiterUnavailable(IgnoreRequest):
    """Redis did not answer: the request is not sent (never sent without its turn)."""


def fingerprint(secret: str) -> str:
    """A credential's name in Redis keys (never the credential itself)."""
    return hashlib.sha256(secret.encode()).hexdigest()[:12]


def credential_keys(settings: Any) -> dict[str, str]:
    """Platform → the fingerprint of its configured credential (platforms without one are absent)."""
    out = {}
    for platform, names in CREDENTIALS.items():
        secret = "\n".join(str(settings.get(n) or "") for n in names).strip()
        if secret:
            out[platform] = fingerprint(secret)
    return out


class Limiter:
    """The two scripts under ``prefix``, on an asyncio Redis client (scrapy-redis's connection
    with redis-py's asyncio class) made in the event loop that first uses it: a turn is taken
    and answered without a thread hop, so the request leaves right after its turn."""

    def __init__(self, url: str, prefix: str, params: dict[str, Any] | None = None) -> None:
        self.url = url
        self.prefix = prefix
        self.params = dict(params or {})
        self.client: Any = None

    def _connect(self) -> Any:
        if self.client is None:
            from redis.asyncio import Redis
            from scrapy_redis.connection import get_redis

            self.client = get_redis(redis_cls=Redis, url=self.url, **self.params)
            self._pace = self.client.register_script(PACE_LUA)
            self._budget = self.client.register_script(BUDGET_LUA)
        return self.client

    async def take_turn(self, gaps: Sequence[tuple[str, float]]) -> float:
        """Wait for a turn on every key (``(name, gap)``) and take it; the seconds waited."""
        self._connect()
        keys = [f"{self.prefix}:pace:{name}" for name, _ in gaps]
        args = [f"{gap:.6f}" for _, gap in gaps]
        waited = 0.0
        while True:
            wait = float(await self._pace(keys=keys, args=args))
            if wait <= 0:
                return waited
            await asyncio.sleep(wait)
            waited += wait

    async def spend(self, limits: Sequence[tuple[str, int, int]], day: date) -> str | None:
        """Count one request on each ``(name, limit, used_before)``; the name whose limit is
        reached (nothing counted), or None."""
        self._connect()
        keys = [f"{self.prefix}:budget:{name}:{day.isoformat()}" for name, _, _ in limits]
        args = [str(limit) for _, limit, _ in limits] + [str(base) for _, _, base in limits] + [str(KEEP)]
        refused = int(await self._budget(keys=keys, args=args))
        return limits[refused - 1][0] if refused else None

    async def close(self, **_signal: Any) -> None:
        """Close the connection (also the ``spider_closed`` handler)."""
        if self.client is not None:
            await self.client.aclose()
            self.client = None


def limiter_of(crawler: Crawler) -> Limiter:
    """One limiter per crawler (closed when the spider closes)."""
    cached = getattr(crawler, "_govmedia_limiter", None)
    if cached is None:
        settings = crawler.settings
        if not settings.get("REDIS_URL"):
            raise NotConfigured("REDIS_URL is not set")
        prefix = settings.get("GOVMEDIA_REDIS_PREFIX") or "govmedia"
        cached = Limiter(settings["REDIS_URL"], prefix, settings.getdict("REDIS_PARAMS"))
        crawler._govmedia_limiter = cached  # type: ignore[attr-defined]
        crawler.signals.connect(cached.close, signal=signals.spider_closed, weak=False)
    return cached


def _slot(request: Request) -> str:
    return str(request.meta.get("download_slot") or urlsplit(request.url).hostname or "")


class SharedPaceMiddleware:
    """One request per delay per platform, host and credential, across all workers (see the
    module docstring). Reads ``GOVMEDIA_DELAYS``, ``DOWNLOAD_SLOTS`` (concurrency) and
    ``CONCURRENT_REQUESTS_PER_DOMAIN`` from the crawler."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.limiter = limiter_of(crawler)
        self.delays: dict[str, float] = {k: float(v) for k, v in settings.getdict("GOVMEDIA_DELAYS").items()}
        self.host_delay = max(self.delays.get("feed", 0.0), self.delays.get("html", 0.0))
        self.slots: dict[str, Any] = settings.getdict("DOWNLOAD_SLOTS")
        self.host_concurrency = settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN", 1)
        self.credentials = credential_keys(settings)
        self.local: dict[str, asyncio.Semaphore] = {}
        crawler.signals.connect(self.left, signal=signals.request_left_downloader)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedPaceMiddleware:
        return cls(crawler)

    def gaps(self, slot: str) -> list[tuple[str, float]]:
        """The keys a request of ``slot`` is paced by, each with this request's gap."""
        if slot in self.slots:
            delay = self.delays.get(slot, 0.0)
            if delay <= 0:
                return []
            gap = delay * (1 + random.uniform(0, PLATFORM_JITTER)) + MARGIN  # not cryptographic
            keys = [(f"platform:{slot}", gap)]
            if slot in self.credentials:
                keys.append((f"credential:{self.credentials[slot]}", gap))
            return keys
        return [(f"host:{slot}", self.host_delay + MARGIN)] if self.host_delay > 0 else []

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        slot = _slot(request)
        gaps = self.gaps(slot)
        if not gaps:
            return None
        if slot not in self.local:
            size = int(self.slots.get(slot, {}).get("concurrency") or self.host_concurrency)
            self.local[slot] = asyncio.Semaphore(max(1, size))
        await self.local[slot].acquire()
        try:
            await self.limiter.take_turn(gaps)
        except Exception as exc:
            self.local[slot].release()
            log.warning("无法在 Redis 中取得请求的时间：%r", exc)
            raise LimiterUnavailable("无法连接 Redis，请求未发出") from None
        request.meta["govmedia_paced"] = slot
        return None

    def left(self, request: Request, spider: Spider | None = None) -> None:
        """The request left the downloader (answered or failed): its concurrency slot is free."""
        slot = request.meta.pop("govmedia_paced", None)
        if slot is not None and slot in self.local:
            self.local[slot].release()


class SharedBudgetMiddleware:
    """Daily request budgets per platform and credential, counted in Redis for all workers
    (``GOVMEDIA_BUDGETS``; 0 = unlimited). Requests carry ``meta["budget"]``."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.db = crawler.settings.get("GOVMEDIA_DB")
        self.limiter = limiter_of(crawler)
        self.budgets: dict[str, int] = {
            k: int(v) for k, v in crawler.settings.getdict("GOVMEDIA_BUDGETS").items()
        }
        self.credentials = credential_keys(crawler.settings)
        self.base: dict[tuple[str, date], int] = {}
        self.spent: Counter[tuple[str, date]] = Counter()
        self.loop: Any = None
        crawler.signals.connect(self.opened, signal=signals.spider_opened)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedBudgetMiddleware:
        return cls(crawler)

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        from scrapy.utils.defer import maybe_deferred_to_future
        from twisted.internet import threads

        key = request.meta.get("budget")
        limit = int(self.budgets.get(key) or 0) if key else 0
        if not key or not limit:
            return None
        day = datetime.now(TZ).date()
        if (key, day) not in self.base:
            self.base[(key, day)] = await maybe_deferred_to_future(
                threads.deferToThread(self._used, key, day)
            )
        limits = [(key, limit, self.base[(key, day)])]
        if key in self.credentials:
            limits.append((f"credential:{self.credentials[key]}", limit, self.base[(key, day)]))
        try:
            refused = await self.limiter.spend(limits, day)
        except Exception as exc:
            log.warning("无法在 Redis 中记录今日请求用量：%r", exc)
            raise LimiterUnavailable("无法连接 Redis，请求未发出") from None
        if refused:
            raise BudgetExhausted(f"{key} 今日请求已达上限 {limit}")
        self.spent[(key, day)] += 1
        return None

    def _used(self, key: str, day: date) -> int:
        from registry.collection.jobs import budget_used
        from registry.db import session_scope

        try:
            with session_scope(self.db) as session:
                return budget_used(session, platform=key, day=day)
        except Exception:
            log.warning("无法读取 %s 的今日请求用量", key)
            return 0

    def opened(self, spider: Spider) -> None:
        from twisted.internet import task

        self.loop = task.LoopingCall(self.flush)
        self.loop.start(WRITE_BACK_SECONDS, now=False)

    def flush(self) -> Any:
        """Hand what this worker spent since the last write to a thread that adds it to the
        database's daily tally (on the reactor; the write itself is not)."""
        from twisted.internet import threads

        spent, self.spent = self.spent, Counter()
        if spent:
            return threads.deferToThread(self._write, spent)
        return None

    def _write(self, spent: Counter[tuple[str, date]]) -> None:
        from registry.collection.jobs import add_budget_use
        from registry.db import session_scope

        try:
            with session_scope(self.db) as session:
                for (key, day), count in sorted(spent.items()):
                    add_budget_use(session, platform=key, day=day, count=count)
        except Exception:
            log.warning("无法记录今日请求用量（%d 个请求）", sum(spent.values()))

    def closed(self, spider: Spider) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        spent, self.spent = self.spent, Counter()
        if spent:
            self._write(spent)
