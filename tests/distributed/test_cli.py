"""The distributed crawl's command line: one Chinese line (exit 2) without Redis or when it does
not answer, the queue's settings validated like the rest of the configuration, enqueuing
without waiting, accounts never enqueued twice, and the plain crawl untouched by Redis."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from monitor.app.config import load_config
from registry.collection.cycle_models import CrawlCycle
from registry.db import dispose_engines, session_scope
from spiders.distributed.queue import QueueSettings
from spiders.standin import StandinAccount, StandinServer, file_accounts, make_posts
from tests.factories import PROVINCE, active_account, small_registry

DISTRIBUTED = ["crawl --distributed", "crawl --distributed --wait --format json", "crawl worker",
               "crawl worker --until-empty", "crawl status", "crawl status --format json"]  # fmt: skip


def _cycles(db: str) -> int:
    with session_scope(db) as s:
        return int(s.scalar(select(func.count(CrawlCycle.id))) or 0)


def _one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("错误：") and "Traceback" not in err, err
    return lines[0]


@pytest.mark.parametrize("command", DISTRIBUTED)
def test_without_redis_each_command_says_so(cli, command: str) -> None:  # type: ignore[no-untyped-def]
    result = cli(command)
    assert result.code == 2
    line = _one_line(result.err)
    assert "未配置 Redis" in line and "[redis] url" in line and "GOVMEDIA_REDIS_URL" in line


@pytest.mark.parametrize("command", DISTRIBUTED)
def test_an_unreachable_redis_is_one_line_and_nothing_is_written(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "govmedia.db")
    small_registry(db)
    active_account(db, unit=PROVINCE, platform="weibo", name="兰州发布", platform_id="1669879400")
    monkeypatch.setenv("GOVMEDIA_REDIS_URL", "redis://:s3cret@127.0.0.1:1/0")
    result = cli(command)
    assert result.code == 2
    line = _one_line(result.err)
    assert "无法连接 Redis（redis://:******@127.0.0.1:1/0）：连接被拒绝" in line, line
    assert "s3cret" not in result.err + result.out
    assert _cycles(db) == 0
    dispose_engines()


@pytest.mark.parametrize(
    ("env", "key", "reason"),
    [
        ({"GOVMEDIA_REDIS_URL": "http://127.0.0.1:6379"}, "redis.url", "应为 Redis 地址"),
        ({"GOVMEDIA_REDIS_PREFIX": "有 空格"}, "redis.prefix", "字母、数字"),
        ({"GOVMEDIA_CRAWL_LEASE_SECONDS": "1"}, "crawl.lease_seconds", "2 到 3600 之间的秒数"),
        ({"GOVMEDIA_CRAWL_LEASE_SECONDS": "3601"}, "crawl.lease_seconds", "2 到 3600 之间的秒数"),
        ({"GOVMEDIA_CRAWL_LEASE_SECONDS": "inf"}, "crawl.lease_seconds", "2 到 3600 之间的秒数"),
        ({"GOVMEDIA_CRAWL_HEARTBEAT_SECONDS": "0.1"}, "crawl.heartbeat_seconds", "0.2 到 600 之间的秒数"),
        ({"GOVMEDIA_CRAWL_HEARTBEAT_SECONDS": "31"}, "crawl.heartbeat_seconds", "一半"),  # lease 60 s
        (
            {"GOVMEDIA_CRAWL_LEASE_SECONDS": "10", "GOVMEDIA_CRAWL_HEARTBEAT_SECONDS": "6"},
            "crawl.heartbeat_seconds",
            "一半",
        ),
    ],
)
def test_queue_settings_are_validated(env: dict[str, str], key: str, reason: str) -> None:
    problems = load_config(env=env).problems
    assert [p.key for p in problems] == [key], problems
    assert reason in problems[0].reason


@pytest.mark.parametrize(
    ("env", "lease", "beat"),
    [({}, 60.0, 10.0), ({"GOVMEDIA_CRAWL_LEASE_SECONDS": "2", "GOVMEDIA_CRAWL_HEARTBEAT_SECONDS": "1"}, 2.0, 1.0),
     ({"GOVMEDIA_CRAWL_LEASE_SECONDS": "120", "GOVMEDIA_CRAWL_HEARTBEAT_SECONDS": "60"}, 120.0, 60.0)],
)  # fmt: skip
def test_default_and_boundary_lease_times(env: dict[str, str], lease: float, beat: float) -> None:
    from monitor.app.config import queue_settings

    config = load_config(env={"GOVMEDIA_REDIS_URL": "redis://127.0.0.1:6379/0", **env})
    assert config.problems == []
    settings = queue_settings(config)
    assert (settings.lease_seconds, settings.heartbeat_seconds, settings.prefix) == (lease, beat, "govmedia")
    assert settings.queue_key == "govmedia:accounts:start_urls"


@pytest.mark.parametrize(
    ("command", "hint"),
    [
        ("crawl --wait", "--wait"),
        ("crawl --account 1 status", "--account"),
        ("crawl --distributed worker", "--account"),
        ("crawl status --format csv", "--format"),
    ],
)
def test_options_in_the_wrong_place_are_one_line(cli, command: str, hint: str) -> None:  # type: ignore[no-untyped-def]
    result = cli(command)
    assert result.code == 2
    assert hint in _one_line(result.err)


def test_the_worker_unit_runs_a_worker_and_restarts_it() -> None:
    unit = (Path(__file__).resolve().parents[2] / "deploy" / "govmedia-crawl-worker@.service").read_text(
        encoding="utf-8"
    )
    assert "ExecStart=/srv/govmedia/.venv/bin/govmedia crawl worker\n" in unit
    assert "Restart=always" in unit and "KillSignal=SIGTERM" in unit and "%i" in unit


def _use(monkeypatch: pytest.MonkeyPatch, queue: QueueSettings) -> None:
    monkeypatch.setenv("GOVMEDIA_REDIS_URL", queue.url)
    monkeypatch.setenv("GOVMEDIA_REDIS_PREFIX", queue.prefix)


def test_enqueue_without_waiting_and_never_twice(
    cli, tmp_path: Path, queue: QueueSettings, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "govmedia.db")
    small_registry(db)
    ids = [
        active_account(db, unit=PROVINCE, platform="weibo", name="兰州发布", platform_id="1669879400"),
        active_account(db, unit=PROVINCE, platform="bilibili", name="甘肃共青团", platform_id="12345678"),
    ]
    _use(monkeypatch, queue)
    first = cli("crawl --distributed --platform weibo")
    assert first.code == 0 and "已加入采集队列" in first.out and "1 个账号" in first.out, first
    again = cli("crawl --distributed --format json")
    assert again.code == 0, again
    data = json.loads(again.out)
    assert data["accounts"] == [ids[1]]
    assert data["skipped"] == [{"account_id": ids[0], "crawl_id": data["skipped"][0]["crawl_id"]}]
    assert "未重复加入" in again.err
    status = json.loads(cli("crawl status --format json").out)
    assert status["queue"]["length"] == 2
    assert [(c["selection"], c["queued"]) for c in status["cycles"]] == [
        ("平台 新浪微博", 1),
        ("全部已备案账号", 1),
    ]
    nothing = cli("crawl --distributed")
    assert nothing.code == 0 and "没有需要采集的账号" in nothing.out
    table = cli("crawl status")
    assert table.code == 0 and "待领取 2 个账号" in table.out and "采集批次" in table.out
    dispose_engines()


@pytest.mark.parametrize(("args", "word"), [("--account 999", "找不到"), ("--platform myspace", "平台")])
def test_bad_filters_enqueue_nothing(
    cli, tmp_path: Path, queue: QueueSettings, monkeypatch: pytest.MonkeyPatch, args: str, word: str
) -> None:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "govmedia.db")
    small_registry(db)
    _use(monkeypatch, queue)
    result = cli(f"crawl --distributed --wait {args}")
    assert result.code == 2 and word in _one_line(result.err)
    assert _cycles(db) == 0
    dispose_engines()


def test_the_plain_crawl_stays_on_this_machine_with_redis_configured(
    cli, tmp_path: Path, queue: QueueSettings, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "govmedia.db")
    small_registry(db)
    account = StandinAccount("weibo", "2803301701", "甘肃发布", posts=make_posts(3))
    with StandinServer([account]) as server:
        [account_id] = file_accounts(db, server, [account], unit=PROVINCE).values()
        for key, value in server.env().items():
            monkeypatch.setenv(key, value)
        _use(monkeypatch, queue)
        result = cli(f"crawl --account {account_id} --format json")
    assert result.code == 0, result
    assert json.loads(result.out) == [
        {"account_id": account_id, "outcome": "ok", "new_posts": 3, "detail": None}
    ]
    assert _cycles(db) == 0
    dispose_engines()
