"""Which accounts a crawl collects (``registry.collection.crawl_jobs``)."""

from __future__ import annotations

import pytest

from registry.collection.jobs import JOB_KEYS, crawl_jobs
from registry.db import session_scope
from registry.errors import InvalidValue, NotFound
from registry.filing import accounts as filing
from tests.factories import CITY, COUNTY, PROVINCE, active_account, small_registry


@pytest.fixture
def ids() -> dict[str, int]:
    small_registry()
    out = {
        "wb_prov": active_account(
            None, unit=PROVINCE, platform="weibo", name="甘肃发布", platform_id="2803301701"
        ),
        "wx_city": active_account(
            None, unit=CITY, platform="wechat", name="兰州发布", platform_id="gh_0123456789ab"
        ),
        "wb_county": active_account(
            None, unit=COUNTY, platform="weibo", name="城关发布", platform_id="2803301702"
        ),
    }
    out["closed"] = active_account(None, unit=PROVINCE, platform="bilibili", name="已关停", platform_id="123")
    with session_scope() as s:
        out["pending"] = filing.file_account(
            s, unit=CITY, platform="weibo", name="待审", platform_id="2803301703", actor="t"
        ).id
        filing.close(s, out["closed"], reason="整合", actor="t")
    return out


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, ["wb_prov", "wx_city", "wb_county"]),
        ({"platform": "weibo"}, ["wb_prov", "wb_county"]),
        ({"platform": "微信公众号"}, ["wx_city"]),
        ({"unit": CITY}, ["wx_city"]),
        ({"unit": COUNTY, "platform": "weibo"}, ["wb_county"]),
        ({"unit": CITY, "platform": "weibo"}, []),
        (
            {"account_ids": ["pending", "closed"]},
            ["pending", "closed"],
        ),  # named accounts whatever their status
        ({"account_ids": ["wb_prov", "wx_city"], "platform": "weibo"}, ["wb_prov"]),
    ],
)
def test_selection(ids: dict[str, int], kwargs: dict, expected: list[str]) -> None:
    if "account_ids" in kwargs:
        kwargs = {**kwargs, "account_ids": [ids[k] for k in kwargs["account_ids"]]}
    with session_scope() as s:
        jobs = crawl_jobs(s, **kwargs)
    assert [j["account_id"] for j in jobs] == sorted(ids[k] for k in expected)
    assert all(set(j) == set(JOB_KEYS) for j in jobs)


def test_bad_filters(ids: dict[str, int]) -> None:
    with session_scope() as s:
        with pytest.raises(NotFound):
            crawl_jobs(s, account_ids=[ids["wb_prov"], 999])
        with pytest.raises(InvalidValue):
            crawl_jobs(s, platform="myspace")
        with pytest.raises(NotFound):
            crawl_jobs(s, unit="不存在的单位")
