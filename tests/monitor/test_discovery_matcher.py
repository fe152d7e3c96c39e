"""Truth tables of discovery: place names, the queries made from the registry, and the matcher
(same name in another county never matches; a 融媒体中心 verified as 媒体 does)."""

from __future__ import annotations

from typing import Any

import pytest

from monitor.discovery.matcher import Matcher, same_department, subjects
from monitor.discovery.places import leading_places, regions_of, stem
from monitor.discovery.plan import DEFAULT_FORMS, dept_short, parse_form, plan
from registry.discovery.queries import RegistryView
from tests.factories import credit

FORMS = [parse_form(f) for f in DEFAULT_FORMS]
CREDIT = credit("12620102MB1234567")


def _unit(
    uid: int, name: str, level: str, kind: str, region: str, parent: int | None = None
) -> dict[str, Any]:
    return {
        "id": uid,
        "name": name,
        "level": level,
        "kind": kind,
        "region_code": region,
        "credit_code": CREDIT if uid == 6 else None,
        "parent_id": parent,
    }


UNITS = [
    _unit(1, "甘肃省人民政府", "province", "government", "620000"),
    _unit(2, "兰州市人民政府", "city", "government", "620100", 1),
    _unit(3, "兰州市城关区人民政府", "county", "government", "620102", 2),
    _unit(4, "兰州市城关区教育局", "county", "department", "620102", 3),
    _unit(5, "兰州市公安局城关分局", "county", "department", "620102", 3),
    _unit(6, "兰州市城关区融媒体中心", "county", "other", "620102", 3),
    _unit(7, "兰州市城关区市场监督管理局", "county", "department", "620102", 3),
    _unit(8, "永登县人民政府", "county", "government", "620121", 2),
    _unit(9, "榆中县人民政府", "county", "government", "620123", 2),
    _unit(10, "榆中县教育局", "county", "department", "620123", 9),
    _unit(11, "临夏回族自治州人民政府", "city", "government", "622900", 1),
    _unit(12, "兰州市教育局", "city", "department", "620100", 2),
]
NAMES = {u["id"]: u["name"] for u in UNITS}


def _view(units: list[dict[str, Any]] = UNITS) -> RegistryView:
    filed = {
        ("weibo", "3101000001"): {"account_id": 1, "unit_id": 3, "status": "active", "name": "城关发布"},
        ("weibo", "3101000009"): {"account_id": 2, "unit_id": 5, "status": "cancelled", "name": "平安城关"},
        ("wechat", "cgjiaoyu"): {"account_id": 3, "unit_id": 4, "status": "active", "name": "城关教育"},
    }
    names = {
        ("weibo", "城关区教育发布"): [{"account_id": 4, "unit_id": 4, "name": "城关教育", "former": True}]
    }
    return RegistryView(units=units, filed=filed, names=names)


MATCHER = Matcher(_view(), FORMS)


def found(
    name: str = "某账号",
    text: str | None = None,
    kind: str = "none",
    *,
    platform: str = "weibo",
    pid: str = "3109999999",
    bio: str = "",
    about: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "platform": platform,
        "platform_id": pid,
        "name": name,
        "verified": kind != "none",
        "verified_kind": kind,
        "verified_text": text,
        "description": bio,
        "about": about,
    }


@pytest.mark.parametrize(
    ("account", "state", "unit", "basis"),
    [
        # the verification text names the body; the jurisdiction must be the same
        (found(text="兰州市城关区教育局官方微博", kind="government"), "candidate", 4, "verified_text"),
        (found(text="城关区教育局官方微博", kind="government"), "candidate", 4, "verified_text"),
        (
            found(text="城关区教育局", kind="organisation", platform="bilibili"),
            "candidate",
            4,
            "verified_text",
        ),
        (found(text="榆中县教育局官方微博", kind="government"), "candidate", 10, "verified_text"),
        (found(text="兰州市教育局官方微博", kind="government"), "candidate", 12, "verified_text"),
        # same name, another county: never the 城关区 unit
        (found(text="永登县教育局官方微博", kind="government"), "candidate", None, "none"),
        (found("城关教育", text="拉萨市城关区教育局官方微博", kind="government"), "dismissed", None, "none"),
        # 融媒体中心 verified as 媒体 (Weibo verified_type 3; Douyin is_gov_media_vip)
        (found(text="兰州市城关区融媒体中心官方微博", kind="media"), "candidate", 6, "verified_text"),
        (
            found(text="城关区融媒体中心", kind="government", platform="douyin"),
            "candidate",
            6,
            "verified_text",
        ),
        (found(text="榆中县融媒体中心官方微博", kind="media"), "candidate", None, "none"),
        # abbreviations of the same department
        (found(text="兰州市城关区市场监管局", kind="government"), "candidate", 7, "verified_text"),
        (found(text="兰州市城关区公安分局官方微博", kind="government"), "candidate", 5, "verified_text"),
        (found(text="兰州市公安局城关分局", kind="government"), "candidate", 5, "verified_text"),
        # verified as a person or an enterprise: not government, whatever the name says
        (found("平安城关", text="摄影博主", kind="personal"), "not_government", None, "none"),
        (
            found("城关发布", text="城关发布文化传媒有限公司", kind="enterprise"),
            "not_government",
            None,
            "none",
        ),
        # unverified: account-name forms of the registry's regions
        (found("平安城关"), "candidate", 5, "name"),
        (found("城关公安"), "candidate", 5, "name"),
        (found("城关融媒"), "candidate", 6, "name"),
        (found("城关发布"), "candidate", 3, "name"),
        (found("城关区发布"), "candidate", 3, "name"),
        (found("城关教育"), "candidate", 4, "name"),
        (found("兰州发布"), "candidate", 2, "name"),
        (found("永登教育"), "candidate", None, "none"),
        (found("城关发布", bio="非官方，分享城关生活"), "candidate", None, "none"),
        (found("城关美食"), "candidate", None, "none"),
        # a verification without place words leaves it to the name
        (
            found("城关教育", text="教育局官方头条号", kind="verified", platform="toutiao"),
            "candidate",
            4,
            "name",
        ),
        # the registry's own ids, credit codes and former names
        (found("城关发布", pid="3101000001"), "filed", 3, "platform_id"),
        (found("平安城关", pid="3101000009", kind="government"), "filed", 5, "platform_id"),
        (
            found("城关教育", platform="wechat", pid="MzAx", about={"alias": "cgjiaoyu"}),
            "filed",
            4,
            "platform_id",
        ),
        (
            found("城关融媒", platform="wechat", kind="institution", about={"text": f"信用代码 {CREDIT}"}),
            "candidate",
            6,
            "credit_code",
        ),
        (found("城关区教育发布"), "candidate", 4, "former_name"),
    ],
)
def test_matcher_truth_table(account: dict[str, Any], state: str, unit: int | None, basis: str) -> None:
    m = MATCHER.match(account)
    assert (m.state, m.unit_id, m.basis) == (state, unit, basis), m.note


def test_a_cancelled_filing_found_again_is_filed_with_a_note() -> None:
    m = MATCHER.match(found("平安城关", pid="3101000009"))
    assert m.account_id == 2 and "注销" in (m.note or "")


def test_two_regions_of_one_name_are_ambiguous() -> None:
    """A national registry with two 城关区: a text naming only 城关区 matches neither."""
    units = [
        *UNITS,
        _unit(20, "西藏自治区人民政府", "province", "government", "540000"),
        _unit(21, "拉萨市人民政府", "city", "government", "540100", 20),
        _unit(22, "拉萨市城关区人民政府", "county", "government", "540102", 21),
        _unit(23, "拉萨市城关区教育局", "county", "department", "540102", 22),
    ]
    matcher = Matcher(_view(units), FORMS)
    assert matcher.match(found(text="城关区教育局官方微博", kind="government")).unit_id is None
    assert matcher.match(found(text="拉萨市城关区教育局官方微博", kind="government")).unit_id == 23
    assert matcher.match(found(text="兰州市城关区教育局官方微博", kind="government")).unit_id == 4
    assert matcher.match(found("城关教育")).unit_id is None  # both regions' form names agree


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("兰州市城关区教育局官方微博", ["兰州市城关区教育局"]),
        ("认证：城关区融媒体中心", ["城关区融媒体中心"]),
        ("四川省电化教育馆(四川教育电视台)", ["四川省电化教育馆", "四川教育电视台"]),
        ("央视新闻官方抖音号", ["央视新闻"]),
        ("新华网官方头条号", ["新华网"]),
        ("兰州市城关区人民政府新闻办公室官方微博，发布权威信息", ["兰州市城关区人民政府新闻办公室"]),
        ("", []),
    ],
)
def test_subjects(text: str, expected: list[str]) -> None:
    assert subjects(text) == expected


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("城关区教育局", "兰州市城关区教育局", True),
        ("城关区市场监管局", "兰州市城关区市场监督管理局", True),
        ("城关区公安分局", "兰州市公安局城关分局", True),
        ("城关区教育局", "兰州市城关区教育体育局", True),
        ("城关区公安局", "城关区公安局交通警察大队", False),
        ("城关区教育局", "城关区卫生健康局", False),
        ("城关区人民法院", "城关区人民检察院", False),
    ],
)
def test_same_department(a: str, b: str, same: bool) -> None:
    assert same_department(a, b) is same


@pytest.mark.parametrize(
    ("own", "short"),
    [
        ("城关区", "城关"),
        ("兰州市", "兰州"),
        ("甘肃省", "甘肃"),
        ("临夏回族自治州", "临夏"),
        ("积石山保安族东乡族撒拉族自治县", "积石山"),
        ("宁县", "宁县"),
        ("甘州区", "甘州"),
    ],
)
def test_stems(own: str, short: str) -> None:
    assert stem(own) == short


@pytest.mark.parametrize(
    ("name", "places"),
    [
        ("兰州市城关区市场监督管理局", ["兰州市", "城关区"]),
        ("甘州区教育局", ["甘州区"]),
        ("兰州新区教育局", ["兰州新区"]),
        ("临夏回族自治州教育局", ["临夏回族自治州"]),
        ("市场监督管理局", []),
        ("住房和城乡建设局", []),
    ],
)
def test_leading_places(name: str, places: list[str]) -> None:
    assert leading_places(name) == places


def test_region_names_come_from_the_governments() -> None:
    table = regions_of(UNITS)
    assert (table["620102"].own, table["620102"].stem, table["620102"].chain) == (
        "城关区",
        "城关",
        ["城关区", "兰州市", "甘肃省"],
    )
    assert table["622900"].stem == "临夏"
    region = table["620102"]
    assert dept_short("兰州市公安局城关分局", region) == "公安"
    assert dept_short("兰州市城关区市场监督管理局", region) == "市场监督管理"


def test_queries_per_jurisdiction() -> None:
    planned = plan(UNITS, forms=FORMS, region="620102")
    texts = {p.text: (p.unit_id, p.form) for p in planned}
    assert texts["兰州市城关区教育局"] == (4, "单位全称")
    assert texts["城关区教育局"] == (4, "单位简称")
    assert texts["城关教育"] == (4, "{地名}{局简称}")
    assert texts["城关发布"] == (3, "{地名}发布")
    assert texts["平安城关"] == (5, "平安{地名}")
    assert texts["城关融媒"] == (6, "{地名}融媒")
    assert "城关网信" not in texts  # no 网信 unit in the region
    assert "城关政府" not in texts
    assert all(p.region_code == "620102" for p in planned)
    assert len(texts) == len(planned)  # each text once
    assert {p.text for p in plan(UNITS, forms=FORMS, unit_id=10)} == {"榆中县教育局", "榆中教育"}
    province = {p.region_code for p in plan(UNITS, forms=FORMS, region="620000")}
    assert province == {"620000", "620100", "620102", "620121", "620123", "622900"}


@pytest.mark.parametrize(
    ("text", "problem"),
    [("{地方}发布", "未知的占位符"), ("政务发布", "至少要含"), ("平安{地名}=公安", None)],
)
def test_forms_are_checked(text: str, problem: str | None) -> None:
    if problem is None:
        assert parse_form(text).keyword == "公安"
        return
    with pytest.raises(ValueError, match=problem):
        parse_form(text)
