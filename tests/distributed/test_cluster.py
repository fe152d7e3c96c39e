"""One crawl over several worker processes, on this machine's Redis and databases, against the
stand-in platforms with latency: a worker killed with SIGKILL loses nothing, every account gets
exactly one outcome per cycle, no post is stored twice, the platforms' pace holds across all
workers, every cycle fetches every page again, and a heartbeat keeps a slow account's lease."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import pytest
from sqlalchemy import func, select

from registry.checks.models import PostFingerprint
from registry.collection.cycle_models import CrawlCycle, CrawlWorker, CycleAccount
from registry.collection.models import CrawlAttempt, Post
from registry.db import dispose_engines, session_scope
from spiders.distributed.queue import QueueSettings
from spiders.standin import StandinAccount, StandinServer, file_accounts, make_posts
from tests.factories import PROVINCE, small_registry

PACE = {"weibo": 0.3, "wechat": 0.2, "bilibili": 0.2, "feed": 0.15, "html": 0.2}
WAIT = 180  # seconds: a bound on a hung test, never a speed target


def _mix(n: int = 1) -> list[StandinAccount]:
    out = []
    for i in range(4 * n):
        out.append(
            StandinAccount("weibo", f"31000{i:05d}", f"微博{i}", posts=make_posts(15, prefix=f"w{i}x"))
        )
        out.append(
            StandinAccount(
                "douyin",
                f"MS4wLjABAAAAcluster{i:012d}",
                f"抖音{i}",
                kind="rss",
                posts=make_posts(4, prefix=f"d{i}x"),
            )
        )
    for i in range(2 * n):
        out.append(
            StandinAccount("bilibili", f"{81000000 + i}", f"B站{i}", posts=make_posts(3, prefix=f"b{i}x"))
        )
        out.append(
            StandinAccount(
                "website", f"cluster-site-{i}", f"网站{i}", kind="html", posts=make_posts(3, prefix=f"h{i}x")
            )
        )
    out.append(StandinAccount("wechat", "gh_00000000c1a5", "公众号", posts=make_posts(2, prefix="wx")))
    return out


def _env(server: StandinServer, db: str, queue: QueueSettings, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        **server.env(),
        "GOVMEDIA_DB": db,
        "GOVMEDIA_REDIS_URL": queue.url,
        "GOVMEDIA_REDIS_PREFIX": queue.prefix,
        "GOVMEDIA_CRAWL_LEASE_SECONDS": str(queue.lease_seconds),
        "GOVMEDIA_CRAWL_HEARTBEAT_SECONDS": str(queue.heartbeat_seconds),
        "GOVMEDIA_WEIBO_MAX_PAGES": "2",
        **extra,
    }


def _paced(env: dict[str, str]) -> dict[str, str]:
    """Real per-platform delays instead of the tests' GOVMEDIA_CRAWL_DELAY=0."""
    env = {k: v for k, v in env.items() if k != "GOVMEDIA_CRAWL_DELAY"}
    env.update({f"GOVMEDIA_{k.upper()}_DELAY": str(v) for k, v in PACE.items()})
    env.update({f"GOVMEDIA_{k.upper()}_CONCURRENCY": "4" for k in PACE})
    return env


def _worker(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "monitor.app.cli.main", "crawl", "worker", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _use(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> None:
    """The coordinator (in this process) sees what the workers see."""
    for key, value in env.items():
        if key.startswith("GOVMEDIA_"):
            monkeypatch.setenv(key, value)
    if "GOVMEDIA_CRAWL_DELAY" not in env:
        monkeypatch.delenv("GOVMEDIA_CRAWL_DELAY", raising=False)


@pytest.fixture
def workers() -> Iterator[list[subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    yield started
    for proc in started:  # whatever a failing test left running
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _stop(proc: subprocess.Popen[str]) -> tuple[int, str, str]:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    return proc.returncode, out, err


def _held_by(db: str, pid: int) -> list[tuple[int, int]]:
    with session_scope(db) as s:
        return [
            (c, a)
            for c, a in s.execute(
                select(CycleAccount.cycle_id, CycleAccount.account_id).where(
                    CycleAccount.state == "leased", CycleAccount.holder.like(f"%:{pid}:%")
                )
            )
        ]


RATE_WINDOW = 4  # the rate is judged over any four delays: at most four requests arrive in them


def _until_ready(db: str, n: int) -> None:
    """Wait until ``n`` workers have started their spider (their first heartbeat)."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        with session_scope(db) as s:
            if sum(1 for w in s.scalars(select(CrawlWorker)) if w.heartbeat_at > w.started_at) >= n:
                return
        time.sleep(0.1)
    raise AssertionError("the workers did not start")


def _rate_exceeded(times: list[float], delay: float) -> list[tuple[float, float]]:
    """Where the stand-in saw a platform's rate exceeded: more than ``RATE_WINDOW`` requests within
    ``RATE_WINDOW`` delays, or two requests less than half a delay apart (a burst). Arrival times
    carry both machines' scheduling noise (this machine is shared), hence a window rather than
    every single gap; the workers leave 0.1 s more than the delay between turns."""
    bursts = [(a, b - a) for a, b in pairwise(times) if b - a < delay / 2]
    crowded = [
        (times[i], times[i + RATE_WINDOW] - times[i])
        for i in range(len(times) - RATE_WINDOW)
        if times[i + RATE_WINDOW] - times[i] < RATE_WINDOW * delay
    ]
    return bursts + crowded


@pytest.mark.postgres
def test_three_workers_and_one_killed_mid_crawl(
    pg_db: str,
    queue: QueueSettings,
    monkeypatch: pytest.MonkeyPatch,
    cli,
    workers,  # type: ignore[no-untyped-def]
) -> None:
    small_registry(pg_db)
    accounts = _mix(2)
    with StandinServer(accounts, latency=0.1) as server:
        ids = file_accounts(pg_db, server, accounts, unit=PROVINCE)
        env = _paced(_env(server, pg_db, queue))
        _use(monkeypatch, env)
        workers.extend(_worker(env) for _ in range(3))
        killed: dict[str, object] = {}

        def kill_when_busy() -> None:
            deadline = time.monotonic() + WAIT
            busy = None
            while busy is None and time.monotonic() < deadline:
                busy = next((w for w in workers if _held_by(pg_db, w.pid)), None)
                time.sleep(0.2)
            assert busy is not None
            time.sleep(0.3)  # mid-collection: requests in flight, results not yet stored
            os.kill(busy.pid, signal.SIGKILL)
            busy.wait()
            killed.update(victim=busy, held=_held_by(pg_db, busy.pid))

        killer = threading.Thread(target=kill_when_busy)
        killer.start()
        result = cli("crawl --distributed --wait --format json")
        killer.join()
        victim = killed["victim"]
        assert isinstance(victim, subprocess.Popen)
        survivors = [_stop(w) for w in workers if w is not victim]
    assert result.code == 0, result
    rows = json.loads(result.out)
    assert sorted(r["account_id"] for r in rows) == sorted(ids.values())  # exactly one each
    assert {r["outcome"] for r in rows} == {"ok"}, [r for r in rows if r["outcome"] != "ok"]
    assert set(rows[0]) == {"account_id", "outcome", "new_posts", "detail"}
    assert killed["held"], "the killed worker held no lease"
    assert all(code == 0 for code, _, _ in survivors), survivors
    with session_scope(pg_db) as s:
        crawl_id = s.scalar(select(CrawlCycle.crawl_id))
        per_account = Counter(
            s.scalars(select(CrawlAttempt.account_id).where(CrawlAttempt.crawl_id == crawl_id))
        )
        posts = s.scalar(select(func.count(Post.id)))
        indexed = s.scalar(select(func.count()).select_from(PostFingerprint))
        distinct = s.scalar(
            select(func.count()).select_from(select(Post.account_id, Post.post_id).distinct().subquery())
        )
        taken_over = {
            (r.cycle_id, r.account_id): (r.state, r.holder, r.leases)
            for r in s.scalars(select(CycleAccount))
            if (r.cycle_id, r.account_id) in set(killed["held"])  # type: ignore[arg-type]
        }
    assert set(per_account.values()) == {1} and len(per_account) == len(ids)
    assert posts == distinct == sum(r["new_posts"] for r in rows)  # every post stored once, as new once
    assert indexed == posts  # the coordinator indexed what the workers stored, as it arrived
    for state, holder, leases in taken_over.values():  # the victim's accounts: done by another
        assert state == "done" and f":{victim.pid}:" not in str(holder) and leases >= 2
    arrivals = server.arrivals()
    host = f"host:127.0.0.1:{server.port}"
    for key, delay in (("weibo", PACE["weibo"]), ("bilibili", PACE["bilibili"]), ("wechat", PACE["wechat"]),
                       (host, max(PACE["feed"], PACE["html"]))):  # fmt: skip
        assert len(arrivals[key]) >= 2
        assert _rate_exceeded(arrivals[key], delay) == [], (key, delay, arrivals[key])
    dispose_engines()


def test_every_cycle_fetches_every_page_again(
    tmp_path: Path,
    queue: QueueSettings,
    monkeypatch: pytest.MonkeyPatch,
    cli,
    workers,  # type: ignore[no-untyped-def]
) -> None:
    db = str(tmp_path / "govmedia.db")  # one machine's SQLite file serves a distributed crawl too
    small_registry(db)
    accounts = _mix(1)
    with StandinServer(accounts, latency=0.02) as server:
        file_accounts(db, server, accounts, unit=PROVINCE)
        env = _env(server, db, queue)
        _use(monkeypatch, env)
        workers.append(_worker(env))  # one long-running worker serves all three cycles
        fetched = []
        for cycle in range(3):
            before = Counter(server.hits)
            if cycle < 2:
                result = cli("crawl --distributed --wait")
                assert result.code == 0 and "采集结果（批次" in result.out, result
            else:  # the scheduler's daily crawl is a distributed cycle once [redis] url is set
                result = cli("schedule run --once crawl")
                assert result.code == 0 and "分布式采集完成" in result.out and "13 个账号" in result.out, (
                    result
                )
            fetched.append(Counter(server.hits) - before)
        status = cli("crawl status --format json")
        code, out, err = _stop(workers[0])
    assert fetched[0] == fetched[1] == fetched[2], fetched
    assert fetched[0]["/weibo/api/container/getIndex"] == 4 * 3  # profile and two list pages each
    assert code == 0 and "已退出：保存 39 个账号的采集结果" in out, (out, err)
    data = json.loads(status.out)
    assert set(data) == {"queue", "cycles", "leases", "workers"}
    assert data["queue"]["length"] == 0 and data["leases"] == []
    assert [c["done"] for c in data["cycles"]] == [13, 13, 13]
    assert data["workers"][0]["state"] == "running" and data["workers"][0]["accounts"] == 39
    with session_scope(db) as s:
        assert s.scalar(select(CrawlWorker.stopped_at)) is not None
    dispose_engines()


@pytest.mark.postgres
def test_a_heartbeat_keeps_a_slow_account_and_until_empty_leaves_it_to_its_worker(
    pg_db: str,
    queue: QueueSettings,
    monkeypatch: pytest.MonkeyPatch,
    cli,
    workers,  # type: ignore[no-untyped-def]
) -> None:
    small_registry(pg_db)
    slow = StandinAccount(
        "douyin", "MS4wLjABAAAAslowslowslowslow0001", "慢订阅", kind="rss", posts=make_posts(2), fault="slow"
    )
    with StandinServer([slow], slow_seconds=12) as server:  # one answer takes six leases
        [account_id] = file_accounts(pg_db, server, [slow], unit=PROVINCE).values()
        env = _env(
            server, pg_db, QueueSettings(queue.url, queue.prefix, lease_seconds=2, heartbeat_seconds=0.3)
        )
        _use(monkeypatch, env)
        assert cli("crawl --distributed").code == 0
        workers.append(_worker(env, "--until-empty"))
        deadline = time.monotonic() + WAIT
        while not _held_by(pg_db, workers[0].pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        workers.append(_worker(env, "--until-empty"))  # nothing it may take: the lease is alive
        second = workers[1].communicate(timeout=WAIT)
        first = workers[0].communicate(timeout=WAIT)
    assert workers[1].returncode == 0 and "保存 0 个账号" in second[0], second
    assert workers[0].returncode == 0 and "保存 1 个账号的采集结果（采集成功 1）" in first[0], first
    with session_scope(pg_db) as s:
        row = s.scalars(select(CycleAccount)).one()
        attempts = s.scalars(select(CrawlAttempt.outcome).where(CrawlAttempt.account_id == account_id)).all()
        second_stopped = s.scalar(
            select(CrawlWorker.stopped_at).where(CrawlWorker.name.like(f"%:{workers[1].pid}:%"))
        )
    assert second_stopped is not None and row.done_at is not None
    assert second_stopped < row.done_at  # it left while the first worker still held the account
    assert (row.state, row.leases) == ("done", 1)  # never taken over while its worker lived
    assert attempts == ["ok"]
    assert server.hits[f"/feeds/{slow.key}.xml"] == 1
    dispose_engines()


def test_a_daily_budget_holds_for_all_workers_together(
    tmp_path: Path,
    queue: QueueSettings,
    monkeypatch: pytest.MonkeyPatch,
    cli,
    workers,  # type: ignore[no-untyped-def]
) -> None:
    from datetime import datetime

    from registry.collection.jobs import budget_used
    from registry.timeutil import TZ

    db = str(tmp_path / "govmedia.db")
    small_registry(db)
    accounts = [StandinAccount("weibo", f"32000{i:05d}", f"预算{i}", posts=make_posts(2)) for i in range(6)]
    with StandinServer(accounts, latency=0.05) as server:
        file_accounts(db, server, accounts, unit=PROVINCE)
        env = _env(server, db, queue, GOVMEDIA_WEIBO_DAILY_BUDGET="5", GOVMEDIA_WEIBO_MAX_PAGES="1")
        _use(monkeypatch, env)
        workers.extend(_worker(env) for _ in range(2))
        _until_ready(db, 2)  # both wait on the queue: each takes a message as the cycle arrives
        result = cli("crawl --distributed --wait --format json")
        stopped = [_stop(w) for w in workers]
        requests = len(server.arrivals()["weibo"])
    assert result.code == 0 and all(code == 0 for code, _, _ in stopped), (result, stopped)
    rows = json.loads(result.out)
    refused = [r for r in rows if r["outcome"] == "error"]
    saved = [int(re.search(r"保存 (\d+) 个账号", out).group(1)) for _, out, _ in stopped]  # type: ignore[union-attr]
    assert min(saved) >= 1 and sum(saved) == 6, stopped  # both workers spent from the budget
    assert requests == 5  # five requests in all, whichever worker sent them (two per account)
    assert len(rows) == 6 and len(rows) - len(refused) <= 2  # an account needs two of the five
    assert refused and all("已达每日请求上限" in r["detail"] for r in refused), refused
    with session_scope(db) as s:  # what the workers spent is in the database for tomorrow's seed
        assert budget_used(s, platform="weibo", day=datetime.now(TZ).date()) == 5
    dispose_engines()
