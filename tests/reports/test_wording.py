"""Truth tables for the words the circular, its annex and the notices print: account names,
quotation marks, whole days, dates, each rule's description from its stored figures, the
basis the opening cites and the 发文字号 pattern."""

from __future__ import annotations

import pytest

from reports.notices import NoticeItem, item_text
from reports.problems import collection_detail, short_link
from reports.settings import CircularSettings, check_doc_no, cite
from reports.wording import account_title, describe, local_day, names_list, quote, span, whole_days


@pytest.mark.parametrize(
    ("unit", "name", "platform", "expected"),
    [
        ("兰州市人民政府", "兰州发布", "新浪微博", "兰州市人民政府“兰州发布”新浪微博账号"),
        ("兰州市人民政府", "兰州发布", "微信公众号", "兰州市人民政府“兰州发布”微信公众号"),
        ("甘肃省人民政府", "甘肃省人民政府门户网站", "网站", "甘肃省人民政府“甘肃省人民政府门户网站”网站"),
        ("某县人民政府", "掌上某县", "移动客户端", "某县人民政府“掌上某县”移动客户端"),
        ("某局", "某局「发布」", "抖音", "某局“某局‘发布’”抖音账号"),
    ],
)
def test_an_account_is_named_with_its_unit_and_platform(
    unit: str, name: str, platform: str, expected: str
) -> None:
    assert account_title(unit, name, platform) == expected


@pytest.mark.parametrize(
    ("titles", "total", "expected"),
    [
        (["甲"], 1, "甲"),
        (["甲", "乙", "丙"], 3, "甲、乙、丙"),
        (["甲", "乙", "丙", "丁", "戊"], 5, "甲、乙、丙、丁、戊"),
        (["甲", "乙", "丙", "丁", "戊", "己"], 6, "甲、乙、丙、丁、戊等6个账号"),
        (["甲", "乙", "丙", "丁", "戊", "己"], 43, "甲、乙、丙、丁、戊等43个账号"),
    ],
)
def test_a_list_of_names_counts_the_accounts_of_its_sentence(
    titles: list[str], total: int, expected: str
) -> None:
    assert names_list(titles, total) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(35.13, 35), (35.99, 35), (14.0, 14), (0.4, 0), ("13.5", 13), (None, None), ("x", None)],
)
def test_durations_are_whole_days(value: object, expected: int | None) -> None:
    assert whole_days(value) == expected


@pytest.mark.parametrize(("days", "expected"), [(14, "2周"), (7, "1周"), (10, "10天"), (14.5, "14.5天")])
def test_a_rules_period_in_its_own_words(days: float, expected: str) -> None:
    assert span(days) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-10-28T00:00:00+08:00", "2026年10月28日"),
        ("2026-10-27T17:30:00+00:00", "2026年10月28日"),  # Beijing time
        ("", ""),
        ("yesterday", ""),
        (None, ""),
    ],
)
def test_dates_are_written_the_chinese_way(value: object, expected: str) -> None:
    assert local_day(value) == expected


def test_quotation_marks_are_the_mainlands() -> None:
    assert quote("「一带一路」倡议") == "“‘一带一路’倡议”"
    assert quote("兰州发布") == "“兰州发布”"


NO_UPDATE = {
    "last_post_at": "2026-10-28T09:00:00+08:00",
    "metrics": {"idle_days": 35.13},
    "threshold": {"days": 14.0},
    "note": "监测时间点前14天内无更新，最近发布距监测时间点35.13天",
}
POSTS = [
    {
        "post_id": 7,
        "title": "我省召开政务公开工作推进会",
        "url": "https://m.weibo.cn/detail/7",
        "published_at": "2026-11-20T10:00:00+08:00",
    }
]


@pytest.mark.parametrize(
    ("rule", "evidence", "facts", "expected"),
    [
        ("no_update", NO_UPDATE, {}, "监测时间点前2周内无更新，最近一次更新为2026年10月28日，已35天未更新"),
        (
            "no_update",
            {"last_post_at": None, "metrics": {"idle_days": None}, "threshold": {"days": 14}},
            {},
            "监测时间点前2周内无更新，账号从未发布内容",
        ),
        (
            "update_slow",
            {
                "metrics": {"max_gap_days": 15.4, "posts_per_month": 2.67},
                "threshold": {"max_gap_days": 10, "min_posts_per_month": 4},
            },
            {},
            "检查期内最长间隔15天未更新（要求不超过10天）；月均发布2.7条（要求不少于4条）",
        ),
        (
            "update_slow",
            {
                "metrics": {"max_gap_days": 10.5, "posts_per_month": 8},
                "threshold": {"max_gap_days": 10, "min_posts_per_month": 4},
            },
            {},
            "检查期内最长间隔超过10天未更新（要求不超过10天）",
        ),
        (
            "low_originality",
            {"metrics": {"posts": 15, "original": 3, "rate": 0.2}, "threshold": {"min_rate": 0.3}},
            {"decimals": 1},
            "检查期内发布15条，其中原创3条，原创率20.0%，低于30%",
        ),
        (
            "serious_error",
            {
                "posts": POSTS,
                "matches": [{"phrase": "一带一路战略", "correct": "“一带一路”倡议", "post_id": 7}],
                "note": "1条内容含疑似严重表述错误：一带一路战略",
            },
            {},
            "2026年11月20日发布的“我省召开政务公开工作推进会”中将“‘一带一路’倡议”误写为“一带一路战略”",
        ),
        (
            "commercial_ad",
            {
                "posts": POSTS,
                "matches": [{"phrase": "限时抢购", "post_id": 7}, {"phrase": "扫码领券", "post_id": 8}],
            },
            {},
            "2026年11月20日发布的“我省召开政务公开工作推进会”中含商业广告用语“限时抢购”，另有1条内容存在同类问题",
        ),
        (
            "entertainment",
            {"metrics": {"posts": 12, "entertainment": 5, "share": 0.4167}},
            {},
            "检查期内发布的12条内容中有5条与政府职能无直接关联，占41.67%",
        ),
        (
            "filing_mismatch",
            {"metrics": {"shown_name": "兰州发布（新）", "verified": False}, "posts": []},
            {"name": "兰州发布"},
            "平台显示名称为“兰州发布（新）”，与备案名称不一致，未办理变更备案；账号未经平台官方认证",
        ),
        (
            "duplicate_account",
            {"accounts": [12], "metrics": {"accounts": 2}},
            {"others": ["兰州应急发布"]},
            "同一主办单位在该平台开设2个在用账号（另有“兰州应急发布”）",
        ),
        (
            "relay_missed",
            {
                "releases": [
                    {
                        "title": "关于优化营商环境的若干措施",
                        "due_at": "2026-11-03T10:00:00+08:00",
                        "relayed_at": None,
                    },
                    {
                        "title": "省政府常务会议",
                        "due_at": "2026-11-03T10:00:00+08:00",
                        "relayed_at": "2026-11-05T12:00:00+08:00",
                    },
                    {
                        "title": "防汛通知",
                        "due_at": "2026-11-03T10:00:00+08:00",
                        "relayed_at": "2026-11-03T15:30:00+08:00",
                    },
                ]
            },
            {},
            "未按时限转载“关于优化营商环境的若干措施”；逾期2天转载“省政府常务会议”；逾期5小时转载“防汛通知”",
        ),
        (
            "no_interaction",
            {
                "note": "自定义菜单「互动留言」无法打开",
                "inspector": "张三",
                "observed_at": "2026-11-30T09:00:00+08:00",
            },
            {},
            "自定义菜单“互动留言”无法打开",
        ),
        ("sensitive_word", {"note": "2条内容含敏感词：某词"}, {}, "2条内容含敏感词：某词"),
        (
            "sensitive_word",
            {"note": "3条内容含疑似敏感词"},
            {},
            "敏感词",
        ),  # never 疑似 on a confirmed finding
        ("shell_account", {"note": "最近发布于2026-10-01 08:00"}, {}, "空壳、僵尸账号"),  # never an ISO time
        (
            "no_update",
            {"note": "最近发布距监测时间点35.13天"},
            {},
            "监测时间点前2周内无更新",
        ),
    ],
)
def test_each_problem_is_described_from_its_stored_figures(
    rule: str, evidence: dict, facts: dict, expected: str
) -> None:
    assert describe(rule, evidence, **facts) == expected


@pytest.mark.parametrize(
    ("collection", "outcome", "last", "expected"),
    [
        ("failed", "blocked", "2026-08-03T10:00:00+08:00", "被平台拦截，最近一次成功采集为2026年8月3日"),
        ("failed", "auth_expired", "2026-08-03T10:00:00+08:00", "凭据失效，最近一次成功采集为2026年8月3日"),
        ("never", "gone", None, "账号已不可用，从未成功采集"),
        ("never", None, None, "采集失败，从未成功采集"),
    ],
)
def test_the_follow_up_list_says_why_an_account_was_not_collected(
    collection: str, outcome: str | None, last: str | None, expected: str
) -> None:
    from datetime import datetime

    from registry.collection.activity import Activity

    activity = Activity(datetime.fromisoformat(last) if last else None, None, outcome) if outcome else None
    assert collection_detail(collection, activity) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://m.weibo.cn/detail/5600000133-0000", "m.weibo.cn/detail/5600000133-0000"),
        (
            "https://www.gansu.gov.cn/gsszf/c100055/202611/abc123456.shtml",
            "www.gansu.gov.cn/…/abc123456.shtml",
        ),
        ("", ""),
    ],
)
def test_links_are_shortened_for_print(url: str, expected: str) -> None:
    assert short_link(url) == expected


def test_a_notice_item_is_sentences_and_says_nothing_of_a_missing_link() -> None:
    item = NoticeItem(2, "兰州发布", "新浪微博", "更新不及时", "月均发布2条（要求不少于4条）", "—", "", 12)
    assert (
        item_text(item)
        == "2. “兰州发布”新浪微博账号：更新不及时。月均发布2条（要求不少于4条）。（整改事项编号12）"
    )


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (
            "政府网站与政务新媒体检查指标（国办秘函〔2019〕19号）",
            "《政府网站与政务新媒体检查指标》（国办秘函〔2019〕19号）",
        ),
        ("《甘肃省政务新媒体管理办法》", "《甘肃省政务新媒体管理办法》"),
        ("本省政务新媒体管理有关规定", "本省政务新媒体管理有关规定"),
    ],
)
def test_the_basis_is_cited_with_its_title_marks(document: str, expected: str) -> None:
    assert cite(document) == expected


def test_the_opening_cites_the_default_basis_of_the_jurisdiction() -> None:
    assert CircularSettings(scope="全市").basis_text() == (
        "《政府网站与政务新媒体检查指标》（国办秘函〔2019〕19号）和本市政务新媒体管理有关规定"
    )
    three = CircularSettings(basis=("甲（某〔2020〕1号）", "《乙》", "丙有关规定"))
    assert three.basis_text() == "《甲》（某〔2020〕1号）、《乙》和丙有关规定"


@pytest.mark.parametrize(
    ("pattern", "ok"),
    [
        ("甘政务公开办〔{year}〕{seq}号", True),
        ("某办发〔2026〕{seq}号", True),
        ("甘政务公开办〔{year}〕号", False),
        ("甘〔{year}〕{n}号", False),
        ("甘〔{year〕{seq}号", False),
    ],
)
def test_a_doc_no_pattern_needs_its_sequence(pattern: str, ok: bool) -> None:
    if ok:
        assert check_doc_no(pattern) == pattern
        assert "{" not in CircularSettings(doc_no=pattern).number(2026, 13)
    else:
        with pytest.raises(ValueError):
            check_doc_no(pattern)
