"""Truth tables for the filing field checks."""

from __future__ import annotations

import pytest

from registry import validation as v
from registry.errors import InvalidValue
from registry.filing.platforms import platform_id_problem
from registry.vocab import PLATFORM


def _with_check(first17: str) -> str:
    return first17 + v.credit_check_char(first17)


@pytest.mark.parametrize(
    ("code", "ok"),
    [
        ("91350100M000100Y43", True),  # the GB 32100 worked example
        (_with_check("11620000013901271"), True),
        ("91350100M000100Y44", False),  # wrong check character
        ("91350100M000100Y4", False),  # 17 characters
        ("91350100M000100Y433", False),  # 19 characters
        ("9135010OM000100Y43", False),  # letter O is not in the alphabet
        ("91AB0100M000100Y43", False),  # positions 3-8 must be a region code
        ("", False),
    ],
)
def test_credit_code(code: str, ok: bool) -> None:
    if ok:
        assert v.credit_code(code) == code.upper()
    else:
        with pytest.raises(InvalidValue) as err:
            v.credit_code(code)
        assert err.value.field == "统一社会信用代码"
        assert code in str(err.value)


def test_credit_code_names_expected_check_char() -> None:
    with pytest.raises(InvalidValue, match="应为「3」"):
        v.credit_code("91350100M000100Y40")


@pytest.mark.parametrize(
    ("code", "level", "ok"),
    [
        ("620000", "province", True),
        ("620100", "city", True),
        ("620102", "county", True),
        ("620102", "township", True),  # townships carry their county's six-digit code
        ("620100", "province", False),
        ("620000", "city", False),
        ("620102", "city", False),
        ("620100", "county", False),
        ("62010", "county", False),
        ("6201022", "county", False),
        ("62010a", "county", False),
        ("020102", "county", False),
    ],
)
def test_region_code(code: str, level: str, ok: bool) -> None:
    if ok:
        assert v.region_code(code, level) == code
    else:
        with pytest.raises(InvalidValue):
            v.region_code(code, level)


@pytest.mark.parametrize(
    ("child", "parent", "parent_level", "inside"),
    [
        ("620100", "620000", "province", True),
        ("630100", "620000", "province", False),
        ("620102", "620100", "city", True),
        ("620202", "620100", "city", False),
        ("620102", "620102", "county", True),
        ("620103", "620102", "county", False),
    ],
)
def test_region_within(child: str, parent: str, parent_level: str, inside: bool) -> None:
    assert v.region_within(child, parent, parent_level) is inside


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("13800138000", "13800138000"),
        ("138 0013 8000", "13800138000"),
        ("+86 13800138000", "13800138000"),
        ("0931-8888888", "0931-8888888"),
        ("09318888888", "09318888888"),
        ("12800138000", None),  # no mobile prefix 12
        ("1380013800", None),  # ten digits
        ("138001380001", None),
        ("abc", None),
        ("", None),
    ],
)
def test_phone(value: str, expected: str | None) -> None:
    if expected:
        assert v.phone(value) == expected
    else:
        with pytest.raises(InvalidValue):
            v.phone(value)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("wechat", "wechat"),
        ("微信公众号", "wechat"),
        ("新浪微博", "weibo"),
        ("微博", "weibo"),
        ("抖音", "douyin"),
        ("快手", "kuaishou"),
        ("今日头条", "toutiao"),
        ("哔哩哔哩", "bilibili"),
        ("微信视频号", "wechat_channels"),
        ("小红书", "xiaohongshu"),
        ("百家号", "baijiahao"),
        ("移动客户端", "app"),
        ("网站", "website"),
        ("other", "other"),
        ("WEIBO", "weibo"),
        ("推特", None),
        ("", None),
    ],
)
def test_platform_names(value: str, code: str | None) -> None:
    assert PLATFORM.find(value) == code


@pytest.mark.parametrize(
    ("platform", "pid", "ok"),
    [
        ("wechat", "gh_0123456789ab", True),
        ("wechat", "MzA3MDM3NjE5NQ==", True),  # a __biz: base64 of the decimal uin
        ("wechat", "gh_0123456789a", False),
        ("wechat", "gh_0123456789AZ", False),
        ("wechat", "bWVyY2hhbnQxMjM0", False),  # base64, but not of digits
        ("weibo", "1669879400", True),
        ("weibo", "16698x9400", False),
        ("weibo", "123", False),
        ("douyin", "MS4wLjABAAAAv7iSuuXDJGDvJkmH_vz1qkDZYo1apxgzaxdBSeIuPiM", True),
        ("douyin", "abc", False),
        ("bilibili", "123456", True),
        ("bilibili", "uid123", False),
        ("xiaohongshu", "5ff0e6410000000001008400", True),
        ("xiaohongshu", "5ff0e641", False),
        ("wechat_channels", "sphABCD1234", True),
        ("wechat_channels", "abc", False),
        ("website", "www.gansu.gov.cn", True),
        ("website", "has space", False),
        ("weibo", " 1669879400", False),
    ],
)
def test_platform_id_shapes(platform: str, pid: str, ok: bool) -> None:
    assert (platform_id_problem(platform, pid) is None) is ok


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("province", "province"),
        ("省级", "province"),
        ("市州", "city"),
        ("县区", "county"),
        ("乡镇", "township"),
        ("街道", "township"),
        ("country", None),
    ],
)
def test_level_aliases(value: str, expected: str | None) -> None:
    if expected:
        assert v.level(value) == expected
    else:
        with pytest.raises(InvalidValue):
            v.level(value)
