"""``govmedia post list`` and ``govmedia post import``: JSON keys, --since, idempotent
all-or-nothing import with row errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.factories import CITY, PROVINCE, active_account, small_registry

HEADER = "account,post_id,published_at,title,text,url,is_repost,source\n"


@pytest.fixture
def accounts() -> tuple[int, int]:
    small_registry()
    weibo = active_account(None, unit=PROVINCE, platform="weibo", name="甘肃发布", platform_id="2803301701")
    wechat = active_account(
        None, unit=CITY, platform="wechat", name="兰州发布", platform_id="gh_0123456789ab"
    )
    return weibo, wechat


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_import_csv_then_list_json(cli, accounts, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    weibo, wechat = accounts
    csv = write(
        tmp_path / "posts.csv",
        HEADER
        + f"{weibo},m1,2026-11-20 09:30,标题一,正文一,https://m.weibo.cn/detail/m1,否,\n"
        + "weibo:2803301701,m2,2026-11-22T08:00:00+08:00,,转发内容,,是,人民日报\n"
        + "微信公众号:gh_0123456789ab,a1,2026-11-21,文章,正文,,,\n",
    )
    first = cli(f"post import {csv}")
    assert first.code == 0, first
    assert "3 行" in first.out and "新增内容 3 条" in first.out
    again = cli(f"post import {csv}")
    assert again.code == 0 and "新增内容 0 条" in again.out
    listed = cli(f"post list --account {weibo} --format json")
    rows = json.loads(listed.out)
    assert [set(r) for r in rows] == [
        {
            "post_id",
            "published_at",
            "published_latest",
            "published_approx",
            "title",
            "text",
            "url",
            "is_repost",
            "source",
        }
    ] * 2
    assert [r["post_id"] for r in rows] == ["m2", "m1"]  # newest first
    assert rows[0]["published_at"] == "2026-11-22T08:00:00+08:00"
    assert rows[0]["is_repost"] is True and rows[0]["source"] == "人民日报"
    assert rows[1]["is_repost"] is False and rows[1]["published_at"] == "2026-11-20T09:30:00+08:00"
    since = json.loads(cli(f"post list --account {weibo} --since 2026-11-21 --format json").out)
    assert [r["post_id"] for r in since] == ["m2"]
    other = json.loads(cli(f"post list --account {wechat} --format json").out)
    assert [r["post_id"] for r in other] == ["a1"] and other[0]["is_repost"] is None


def test_import_jsonl(cli, accounts, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    weibo, _ = accounts
    lines = [
        {
            "account": str(weibo),
            "post_id": "j1",
            "published_at": "2026-11-23 08:00",
            "title": "t",
            "text": "x",
            "url": None,
            "is_repost": False,
            "source": None,
        }
    ]
    path = write(tmp_path / "posts.jsonl", "\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n")
    result = cli(f"post import {path}")
    assert result.code == 0, result
    table = cli(f"post list --account {weibo}")
    assert "j1" in table.out and "2026-11-23 08:00" in table.out


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        ("999,m1,2026-11-20,,,,,", "account", "找不到该账号"),
        ("weibo:000,m1,2026-11-20,,,,,", "account", "找不到该账号"),
        ("{weibo},,2026-11-20,,,,,", "post_id", "必填"),
        ("{weibo},m1,,,,,,", "published_at", "必填"),
        ("{weibo},m1,昨天,,,,,", "published_at", "应为北京时间"),
        ("{weibo},m1,2026-11-20,,,,也许,", "is_repost", "应为 是/否"),
    ],
)
def test_row_errors_write_nothing(
    cli,
    accounts,
    tmp_path: Path,
    row: str,
    column: str,  # type: ignore[no-untyped-def]
    reason: str,
) -> None:
    weibo, _ = accounts
    good = f"{weibo},ok1,2026-11-20,,,,,\n"
    path = write(tmp_path / "bad.csv", HEADER + good + row.format(weibo=weibo) + "\n")
    result = cli(f"post import {path}")
    assert result.code == 2
    assert "第3行" in result.err and f"列「{column}」" in result.err and reason in result.err
    assert "Traceback" not in result.err
    assert json.loads(cli(f"post list --account {weibo} --format json").out) == []  # not even the good row


def test_duplicate_rows_and_bad_files(cli, accounts, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    weibo, _ = accounts
    dup = write(tmp_path / "dup.csv", HEADER + f"{weibo},m1,2026-11-20,,,,,\n{weibo},m1,2026-11-21,,,,,\n")
    result = cli(f"post import {dup}")
    assert result.code == 2 and "与第2行重复" in result.err
    broken = write(tmp_path / "broken.jsonl", '{"account": "1", "post_id": "x"\n')
    result = cli(f"post import {broken}")
    assert result.code == 2 and "第1行" in result.err and "JSON" in result.err
    assert cli(f"post import {tmp_path / 'posts.xlsx'}").code == 2
    header = write(tmp_path / "header.csv", "post_id,title\nx,y\n")
    result = cli(f"post import {header}")
    assert result.code == 2 and "缺少必需的列「账号、发布时间」" in result.err


def test_post_list_unknown_account(cli, accounts) -> None:  # type: ignore[no-untyped-def]
    result = cli("post list --account 999")
    assert result.code == 2 and "999" in result.err


def _attempts(account_id: int) -> list[tuple[str, str, str]]:
    from sqlalchemy import select

    from registry.collection.models import CrawlAttempt
    from registry.db import session_scope
    from registry.timeutil import local_iso

    with session_scope(None) as s:
        rows = s.execute(
            select(CrawlAttempt.source, CrawlAttempt.outcome, CrawlAttempt.at).where(
                CrawlAttempt.account_id == account_id
            )
        )
        return [(src, outcome, local_iso(at) or "") for src, outcome, at in rows]


def test_import_without_as_of_records_no_collection(cli, accounts, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    weibo, _ = accounts
    csv = write(tmp_path / "archive.csv", HEADER + f"{weibo},m1,2026-10-01 09:30,旧文,正文,,,\n")
    r = cli(f"post import {csv}")
    assert r.code == 0 and "未记为采集" in r.out
    assert _attempts(weibo) == []  # an archive proves activity, never silence


def test_import_as_of_records_a_collection_at_that_moment(cli, accounts, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    weibo, _ = accounts
    csv = write(tmp_path / "check.csv", HEADER + f"{weibo},m1,2026-11-03,人工核查,正文,,,\n")
    r = cli(["post", "import", str(csv), "--as-of", "2026-11-23 10:00"])
    assert r.code == 0 and "2026-11-23 10:00 采集成功" in r.out, r
    assert _attempts(weibo) == [("import", "ok", "2026-11-23T10:00:00+08:00")]
    [post] = json.loads(cli(f"post list --account {weibo} --format json").out)
    # a date without a clock covers the whole day
    assert post["published_at"] == "2026-11-03T00:00:00+08:00"
    assert post["published_latest"] == "2026-11-03T23:59:59+08:00" and post["published_approx"] is True


@pytest.mark.parametrize(
    ("as_of", "row_time", "message"),
    [
        ("2099-01-01 00:00", "2026-11-03 09:00", "不能晚于现在"),
        ("2026-11-01 00:00", "2026-11-03 09:00", "晚于 --as-of"),
        ("11月", "2026-11-03 09:00", "--as-of"),
    ],
)
def test_bad_as_of_is_refused(cli, accounts, tmp_path: Path, as_of: str, row_time: str, message: str) -> None:  # type: ignore[no-untyped-def]
    weibo, _ = accounts
    csv = write(tmp_path / "bad.csv", HEADER + f"{weibo},m1,{row_time},标题,正文,,,\n")
    r = cli(["post", "import", str(csv), "--as-of", as_of])
    assert r.code == 2 and message in r.err, r
    assert _attempts(weibo) == []


def test_the_latest_attempt_is_the_latest_in_time(accounts) -> None:  # type: ignore[no-untyped-def]
    """An import --as-of an earlier moment, recorded after a later crawl, is not the latest."""
    from datetime import UTC, datetime

    from registry.collection import store
    from registry.collection.activity import collection_activity
    from registry.db import session_scope

    weibo, _ = accounts
    t = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    with session_scope(None) as s:
        store.record_attempt(s, account_id=weibo, outcome="blocked", at=t)
        store.record_attempt(s, account_id=weibo, outcome="ok", source="import", at=t.replace(day=20))
    with session_scope(None) as s:
        activity = collection_activity(s, until=t.replace(day=30))[weibo]
    assert activity.last_outcome == "blocked" and activity.last_attempt == t
    assert activity.last_success == t.replace(day=20)


def test_a_later_exact_time_replaces_the_span(any_db: str) -> None:
    from datetime import UTC, datetime, timedelta

    from registry.collection import store
    from registry.collection.activity import last_posts
    from registry.db import session_scope

    small_registry(any_db)
    weibo = active_account(any_db, unit=PROVINCE, platform="weibo", name="甘肃发布", platform_id="2803301701")
    day = datetime(2026, 11, 8, 16, 0, tzinfo=UTC)  # 2026-11-09 00:00 in Beijing
    span = {
        "post_id": "p",
        "published_at": day,
        "published_latest": day + timedelta(days=1),
        "published_approx": True,
    }
    until = day + timedelta(days=20)
    with session_scope(any_db) as s:
        store.upsert_posts(s, weibo, [span])
    with session_scope(any_db) as s:
        last = last_posts(s, until=until)[weibo]
        assert last.at == day + timedelta(days=1) and last.approximate and last.earliest == day
        assert last_posts(s, until=day + timedelta(hours=5))[weibo].at == day + timedelta(hours=5)
        store.upsert_posts(s, weibo, [{**span, "published_at": day + timedelta(hours=1)}])  # re-seen: kept
    with session_scope(any_db) as s:
        assert last_posts(s, until=until)[weibo].earliest == day
        exact = day + timedelta(hours=14, minutes=6)
        store.upsert_posts(s, weibo, [{"post_id": "p", "published_at": exact, "published_approx": False}])
    with session_scope(any_db) as s:
        last = last_posts(s, until=until)[weibo]
        assert (last.at, last.earliest, last.approximate) == (exact, exact, False)


def test_the_newest_post_prefers_an_exact_time_on_a_tie(any_db: str) -> None:
    """Of two posts whose latest moment is the same, the one published at that exact moment is
    the account's newest (not the one whose day only reaches it); on SQLite the one-pass query
    over the covering index gives what the portable query gives."""
    from datetime import UTC, datetime, timedelta

    from registry.collection import store
    from registry.collection.activity import last_posts
    from registry.db import session_scope

    small_registry(any_db)
    weibo = active_account(any_db, unit=PROVINCE, platform="weibo", name="甘肃发布", platform_id="2803301701")
    other = active_account(
        any_db, unit=PROVINCE, platform="bilibili", name="甘肃发布", platform_id="81000001"
    )
    day = datetime(2026, 11, 8, 16, 0, tzinfo=UTC)
    end = day + timedelta(days=1)
    span = {"published_at": day, "published_latest": end, "published_approx": True}
    with session_scope(any_db) as s:
        store.upsert_posts(s, weibo, [{"post_id": "day", **span}, {"post_id": "exact", "published_at": end}])
        store.upsert_posts(s, other, [{"post_id": "exact", "published_at": end}, {"post_id": "day", **span}])
        store.upsert_posts(s, other, [{"post_id": "older", "published_at": day - timedelta(days=3)}])
    with session_scope(any_db) as s:
        found = last_posts(s, until=end + timedelta(days=5))
        only = last_posts(s, until=end + timedelta(days=5), account_ids=[other])
        before = last_posts(s, until=day + timedelta(hours=1))
    for last in (found[weibo], found[other], only[other]):
        assert (last.at, last.approximate, last.earliest) == (end, False, end)
    assert set(only) == {other}
    assert (before[weibo].at, before[weibo].approximate) == (day + timedelta(hours=1), True)  # cut at until
    assert before[other].at == day + timedelta(hours=1)
