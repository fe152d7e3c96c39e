"""Politeness and credentials: settings from the environment, daily budgets, secrets kept
out of logs and the database."""

from __future__ import annotations

import pytest

from registry.collection.jobs import budget_used
from registry.collection.queries import account_attempts
from registry.db import dispose_engines, session_scope
from registry.timeutil import TZ
from spiders.crawl import run_crawl
from spiders.settings import settings_from_env
from spiders.standin import StandinAccount, StandinServer, file_accounts, make_posts
from tests.factories import PROVINCE, small_registry


@pytest.mark.parametrize(
    ("env", "slot", "delay", "concurrency"),
    [
        ({}, "weibo", 10.0, 1),
        ({}, "wechat", 5.0, 1),
        ({}, "bilibili", 3.0, 2),
        ({"GOVMEDIA_WEIBO_DELAY": "12"}, "weibo", 12.0, 1),
        ({"GOVMEDIA_WEIBO_DELAY": "12", "GOVMEDIA_CRAWL_DELAY": "0"}, "weibo", 0.0, 1),
        ({"GOVMEDIA_CRAWL_DELAY": "0.5"}, "wechat", 0.5, 1),
        ({"GOVMEDIA_BILIBILI_CONCURRENCY": "4"}, "bilibili", 3.0, 4),
    ],
)
def test_per_platform_delay_and_concurrency(
    env: dict[str, str], slot: str, delay: float, concurrency: int
) -> None:
    settings = settings_from_env(env)
    assert settings["DOWNLOAD_SLOTS"][slot]["delay"] == delay
    assert settings["DOWNLOAD_SLOTS"][slot]["concurrency"] == concurrency


@pytest.mark.parametrize(
    ("env", "key", "expected"),
    [
        ({}, "DOWNLOAD_TIMEOUT", 30.0),
        ({"GOVMEDIA_CRAWL_TIMEOUT": "5"}, "DOWNLOAD_TIMEOUT", 5.0),
        ({}, "RETRY_TIMES", 2),
        ({"GOVMEDIA_CRAWL_RETRIES": "0"}, "RETRY_TIMES", 0),
        ({"GOVMEDIA_CRAWL_DELAY": "0"}, "GOVMEDIA_RETRY_BACKOFF", 0.0),
        ({"GOVMEDIA_WEIBO_BASE_URL": "http://mirror:8080"}, "GOVMEDIA_WEIBO_BASE_URL", "http://mirror:8080"),
        ({"GOVMEDIA_WECHAT_TOKEN": "abc"}, "GOVMEDIA_WECHAT_TOKEN", "abc"),
    ],
)
def test_settings_from_env(env: dict[str, str], key: str, expected: object) -> None:
    assert settings_from_env(env)[key] == expected


@pytest.mark.parametrize(
    ("env", "platform", "budget"),
    [({}, "weibo", 2000), ({}, "feed", 0), ({"GOVMEDIA_WECHAT_DAILY_BUDGET": "50"}, "wechat", 50)],
)
def test_daily_budget_settings(env: dict[str, str], platform: str, budget: int) -> None:
    assert settings_from_env(env)["GOVMEDIA_BUDGETS"][platform] == budget


def test_daily_budget_stops_requests_and_is_remembered(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from datetime import datetime

    db = str(tmp_path / "govmedia.db")
    small_registry(db)
    account = StandinAccount("weibo", "3000000001", "预算微博", posts=make_posts(2))
    with StandinServer([account]) as server:
        ids = file_accounts(db, server, [account], unit=PROVINCE)
        env = {**server.env(), "GOVMEDIA_WEIBO_DAILY_BUDGET": "1"}
        first = run_crawl(db, env=env)
        second = run_crawl(db, env=env)
        hits = server.hits["/weibo/api/container/getIndex"]
    assert first.results[0]["outcome"] == "error" and "上限" in first.results[0]["detail"]
    assert second.results[0]["outcome"] == "error"
    assert hits == 1  # the profile only; the list page and the whole second crawl were refused
    with session_scope(db) as s:
        assert budget_used(s, platform="weibo", day=datetime.now(TZ).date()) == 1
        assert [a["outcome"] for a in account_attempts(s, ids[account.key])] == ["error", "error"]
    dispose_engines()


def test_credentials_stay_out_of_logs_and_database(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "govmedia.db")
    small_registry(db)
    account = StandinAccount("wechat", "gh_00000000510e", "慢公众号", posts=make_posts(2), fault="slow")
    with StandinServer([account], slow_seconds=3) as server:
        file_accounts(db, server, [account], unit=PROVINCE)
        env = {
            **server.env(),
            "GOVMEDIA_CRAWL_TIMEOUT": "1",
            "GOVMEDIA_CRAWL_RETRIES": "1",
            "GOVMEDIA_WECHAT_COOKIE": "slave_sid=SECRETCOOKIE42",
        }
        report = run_crawl(db, env=env)
    assert report.results[0]["outcome"] == "error" and "超时" in report.results[0]["detail"]
    log = "\n".join(report.log_tail)
    assert "token=***" in log  # Scrapy logged the request it gave up on, redacted
    assert "standin-token" not in log and "SECRETCOOKIE42" not in log
    with session_scope(db) as s:
        stored = repr(account_attempts(s, 1))
    assert "standin-token" not in stored and "SECRETCOOKIE42" not in stored
    dispose_engines()


@pytest.mark.parametrize(
    ("base", "retry", "pause"), [(2.0, 1, 2.0), (2.0, 2, 4.0), (2.0, 3, 8.0), (0.0, 3, 0.0), (0.5, 2, 1.0)]
)
def test_retry_backoff_doubles(base: float, retry: int, pause: float) -> None:
    from scrapy import Request
    from scrapy.settings import Settings

    from spiders.middlewares import BackoffRetryMiddleware

    middleware = BackoffRetryMiddleware(Settings({"GOVMEDIA_RETRY_BACKOFF": base}))
    assert middleware._pause(Request("http://x.example", meta={"retry_times": retry})) == pause


def test_retry_waits_its_backoff_then_succeeds(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "govmedia.db")
    small_registry(db)
    account = StandinAccount("weibo", "3000000500", "先500后200", posts=make_posts(2), fault="error_once")
    with StandinServer([account]) as server:
        file_accounts(db, server, [account], unit=PROVINCE)
        report = run_crawl(db, env={**server.env(), "GOVMEDIA_RETRY_BACKOFF": "0.1"})
        hits = server.hits["/weibo/api/container/getIndex"]
    assert report.results[0]["outcome"] == "ok", report.results
    assert hits == 3  # profile (500), profile again after the pause, the list
    assert not [line for line in report.log_tail if "Traceback" in line]
    dispose_engines()


def test_crawl_with_real_per_platform_delays(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("GOVMEDIA_CRAWL_DELAY")
    db = str(tmp_path / "govmedia.db")
    small_registry(db)
    accounts = [
        StandinAccount("weibo", "3000000600", "有间隔的微博", posts=make_posts(2)),
        StandinAccount(
            "douyin", "MS4wLjABAAAAdelaydelaydelay01", "有间隔的订阅", kind="rss", posts=make_posts(2)
        ),
    ]
    with StandinServer(accounts) as server:
        file_accounts(db, server, accounts, unit=PROVINCE)
        env = {k: v for k, v in server.env().items() if k != "GOVMEDIA_CRAWL_DELAY"}
        env.update(GOVMEDIA_WEIBO_DELAY="0.2", GOVMEDIA_FEED_DELAY="0.2", GOVMEDIA_RETRY_BACKOFF="0.1")
        report = run_crawl(db, env=env)
    assert [r["outcome"] for r in report.results] == ["ok", "ok"], report.results
    dispose_engines()
