"""Conformance: every recorded real sample in ../shared/fixtures/platforms is parsed by our
extractors and the extracted fields are checked (skipped when the folder is absent).

The samples are read, never copied into the project. A sample that no check covers fails
``test_every_sample_is_covered``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, TextResponse
from scrapy.settings import Settings

from spiders.collectors.bilibili import BilibiliCollector, dynamic_post
from spiders.collectors.feeds import parse_feed
from spiders.collectors.html import select
from spiders.collectors.signed import douyin_post, douyin_posts, toutiao_post
from spiders.collectors.wechat import WechatCollector, page_status, page_vars
from spiders.collectors.weibo import WeiboCollector
from spiders.items import AccountResult
from spiders.outcomes import Blocked, check_markers
from spiders.settings import settings_from_env

FETCHED = datetime(
    2026, 12, 1, 4, 0, tzinfo=UTC
)  # after every recorded payload: nothing is published after it was fetched


def sample(root: Path, name: str) -> Path:
    return root / name


def load(root: Path, name: str) -> Any:
    return json.loads(sample(root, name).read_text(encoding="utf-8"))


def settings() -> Settings:
    s = Settings()
    s.setdict(settings_from_env({"GOVMEDIA_WECHAT_TOKEN": "t", "GOVMEDIA_WECHAT_COOKIE": "c"}))
    return s


def response(body: bytes, url: str = "https://m.weibo.cn/api/container/getIndex") -> TextResponse:
    return TextResponse(url, body=body, encoding="utf-8", request=Request(url))


def run(platform: str = "weibo", platform_id: str = "1669879400", name: str = "x") -> dict[str, Any]:
    return {
        "job": {"account_id": 1, "platform": platform, "platform_id": platform_id, "name": name},
        "collector": platform,
        "posts": [],
        "snapshot": None,
        "notes": [],
        "queue": [],
        "fetched_at": FETCHED,
        "status": 200,
    }


def test_weibo_profile(shared_fixtures: Path) -> None:
    r = run()
    body = sample(shared_fixtures, "weibo/m_weibo_getIndex_type_uid_profile.json").read_bytes()
    out = list(WeiboCollector(settings()).parse_profile(response(body), r))
    assert r["snapshot"]["shown_name"] == "Dear-迪丽热巴"
    assert r["snapshot"]["followers"] == 63357736 and r["snapshot"]["verified"] is True
    assert r["containerid"] == "1076031669879400"
    assert "containerid=1076031669879400" in out[0].url


def test_weibo_post_list(shared_fixtures: Path) -> None:
    r = run()
    r["fetched_at"] = datetime(2019, 6, 16, 4, 0, tzinfo=UTC)  # the day the page was recorded
    r["containerid"], r["page"] = "1076031669879400", 1
    body = sample(
        shared_fixtures, "weibo/m_weibo_getIndex_containerid_107603_page2_trimmed.json"
    ).read_bytes()
    out = list(WeiboCollector(settings()).parse_list(response(body), r))
    assert isinstance(out[-1], AccountResult) and out[-1].outcome == "ok"
    original, repost, counted = r["posts"]
    assert original["post_id"] == "4383183661430868" and original["is_repost"] is False
    assert original["text"].startswith("搬完这块砖") and "[偷笑]" in original["text"]
    assert repost["is_repost"] is True and repost["source"] == "代斯daisy"
    assert counted["reposts"] == 1_000_000 and counted["extra"]["approx_counts"] == ["reposts"]
    # "06-14" has no year: resolved against the fetch time and flagged approximate
    assert original["published_approx"] is True
    assert original["published_at"] == datetime(2019, 6, 13, 16, 0, tzinfo=UTC)


def test_weibo_long_text(shared_fixtures: Path) -> None:
    r = run()
    r["posts"] = [{"post_id": "4383487819465288", "text": "short", "title": "short"}]
    r["current"] = "4383487819465288"
    body = sample(shared_fixtures, "weibo/m_weibo_statuses_extend_longtext.json").read_bytes()
    list(
        WeiboCollector(settings()).parse_longtext(
            response(body, "https://m.weibo.cn/statuses/extend?id=1"), r
        )
    )
    assert len(r["posts"][0]["text"]) > 500 and "Nature" in r["posts"][0]["text"]


@pytest.mark.parametrize(
    ("name", "path", "source", "exact"),
    [
        (
            "weibo/m_weibo_statuses_show.json",
            ("data",),
            "upupming",
            datetime(2019, 6, 15, 3, 44, 46, tzinfo=UTC),
        ),
        (
            "weibo/weibo_com_ajax_statuses_list_trimmed.json",
            ("data", "list", 0),
            "环球时报",
            datetime(2017, 2, 1, 3, 39, 58, tzinfo=UTC),
        ),
    ],
)
def test_weibo_single_status(
    shared_fixtures: Path, name: str, path: tuple[Any, ...], source: str, exact: datetime
) -> None:
    mblog = load(shared_fixtures, name)
    for key in path:
        mblog = mblog[key]
    post = WeiboCollector(settings()).post(mblog, run(), pinned=False)
    assert post["is_repost"] is True and post["source"] == source
    assert post["published_at"] == exact and post["published_approx"] is False
    assert post["text"]


def test_wechat_list_ex_items(shared_fixtures: Path) -> None:
    lines = (
        sample(shared_fixtures, "wechat/appmsg_list_ex_items.jsonl").read_text(encoding="utf-8").splitlines()
    )
    r = run("wechat", "MjM5MDQ4MzU5NQ==")
    collector = WechatCollector(settings())
    for line in lines:
        collector._add(r, json.loads(line), None)
    assert len(r["posts"]) == len(lines) == 5
    first = r["posts"][0]
    assert first["post_id"] == "2659017567_1" and first["title"].startswith("iPhone 12")
    assert first["published_at"] == datetime.fromtimestamp(1604670946, UTC)
    assert first["is_repost"] is None  # list_ex has no copyright_stat: the article page decides
    assert all(p["url"].startswith("http://mp.weixin.qq.com/s?__biz=") for p in r["posts"])
    assert [step for step, _u, _k in r["queue"]] == ["article"] * 5
    assert r["queue"][0][1].startswith("https://mp.weixin.qq.com/s?__biz=MjM5MDQ4MzU5NQ==")


def test_wechat_getmsg_copyright_values(shared_fixtures: Path) -> None:
    from spiders.collectors.wechat import ORIGINAL, REPRINTS

    stats = []
    for line in sample(shared_fixtures, "wechat/profile_ext_getmsg_items.jsonl").read_text().splitlines():
        msg = json.loads(line)
        ext = msg["app_msg_ext_info"]
        stats += [ext["copyright_stat"], *[m["copyright_stat"] for m in ext["multi_app_msg_item_list"]]]
    assert {11, 100, 101}.issubset(stats)
    assert ORIGINAL == 11 and 101 in REPRINTS and 100 not in REPRINTS


@pytest.mark.parametrize(
    ("name", "stat", "source", "ct"),
    [
        ("wechat/article_2018_gongchandangyuan.html", "0", "", "1521515999"),
        ("wechat/article_2018_original_copyright.html", "1", "", "1523110915"),
        ("wechat/modern_2025_article_normal_trimmed.html", "0", "", "1762747210"),
        ("wechat/modern_2025_article_share_trimmed.html", "2", "gh_05f192fce051", "1762819606"),
        ("wechat/modern_2025_text_share_trimmed.html", None, None, "1759817591"),
        ("wechat/modern_2025_image_share_trimmed.html", None, None, "1762338600"),
    ],
)
def test_wechat_article_pages(
    shared_fixtures: Path, name: str, stat: str | None, source: str | None, ct: str
) -> None:
    text = sample(shared_fixtures, name).read_text(encoding="utf-8")
    values = page_vars(text)
    assert values.get("_copyright_stat") == stat
    assert values.get("source_username") == source
    assert values["ct"] == ct
    assert page_status(text) is None
    check_markers(text)  # a real article is not a captcha page


def test_wechat_article_page_sets_repost_source(shared_fixtures: Path) -> None:
    r = run("wechat", "MzI2NDk5NzA0Mw==")
    r["posts"] = [
        {
            "post_id": "a",
            "published_at": None,
            "published_approx": False,
            "is_repost": None,
            "source": None,
            "extra": {},
        }
    ]
    r["current"] = "a"
    body = sample(shared_fixtures, "wechat/modern_2025_article_share_trimmed.html").read_bytes()
    list(WechatCollector(settings()).parse_article(HtmlResponse("https://mp.weixin.qq.com/s", body=body), r))
    post = r["posts"][0]
    assert post["is_repost"] is True and post["source"] == "gh_05f192fce051"
    assert post["published_at"] == datetime.fromtimestamp(1762819606, UTC)
    assert r["snapshot"]["shown_name"] == "36氪"


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("wechat/modern_2025_deleted_by_author.html", "deleted"),
        ("wechat/modern_2025_content_violation.html", "violation"),
        ("wechat/modern_2025_temporarily_unavailable.html", "unavailable"),
        ("wechat/article_expired.html", "expired"),
        ("wechat/aboutbiz_shanghai_federation_of_trade_unions.html", None),
        ("wechat/aboutbiz_with_rename_history.html", None),
        ("wechat/aboutbiz_public_institution_school.html", None),
        ("wechat/search_sogou_weixin_type1_gaokao_2017.html", None),
    ],
)
def test_wechat_status_pages(shared_fixtures: Path, name: str, status: str | None) -> None:
    text = sample(shared_fixtures, name).read_text(encoding="utf-8")
    assert page_status(text) == status


def test_captcha_page_is_blocked(shared_fixtures: Path) -> None:
    text = sample(shared_fixtures, "wechat/search_sogou_antispider_captcha_2017.html").read_text(
        encoding="utf-8"
    )
    with pytest.raises(Blocked):
        check_markers(text)


@pytest.mark.parametrize(
    "name",
    [
        "wechat/search_searchbiz_keyword_exporter_sample.json",
        "wechat/search_searchbiz_byurl_exporter_sample.json",
    ],
)
def test_wechat_searchbiz(shared_fixtures: Path, name: str) -> None:
    payload = load(shared_fixtures, name)
    target = payload["list"][0]
    r = run("wechat", "gh_0123456789ab", target["nickname"])
    body = json.dumps(payload, ensure_ascii=False).encode()
    out = list(
        WechatCollector(settings()).parse_search(
            response(body, "https://mp.weixin.qq.com/cgi-bin/searchbiz"), r
        )
    )
    assert r["fakeid"] == target["fakeid"]
    assert r["snapshot"]["verified"] is (target["verify_status"] > 0)
    assert f"fakeid={target['fakeid'].replace('=', '%3D')}" in out[0].url


def test_bilibili_card_videos_stat(shared_fixtures: Path) -> None:
    collector = BilibiliCollector(settings())
    r = run("bilibili", "2")
    card = sample(shared_fixtures, "bilibili/x_space_wbi_acc_info.json").read_bytes()
    list(collector.parse_card(response(card, "https://api.bilibili.com/x/space/wbi/acc/info"), r))
    assert r["snapshot"]["shown_name"] == "碧诗" and r["snapshot"]["verified"] is True
    videos = sample(shared_fixtures, "bilibili/x_space_arc_search.json").read_bytes()
    list(collector.parse_videos(response(videos, "https://api.bilibili.com/x/space/wbi/arc/search"), r))
    first = r["posts"][0]
    assert first["post_id"] == "BV1ac5yzhE94" and first["is_repost"] is False
    assert first["reads"] == 224185 and first["published_at"] == datetime.fromtimestamp(1745290800, UTC)
    stat = sample(shared_fixtures, "bilibili/x_relation_stat.json").read_bytes()
    list(collector.parse_stat(response(stat, "https://api.bilibili.com/x/relation/stat"), r))
    assert r["snapshot"]["followers"] == 919515
    upstat = load(shared_fixtures, "bilibili/x_space_upstat.json")
    assert upstat["code"] == 0 and upstat["data"]["likes"] > 0


def test_bilibili_dynamics(shared_fixtures: Path) -> None:
    payload = load(shared_fixtures, "bilibili/x_polymer_web_dynamic_feed_space_trimmed.json")
    draw, video, forward = (dynamic_post(item, run("bilibili", "1")) for item in payload["data"]["items"])
    assert draw is not None and video is not None and forward is not None
    assert draw["pinned"] is True and draw["text"].startswith("Lorem ipsum")
    assert video["post_id"] == "BV1HUVnz7EX1" and video["title"] == "来自阿洛娜的权威"
    assert forward["is_repost"] is True and forward["source"]
    assert forward["published_at"] == datetime.fromtimestamp(1743421978, UTC)
    item = load(shared_fixtures, "bilibili/search_type_bili_user_item.json")
    assert "official_verify" in item and item["type"] == "bili_user"


def test_douyin_items_and_bad_signature(shared_fixtures: Path) -> None:
    items = load(shared_fixtures, "douyin/aweme_post_items_filtered.json")
    post = douyin_post(items[0], fetched_at=FETCHED)
    assert post["post_id"] == "6826943630775831812" and post["likes"] == 511928
    assert post["published_at"] == datetime.fromtimestamp(1589541629, UTC) and post["pinned"] is False
    with pytest.raises(Blocked):
        douyin_posts(
            load(shared_fixtures, "douyin/aweme_post_empty_bad_signature_2018.json"), fetched_at=FETCHED
        )


def test_toutiao_items(shared_fixtures: Path) -> None:
    pinned, other = (
        toutiao_post(i, fetched_at=FETCHED)
        for i in load(shared_fixtures, "toutiao/legacy_2017_app_feed_items.json")
    )
    assert pinned["pinned"] is True and other["pinned"] is False
    assert pinned["reads"] == 2746612 and pinned["post_id"] == "6442416232502214913"
    assert other["published_at"] == datetime.fromtimestamp(1500049714, UTC)


def test_rsshub_feed(shared_fixtures: Path) -> None:
    body = sample(shared_fixtures, "rss/rsshub_weibo_user_1935396210.xml").read_bytes()
    posts, title = parse_feed(body, run())
    assert title == "少年JUMP吧的微博" and len(posts) == 2
    assert all(p["post_id"].startswith("https://weibo.com/1935396210/") for p in posts)
    assert all(p["published_at"] is not None and p["published_approx"] is False for p in posts)
    assert posts[0]["text"].startswith("『致不灭的你』")


def test_gov_article_meta_with_selectors(shared_fixtures: Path) -> None:
    from parsel import Selector

    text = sample(shared_fixtures, "gov_website/baoding_gov_article_2021.html").read_text(encoding="utf-8")
    page = Selector(text=text)
    assert select(page, "meta[name=PubDate]::attr(content)") == ["2021-04-09 10:21"]
    assert select(page, "//meta[@name='ArticleTitle']/@content")[0].startswith("保定市人民政府网")


def test_every_sample_is_covered(shared_fixtures: Path) -> None:
    """Order-independent: every sample's path must be named by a check in this file."""
    source = Path(__file__).read_text(encoding="utf-8")
    every = {
        str(p.relative_to(shared_fixtures))
        for p in shared_fixtures.rglob("*")
        if p.is_file() and p.name != "SOURCES.md"
    }
    missing = {name for name in every if f'"{name}"' not in source}
    assert not missing, f"samples without a conformance check: {sorted(missing)}"
