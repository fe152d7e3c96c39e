"""The shared pace and budgets in Redis: however many clients ask at once, one request per
delay per key, and a daily budget spent exactly once."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import date
from itertools import pairwise

import pytest

from spiders.distributed.limits import Limiter, credential_keys, fingerprint
from spiders.distributed.queue import QueueSettings

DAY = date(2026, 12, 6)


def _limiters(queue: QueueSettings, n: int) -> list[Limiter]:
    """``n`` limiters on their own connections, as ``n`` workers would have."""
    return [Limiter(queue.url, queue.prefix) for _ in range(n)]


def _race(n: int, fn) -> list:  # type: ignore[no-untyped-def,type-arg]
    """Run the coroutine ``fn(i)`` (which returns a list) for i < n, each in its own thread and
    event loop, all at once; their results together."""
    out: list = []  # type: ignore[type-arg]
    lock = threading.Lock()
    barrier = threading.Barrier(n)

    def run(i: int) -> None:
        barrier.wait()
        values = asyncio.run(fn(i))
        with lock:
            out.extend(values)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def test_three_workers_get_one_turn_per_delay(queue: QueueSettings) -> None:
    limiters = _limiters(queue, 3)
    gap = 0.15

    async def requests(i: int) -> list[float]:
        sent = []
        for _ in range(4):
            await limiters[i].take_turn([("platform:weibo", gap)])
            sent.append(time.monotonic())
        await limiters[i].close()
        return sent

    sent = sorted(_race(3, requests))
    assert len(sent) == 12
    gaps = [b - a for a, b in pairwise(sent)]
    assert min(gaps) >= gap - 0.005, gaps  # a turn is taken on Redis's clock: never early
    assert sent[-1] - sent[0] >= 11 * gap - 0.005


def test_a_request_waits_for_the_slowest_of_its_keys(queue: QueueSettings) -> None:
    limiter = _limiters(queue, 1)[0]

    async def turns() -> list[float]:
        first = await limiter.take_turn([("credential:abc", 0.5)])
        both = await limiter.take_turn([("platform:weibo", 0.1), ("credential:abc", 0.5)])
        other = await limiter.take_turn([("platform:bilibili", 0.1)])  # an unrelated key
        await limiter.close()
        return [first, both, other]

    first, both, other = asyncio.run(turns())
    assert first == 0 and other == 0
    assert 0.45 <= both <= 0.55  # the credential had just been used through another key


@pytest.mark.parametrize(("limit", "base", "granted"), [(7, 0, 7), (7, 3, 4), (7, 7, 0), (20, 0, 15)])
def test_a_daily_budget_is_spent_once_across_workers(
    queue: QueueSettings, limit: int, base: int, granted: int
) -> None:
    limiters = _limiters(queue, 3)

    async def spend(i: int) -> list[str | None]:
        answers = [await limiters[i].spend([("weibo", limit, base)], DAY) for _ in range(5)]
        await limiters[i].close()
        return answers

    answers = _race(3, spend)
    assert answers.count(None) == granted
    assert answers.count("weibo") == 15 - granted


def test_budgets_count_per_day_and_per_key(queue: QueueSettings) -> None:
    limiter = _limiters(queue, 1)[0]

    async def answers() -> list[str | None]:
        out = [
            await limiter.spend([("weibo", 1, 0)], DAY),
            await limiter.spend([("weibo", 1, 0)], DAY),
            await limiter.spend([("weibo", 1, 0)], date(2026, 12, 7)),  # a new day
            await limiter.spend([("bilibili", 1, 0), ("credential:x", 5, 0)], DAY),
            await limiter.spend([("bilibili", 2, 0), ("credential:x", 1, 0)], DAY),
            await limiter.spend([("bilibili", 2, 0)], DAY),  # the refusal above counted nothing
        ]
        await limiter.close()
        return out

    assert asyncio.run(answers()) == [None, "weibo", None, None, "credential:x", None]


def test_credentials_are_named_by_fingerprint_only() -> None:
    keys = credential_keys({"GOVMEDIA_WEIBO_COOKIE": "SUB=secret-cookie", "GOVMEDIA_WECHAT_TOKEN": "tok"})
    assert keys == {"weibo": fingerprint("SUB=secret-cookie"), "wechat": fingerprint("tok")}
    assert "secret" not in "".join(keys.values())
