"""Each collector for real: ``govmedia crawl``'s library function runs Scrapy in a subprocess
against the stand-in server (payloads in the platforms' shapes), and we read back what was
stored through ``registry``."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from registry.collection.queries import account_attempts, account_posts, account_snapshots
from registry.db import dispose_engines, session_scope
from spiders.crawl import CrawlReport, run_crawl
from spiders.standin import StandinAccount, StandinServer, file_accounts, make_posts
from tests.factories import PROVINCE, small_registry

NOW = datetime.now(UTC)


def _accounts() -> list[StandinAccount]:
    weibo_posts = make_posts(12, prefix="48", reposts=2)
    weibo_posts[0].pinned = True
    weibo_posts[0].published_at = NOW - timedelta(days=40)  # an old pinned post, listed first
    weibo_posts[1].long_text = True
    weibo_posts[1].text = "长微博：" + "全面推进政务公开标准化规范化建设。" * 8
    weibo_posts[2].counts = {"reposts": "100万+", "comments": "1.2万", "likes": 5}
    weibo_posts[11].source = None  # a repost whose original was deleted
    wechat_posts = make_posts(4, prefix="wx", reposts=1, source="gh_5f1e2d3c4b5a")
    wechat_posts[1].status = "deleted"
    fallback_posts = make_posts(3, prefix="wy", reposts=1, source="gh_0a0b0c0d0e0f")
    bili_posts = make_posts(4, prefix="bl", reposts=1, source="共青团中央")
    bili_posts[0].pinned = True
    return [
        StandinAccount("weibo", "2803301701", "甘肃发布", posts=weibo_posts, followers=1_200_000),
        StandinAccount("wechat", "gh_0123456789ab", "甘肃政务", posts=wechat_posts),
        StandinAccount("wechat", "MzA5NzQ0MzQ1MQ==", "兰州发布", posts=fallback_posts, fault="no_publish"),
        StandinAccount("bilibili", "12345678", "甘肃共青团", posts=bili_posts, followers=919515),
        StandinAccount(
            "douyin",
            "MS4wLjABAAAAgansufabu0123456789",
            "甘肃发布抖音",
            kind="rss",
            posts=make_posts(3, prefix="dy", reposts=1, source="人民日报"),
        ),
        StandinAccount(
            "kuaishou", "gansu_fabu", "甘肃发布快手", kind="atom", posts=make_posts(2, prefix="ks")
        ),
        StandinAccount(
            "toutiao", "1234567890", "甘肃发布头条", kind="json", posts=make_posts(2, prefix="tt")
        ),
        StandinAccount(
            "website", "gansu-gov", "甘肃省人民政府网", kind="html", posts=make_posts(3, prefix="gov")
        ),
    ]


@dataclass
class Crawled:
    db: str
    ids: dict[str, int]
    accounts: dict[str, StandinAccount]
    report: CrawlReport
    server: StandinServer

    def posts(self, key: str) -> dict[str, dict[str, Any]]:
        with session_scope(self.db) as s:
            return account_posts(s, self.ids[key])

    def result(self, key: str) -> dict[str, Any]:
        return next(r for r in self.report.results if r["account_id"] == self.ids[key])


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawled]:
    db = str(tmp_path_factory.mktemp("collectors") / "govmedia.db")
    small_registry(db)
    accounts = _accounts()
    with StandinServer(accounts) as server:
        ids = file_accounts(db, server, accounts, unit=PROVINCE)
        env = {**server.env(), "GOVMEDIA_WEIBO_MAX_PAGES": "2"}
        report = run_crawl(db, env=env)
        yield Crawled(db, ids, {a.key: a for a in accounts}, report, server)
    dispose_engines()


def test_every_account_has_one_ok_outcome(crawled: Crawled) -> None:
    assert [r["account_id"] for r in crawled.report.results] == sorted(crawled.ids.values())
    assert {r["outcome"] for r in crawled.report.results} == {"ok"}, crawled.report.results
    assert crawled.report.returncode == 0


def test_weibo_profile_pages_reposts_pinned_long_text(crawled: Crawled) -> None:
    posts = crawled.posts("weibo-2803301701")
    assert len(posts) == 12 and crawled.result("weibo-2803301701")["new_posts"] == 12
    pinned = posts["48000000"]
    assert pinned["pinned"] is True
    long_post = posts["48000001"]
    assert long_post["text"].startswith("长微博：") and long_post["text"].count("全面推进") == 8
    assert "全文" not in long_post["text"]
    assert posts["48000010"]["is_repost"] is True and posts["48000010"]["source"] == "人民日报"
    assert posts["48000011"]["is_repost"] is True and posts["48000011"]["source"] is None
    assert posts["48000011"]["extra"]["original_deleted"] is True
    assert posts["48000003"]["is_repost"] is False
    counted = posts["48000002"]
    assert (counted["reposts"], counted["comments"], counted["likes"]) == (1_000_000, 12_000, 5)
    assert counted["extra"]["approx_counts"] == ["reposts", "comments"]
    # mobile lists give relative times: resolved against the fetch time, flagged approximate
    recent = posts["48000003"]
    assert recent["published_approx"] is True
    expected = crawled.accounts["weibo-2803301701"].posts[3].published_at
    assert abs(recent["published_at"] - expected) < timedelta(hours=1)  # "N小时前" is hour-precise
    with session_scope(crawled.db) as s:
        snap = account_snapshots(s, crawled.ids["weibo-2803301701"])[-1]
    assert (snap["shown_name"], snap["followers"], snap["verified"]) == ("甘肃发布", 1_200_000, True)


def test_wechat_publish_list_and_article_pages(crawled: Crawled) -> None:
    posts = crawled.posts("wechat-gh_0123456789ab")
    assert len(posts) == 4
    repost = next(p for p in posts.values() if p["is_repost"])
    assert repost["source"] == "gh_5f1e2d3c4b5a"  # from the article page's source_username
    assert repost["extra"]["copyright_stat"] == 101 and repost["extra"]["page_copyright_stat"] == "2"
    originals = [p for p in posts.values() if p["is_repost"] is False]
    assert len(originals) == 3 and all(p["extra"]["copyright_stat"] == 11 for p in originals)
    deleted = [p for p in posts.values() if (p["extra"] or {}).get("status") == "deleted"]
    assert len(deleted) == 1
    assert all(p["published_approx"] is False for p in posts.values())
    with session_scope(crawled.db) as s:
        snap = account_snapshots(s, crawled.ids["wechat-gh_0123456789ab"])[-1]
    assert snap["shown_name"] == "甘肃政务" and snap["verified"] is True
    assert crawled.server.hits["/wechat/cgi-bin/searchbiz"] >= 1


def test_wechat_falls_back_to_list_ex_and_reads_article_flags(crawled: Crawled) -> None:
    key = "wechat-MzA5NzQ0MzQ1MQ=="
    posts = crawled.posts(key)
    assert len(posts) == 3
    assert "list_ex" in (crawled.result(key)["detail"] or "")
    flags = sorted((p["is_repost"], p["source"]) for p in posts.values())
    assert flags == [(False, None), (False, None), (True, "gh_0a0b0c0d0e0f")]
    assert all("copyright_type" in p["extra"] for p in posts.values())


def test_bilibili_videos_dynamics_followers(crawled: Crawled) -> None:
    posts = crawled.posts("bilibili-12345678")
    videos = [p for p in posts.values() if p["extra"]["kind"] == "video"]
    assert len(videos) == 2  # the repost and the pinned post are dynamics only
    forward = next(p for p in posts.values() if p["extra"]["kind"] == "DYNAMIC_TYPE_FORWARD")
    assert forward["is_repost"] is True and forward["source"] == "共青团中央"
    pinned = next(p for p in posts.values() if p["extra"]["kind"] == "DYNAMIC_TYPE_DRAW")
    assert pinned["pinned"] is True
    assert len(posts) == 4  # video dynamics are the same posts as the videos
    with session_scope(crawled.db) as s:
        snap = account_snapshots(s, crawled.ids["bilibili-12345678"])[-1]
    assert snap["followers"] == 919515 and snap["verified"] is True


@pytest.mark.parametrize(
    "key", ["douyin-MS4wLjABAAAAgansufabu0123456789", "kuaishou-gansu_fabu", "toutiao-1234567890"]
)
def test_feeds_rss_atom_json(crawled: Crawled, key: str) -> None:
    account = crawled.accounts[key]
    posts = crawled.posts(key)
    assert len(posts) == len(account.posts)
    for original in account.posts:
        stored = next(p for p in posts.values() if p["post_id"].endswith(original.post_id))
        assert stored["title"] == original.title
        assert stored["text"].startswith(original.text)
        assert abs(stored["published_at"] - original.published_at) < timedelta(seconds=1)
        assert stored["is_repost"] is (True if original.is_repost else None)
        assert stored["source"] == original.source


def test_html_list_page_with_selectors(crawled: Crawled) -> None:
    posts = crawled.posts("website-gansu-gov")
    assert len(posts) == 3
    for post in posts.values():
        assert post["url"].startswith(crawled.server.base_url + "/art/")
        assert post["title"].startswith("【政务动态】")
        assert post["published_at"] is not None


def test_recrawl_never_duplicates(crawled: Crawled) -> None:
    before = {key: len(crawled.posts(key)) for key in crawled.ids}
    report = run_crawl(
        crawled.db,
        account_ids=[crawled.ids["weibo-2803301701"], crawled.ids["website-gansu-gov"]],
        env={**crawled.server.env(), "GOVMEDIA_WEIBO_MAX_PAGES": "2"},
    )
    assert [r["new_posts"] for r in report.results] == [0, 0]
    assert {key: len(crawled.posts(key)) for key in crawled.ids} == before
    with session_scope(crawled.db) as s:
        attempts = account_attempts(s, crawled.ids["weibo-2803301701"])
    assert [a["outcome"] for a in attempts] == ["ok", "ok"]
    assert attempts[-1]["crawl_id"] == report.crawl_id
