"""Fault cases against the stand-in: every block, expiry, disappearance and failure ends in
its own outcome with evidence, and never writes "no posts" (DOMAIN.md §5)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from registry.collection.queries import account_attempts, account_posts, account_snapshots
from registry.db import dispose_engines, session_scope
from spiders.crawl import CrawlReport, run_crawl
from spiders.standin import StandinAccount, StandinServer, file_accounts, make_posts
from tests.factories import PROVINCE, small_registry

CASES: list[tuple[StandinAccount, str, str | None]] = [
    # (account, expected outcome, expected words in the detail)
    (
        StandinAccount("weibo", "1000000432", "微博432", posts=make_posts(3), fault="blocked_432"),
        "blocked",
        "432",
    ),
    (
        StandinAccount("weibo", "1000000418", "微博418", posts=make_posts(3), fault="blocked_418"),
        "blocked",
        "418",
    ),
    (
        StandinAccount("weibo", "1000000100", "微博-100", posts=make_posts(3), fault="ok_-100"),
        "blocked",
        "-100",
    ),
    (
        StandinAccount("weibo", "1000000101", "微博截断", posts=make_posts(3), fault="truncated"),
        "error",
        "JSON",
    ),
    (
        StandinAccount("weibo", "1000000500", "微博500后200", posts=make_posts(3), fault="error_once"),
        "ok",
        None,
    ),
    (
        StandinAccount("weibo", "1000000404", "微博注销", posts=make_posts(3), fault="gone"),
        "gone",
        "用户不存在",
    ),
    (
        StandinAccount("weibo", "1000000401", "微博登录", posts=make_posts(3), fault="auth_expired"),
        "auth_expired",
        None,
    ),
    (StandinAccount("weibo", "1000000000", "微博无内容", fault="empty"), "empty", None),
    (
        StandinAccount("wechat", "gh_00000000c0de", "公众号验证码", posts=make_posts(3), fault="captcha"),
        "blocked",
        "验证",
    ),
    (
        StandinAccount("wechat", "gh_000000200013", "公众号限频", posts=make_posts(3), fault="ret_200013"),
        "blocked",
        "200013",
    ),
    (
        StandinAccount("wechat", "gh_0000000a0e0d", "公众号会话", posts=make_posts(3), fault="auth_expired"),
        "auth_expired",
        "200003",
    ),
    (
        StandinAccount("wechat", "gh_00000000900e", "公众号注销", posts=make_posts(3), fault="gone"),
        "gone",
        "searchbiz",
    ),
    (StandinAccount("bilibili", "40400404", "B站注销", posts=make_posts(3), fault="gone"), "gone", "-404"),
    (
        StandinAccount("bilibili", "10100101", "B站未登录", posts=make_posts(3), fault="auth_expired"),
        "auth_expired",
        "-101",
    ),
    (
        StandinAccount(
            "douyin",
            "MS4wLjABAAAAslowslowslowslow01",
            "抖音慢",
            kind="rss",
            posts=make_posts(2),
            fault="slow",
        ),
        "error",
        "超时",
    ),
    (
        StandinAccount(
            "douyin",
            "MS4wLjABAAAAredirectprivate01",
            "抖音跳转",
            kind="rss",
            posts=make_posts(2),
            fault="redirect_private",
        ),
        "error",
        "内网",
    ),
    (
        StandinAccount(
            "kuaishou", "ks_truncated", "快手截断", kind="atom", posts=make_posts(2), fault="truncated"
        ),
        "error",
        "Feed",
    ),
    (
        StandinAccount("kuaishou", "ks_gone_feed", "快手注销", kind="rss", posts=make_posts(2), fault="gone"),
        "gone",
        "404",
    ),
    (
        StandinAccount(
            "toutiao", "4010401", "头条桥凭据", kind="json", posts=make_posts(2), fault="auth_expired"
        ),
        "auth_expired",
        "401",
    ),
    (StandinAccount("toutiao", "20000000", "头条无内容", kind="json", fault="empty"), "empty", None),
    (
        StandinAccount(
            "website", "captcha-site", "验证码网站", kind="html", posts=make_posts(2), fault="captcha"
        ),
        "blocked",
        "验证",
    ),
    (StandinAccount("website", "empty-site", "空列表网站", kind="html", fault="empty"), "empty", "暂无信息"),
]


@dataclass
class Faulted:
    db: str
    ids: dict[str, int]
    report: CrawlReport

    def outcome(self, key: str) -> dict[str, Any]:
        return next(r for r in self.report.results if r["account_id"] == self.ids[key])


@pytest.fixture(scope="module")
def faulted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Faulted]:
    db = str(tmp_path_factory.mktemp("faults") / "govmedia.db")
    small_registry(db)
    accounts = [case[0] for case in CASES]
    with StandinServer(accounts, slow_seconds=4) as server:
        ids = file_accounts(db, server, accounts, unit=PROVINCE)
        env = {**server.env(), "GOVMEDIA_CRAWL_TIMEOUT": "1", "GOVMEDIA_CRAWL_RETRIES": "1"}
        yield Faulted(db, ids, run_crawl(db, env=env))
    dispose_engines()


@pytest.mark.parametrize(("account", "outcome", "words"), CASES, ids=[c[0].key for c in CASES])
def test_fault_outcome(faulted: Faulted, account: StandinAccount, outcome: str, words: str | None) -> None:
    result = faulted.outcome(account.key)
    assert result["outcome"] == outcome, result
    if words:
        assert words in (result["detail"] or ""), result
    with session_scope(faulted.db) as s:
        attempts = account_attempts(s, faulted.ids[account.key])
        posts = account_posts(s, faulted.ids[account.key])
        snapshots = account_snapshots(s, faulted.ids[account.key])
    assert [a["outcome"] for a in attempts] == [outcome]
    if outcome == "ok":
        assert len(posts) == len(account.posts)
    else:  # a blocked or failed fetch is never stored as "no posts" (nor as posts)
        assert posts == {}
    if outcome not in ("ok", "empty"):
        assert snapshots == []
        assert attempts[0]["detail"]


@pytest.mark.parametrize(
    ("key", "status", "snippet"),
    [
        ("weibo-1000000432", 432, "Forbidden"),
        ("wechat-gh_00000000c0de", 200, "当前环境异常"),
        ("wechat-gh_000000200013", 200, "200013"),
        ("weibo-1000000100", 200, "-100"),
    ],
)
def test_evidence_is_stored(faulted: Faulted, key: str, status: int, snippet: str) -> None:
    with session_scope(faulted.db) as s:
        attempt = account_attempts(s, faulted.ids[key])[0]
    assert attempt["http_status"] == status
    assert snippet in attempt["snippet"]


def test_no_collector_is_an_error(tmp_path_factory: pytest.TempPathFactory) -> None:
    db = str(tmp_path_factory.mktemp("nocollector") / "govmedia.db")
    small_registry(db)
    douyin = StandinAccount("douyin", "MS4wLjABAAAAnofeedurl0000001", "无采集地址")  # native kind, no feed
    wechat = StandinAccount("wechat", "gh_00000000beef", "无凭据公众号")
    with StandinServer([douyin, wechat]) as server:
        ids = file_accounts(db, server, [douyin, wechat], unit=PROVINCE)
        env = {k: v for k, v in server.env().items() if "WECHAT_TOKEN" not in k}
        env["GOVMEDIA_WECHAT_TOKEN"] = ""
        report = run_crawl(db, env=env)
    outcomes = {r["account_id"]: r for r in report.results}
    assert outcomes[ids[douyin.key]]["outcome"] == "error"
    assert "采集地址" in outcomes[ids[douyin.key]]["detail"]
    assert outcomes[ids[wechat.key]]["outcome"] == "error"
    assert "GOVMEDIA_WECHAT_TOKEN" in outcomes[ids[wechat.key]]["detail"]
    dispose_engines()


def test_crawl_cli_json_and_exit_zero_when_blocked(cli, monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "govmedia.db")
    small_registry(db)
    fine = StandinAccount("weibo", "2000000001", "正常微博", posts=make_posts(2))
    blocked = StandinAccount("weibo", "2000000002", "被拦微博", posts=make_posts(2), fault="blocked_432")
    with StandinServer([fine, blocked]) as server:
        ids = file_accounts(db, server, [fine, blocked], unit=PROVINCE)
        for key, value in server.env().items():
            monkeypatch.setenv(key, value)
        result = cli(f"--db {db} crawl --platform weibo --format json")
        table = cli(f"--db {db} crawl --account {ids[blocked.key]}")
    assert result.code == 0, result
    rows = json.loads(result.out)
    assert [set(r) for r in rows] == [{"account_id", "outcome", "new_posts", "detail"}] * 2
    assert {r["account_id"]: (r["outcome"], r["new_posts"]) for r in rows} == {
        ids[fine.key]: ("ok", 2),
        ids[blocked.key]: ("blocked", 0),
    }
    assert table.code == 0, table
    assert "被平台拦截" in table.out and "HTTP 432" in table.out


def test_crawl_cli_unknown_account_is_one_line(cli) -> None:  # type: ignore[no-untyped-def]
    small_registry()
    result = cli("crawl --account 999")
    assert result.code == 2
    assert "999" in result.err and "Traceback" not in result.err


def test_response_size_cap(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "govmedia.db")
    small_registry(db)
    big = StandinAccount(
        "douyin", "MS4wLjABAAAAbigfeedbigfeed0001", "大订阅源", kind="rss", posts=make_posts(50)
    )
    small = StandinAccount(
        "douyin", "MS4wLjABAAAAsmallfeedsmall0001", "小订阅源", kind="rss", posts=make_posts(1)
    )
    with StandinServer([big, small]) as server:
        ids = file_accounts(db, server, [big, small], unit=PROVINCE)
        report = run_crawl(db, env={**server.env(), "GOVMEDIA_MAX_RESPONSE_BYTES": "4000"})
    outcomes = {r["account_id"]: r for r in report.results}
    assert outcomes[ids[big.key]]["outcome"] == "error"
    assert "大小上限" in outcomes[ids[big.key]]["detail"]
    assert outcomes[ids[small.key]]["outcome"] == "ok"
    dispose_engines()


def test_crawl_cli_bad_platform_is_one_line(cli) -> None:  # type: ignore[no-untyped-def]
    small_registry()
    result = cli("crawl --platform myspace")
    assert result.code == 2
    assert "myspace" in result.err and "Traceback" not in result.err


def test_platform_rename_is_noted(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "govmedia.db")
    small_registry(db)
    account = StandinAccount("weibo", "2000000099", "兰州发布", posts=make_posts(1))
    with StandinServer([account]) as server:
        ids = file_accounts(db, server, [account], unit=PROVINCE)
        account.name = "兰州发布2026"  # renamed on the platform after filing
        report = run_crawl(db, env=server.env())
    assert report.results[0]["outcome"] == "ok"
    assert "兰州发布2026" in report.results[0]["detail"] and "不一致" in report.results[0]["detail"]
    with session_scope(db) as s:
        assert account_snapshots(s, ids[account.key])[-1]["shown_name"] == "兰州发布2026"
    dispose_engines()
