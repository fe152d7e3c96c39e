"""The account searches for real: ``spiders.search.launch.run_search`` runs the search spider in
a subprocess against the stand-in (answers in the shapes of the recorded search payloads:
verified, unverified, blocked, captcha, empty, paged), and we read back what was stored through
``registry``. The parsers are also run on the recorded payloads themselves."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from registry.collection.jobs import budget_used
from registry.db import dispose_engines, session_scope, upgrade
from registry.discovery.models import DiscoverySearch
from registry.discovery.queries import list_candidates
from registry.discovery.store import sync_queries
from registry.filing.units import add_unit
from registry.timeutil import TZ
from spiders.outcomes import Blocked, check_markers
from spiders.search.bilibili import bili_account
from spiders.search.launch import SearchReport, run_search
from spiders.search.wechat import parse_about_page, wechat_account
from spiders.standin import Found, StandinServer, search_env

PLATFORMS = ("weibo", "wechat", "bilibili", "douyin", "kuaishou", "toutiao")


def _found() -> list[Found]:
    gov = "兰州市城关区人民政府新闻办公室"
    return [
        Found("weibo", "3101000001", "城关发布", kind="government", verified_text=f"{gov}官方微博"),
        Found("weibo", "3101000002", "城关发布厅", description="城关区新闻"),
        Found("weibo", "3101000003", "城关发布小编", kind="personal", verified_text="生活博主"),
        *[Found("weibo", f"310100010{i}", f"城关教育{i}") for i in range(5)],
        Found("weibo", "3101000201", "城关公安民警", terms=("城关公安",)),
        Found("bilibili", "4101000001", "城关发布", kind="organisation", verified_text=f"{gov}官方账号"),
        Found("bilibili", "4101000002", "城关发布粉丝团", kind="personal", verified_text="UP主"),
        Found(
            "wechat",
            "MzAxMDAwMDAwMQ==",
            "城关发布",
            kind="government",
            verified_text="兰州市城关区人民政府办公室",
            alias="cgfabu",
        ),
        Found(
            "wechat",
            "MzAxMDAwMDAwMg==",
            "城关发布传媒",
            kind="enterprise",
            verified_text="城关发布文化传媒有限公司",
        ),
        Found("wechat", "MzAxMDAwMDAwMw==", "城关发布在线", about_fault="captcha"),
        Found(
            "douyin", "MS4wLjABAAAAcgfabu000000000001", "城关发布", kind="government", verified_text=f"{gov}"
        ),
        Found("kuaishou", "cgfabu01", "城关发布"),
        Found("toutiao", "5101000001", "城关发布", kind="government", verified_text="城关发布官方头条号"),
    ]


FAULTS = {
    "平安城关": "blocked",
    "城关融媒": "captcha",
    "城关网信": "empty",
    "城关市监": "auth_expired",
    "城关统计": "error",
    ("weibo", "城关公安"): "org_unavailable",
}
QUERIES = {
    "weibo": ["城关发布", "城关教育", "平安城关", "城关融媒", "城关网信", "城关公安", "城关市监", "城关统计"],
    "bilibili": ["城关发布", "平安城关", "城关网信"],
    "wechat": ["城关发布", "平安城关"],
    "douyin": ["城关发布", "平安城关"],
    "kuaishou": ["城关发布"],
    "toutiao": ["城关发布", "城关网信"],
}


@dataclass
class Searched:
    db: str
    ids: dict[tuple[str, str], int]
    report: SearchReport
    server: StandinServer

    def result(self, platform: str, query: str) -> dict[str, Any]:
        qid = self.ids[(platform, query)]
        return next(r for r in self.report.results if r["query_id"] == qid)

    def search(self, platform: str, query: str) -> DiscoverySearch:
        with session_scope(self.db) as s:
            from sqlalchemy import select

            row = s.scalar(
                select(DiscoverySearch).where(DiscoverySearch.query_id == self.ids[(platform, query)])
            )
            assert row is not None
            return row

    def candidates(self, platform: str) -> dict[str, dict[str, Any]]:
        with session_scope(self.db) as s:
            return {c["platform_id"]: c for c in list_candidates(s, platform=platform)}


def _registry(db: str, queries: dict[str, list[str]]) -> dict[tuple[str, str], int]:
    upgrade(db)
    with session_scope(db) as s:
        add_unit(s, name="兰州市城关区人民政府", level="county", region="620102", actor="t")
        rows = [
            {"platform": p, "text": q, "region_code": "620102", "unit_id": 1, "form": "测试"}
            for p, texts in queries.items()
            for q in texts
        ]
        return sync_queries(s, rows)


@pytest.fixture(scope="module")
def searched(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Searched]:
    db = str(tmp_path_factory.mktemp("search") / "govmedia.db")
    ids = _registry(db, QUERIES)
    with StandinServer() as server:
        server.search.found.extend(_found())
        server.search.faults.update(FAULTS)
        env = {**server.env(), **search_env(server), "GOVMEDIA_CRAWL_RETRIES": "1"}
        report = run_search(db, list(ids.values()), env=env, timeout=240)
        yield Searched(db, ids, report, server)
    dispose_engines()


def test_every_query_has_one_outcome(searched: Searched) -> None:
    assert searched.report.returncode == 0, searched.report.log_tail
    assert len(searched.report.results) == len(searched.ids)
    outcomes = {(p, q): searched.result(p, q)["outcome"] for p, q in searched.ids}
    assert outcomes == {
        ("weibo", "城关发布"): "ok",
        ("weibo", "城关教育"): "ok",
        ("weibo", "平安城关"): "blocked",
        ("weibo", "城关融媒"): "blocked",
        ("weibo", "城关网信"): "empty",
        ("weibo", "城关公安"): "ok",
        ("weibo", "城关市监"): "auth_expired",
        ("weibo", "城关统计"): "error",
        ("bilibili", "城关发布"): "ok",
        ("bilibili", "平安城关"): "blocked",
        ("bilibili", "城关网信"): "empty",
        ("wechat", "城关发布"): "ok",
        ("wechat", "平安城关"): "blocked",
        ("douyin", "城关发布"): "ok",
        ("douyin", "平安城关"): "blocked",
        ("kuaishou", "城关发布"): "ok",
        ("toutiao", "城关发布"): "ok",
        ("toutiao", "城关网信"): "empty",
    }


def test_weibo_runs_the_organisation_filter_then_unfiltered(searched: Searched) -> None:
    row = searched.search("weibo", "城关发布")
    assert [(p["filter"], p["outcome"], p["found"]) for p in row.passes] == [
        ("org", "ok", 1),
        ("all", "ok", 3),
    ]
    assert row.pages == 3  # one filtered page, two unfiltered pages of two
    found = searched.candidates("weibo")
    gov = found["3101000001"]
    assert gov["verified"] is True and gov["verified_text"].startswith("兰州市城关区人民政府新闻办公室")
    assert gov["evidence"]["filter"] == "org" and gov["evidence"]["query"] == "城关发布"
    assert gov["evidence"]["item"]["user"]["verified_type"] == 1  # the raw search answer is the evidence
    assert found["3101000002"]["verified"] is False
    assert found["3101000003"]["verified_text"] == "生活博主"


def test_result_pages_stop_at_the_configured_limit(searched: Searched) -> None:
    row = searched.search("weibo", "城关教育")
    assert row.found == 4 and row.pages == 3  # 5 accounts, 2 a page, at most 2 pages a pass
    assert [p["outcome"] for p in row.passes] == ["empty", "ok"]


def test_a_blocked_search_is_not_an_empty_one(searched: Searched) -> None:
    blocked = searched.search("weibo", "平安城关")
    assert blocked.outcome == "blocked" and blocked.http_status == 432
    captcha = searched.search("weibo", "城关融媒")
    assert captcha.outcome == "blocked" and "验证" in (captcha.detail or "")
    assert "协助验证" in (captcha.snippet or "")
    assert searched.search("bilibili", "平安城关").detail.startswith("B站风控：code -412")  # type: ignore[union-attr]
    assert "200013" in (searched.search("wechat", "平安城关").detail or "")
    assert "签名无效" in (searched.search("douyin", "平安城关").detail or "")
    empty = searched.search("weibo", "城关网信")
    assert empty.outcome == "empty" and [p["outcome"] for p in empty.passes] == ["empty", "empty"]


def test_an_unanswered_filter_falls_back_to_unfiltered(searched: Searched) -> None:
    row = searched.search("weibo", "城关公安")
    assert row.outcome == "ok" and row.found == 1
    assert [(p["filter"], p["outcome"]) for p in row.passes] == [("org", "error"), ("all", "ok")]
    assert "筛选不可用" in (row.detail or "")


def test_credentials_rejected_and_server_errors(searched: Searched) -> None:
    assert searched.search("weibo", "城关市监").outcome == "auth_expired"
    failed = searched.search("weibo", "城关统计")
    assert failed.outcome == "error" and failed.http_status == 500


def test_bilibili_reads_official_verify(searched: Searched) -> None:
    row = searched.search("bilibili", "城关发布")
    assert [(p["filter"], p["found"]) for p in row.passes] == [("org", 1), ("all", 2)]
    found = searched.candidates("bilibili")
    assert found["4101000001"]["verified_text"] == "兰州市城关区人民政府新闻办公室官方账号"


def test_wechat_reads_the_about_page_for_the_subject(searched: Searched) -> None:
    found = searched.candidates("wechat")
    gov = found["MzAxMDAwMDAwMQ=="]
    assert gov["verified_text"] == "兰州市城关区人民政府办公室"
    assert gov["evidence"]["about"]["kind_label"] == "政府" and gov["evidence"]["about"]["alias"] == "cgfabu"
    assert found["MzAxMDAwMDAwMg=="]["evidence"]["about"]["kind"] == "enterprise"
    # the third account's page was a verification page: noted, and the search itself stands
    assert "about" not in found["MzAxMDAwMDAwMw=="]["evidence"]
    row = searched.search("wechat", "城关发布")
    assert row.outcome == "ok" and "附加页面未能读取" in (row.detail or "")
    assert searched.server.hits["/wechat/mp/aboutbiz"] == 3


def test_bridges_pass_the_platform_answers_through(searched: Searched) -> None:
    assert searched.candidates("douyin")["MS4wLjABAAAAcgfabu000000000001"]["verified"] is True
    assert searched.candidates("kuaishou")["cgfabu01"]["verified"] is None
    assert searched.candidates("toutiao")["5101000001"]["verified_text"] == "城关发布官方头条号"


def test_search_budgets_and_missing_credentials(tmp_path: Path) -> None:
    """A spent search budget leaves the query unsearched (skipped, nothing stored); a platform
    without its credential or bridge is a failed search with the reason."""
    db = str(tmp_path / "budget.db")
    ids = _registry(
        db, {"bilibili": ["城关发布", "城关教育"], "wechat": ["城关发布"], "douyin": ["城关发布"]}
    )
    with StandinServer() as server:
        server.search.found.extend(_found())
        env = {
            k: v
            for k, v in server.env().items()
            if k not in ("GOVMEDIA_WECHAT_TOKEN", "GOVMEDIA_WECHAT_COOKIE")
        }
        env["GOVMEDIA_DISCOVERY_BILIBILI_BUDGET"] = "2"
        report = run_search(db, list(ids.values()), env=env, timeout=120)
    by_query = {r["query_id"]: r for r in report.results}
    assert by_query[ids[("bilibili", "城关发布")]]["outcome"] == "ok"
    skipped = by_query[ids[("bilibili", "城关教育")]]
    assert skipped["outcome"] == "skipped" and "上限" in skipped["detail"]
    assert "GOVMEDIA_WECHAT_TOKEN" in by_query[ids[("wechat", "城关发布")]]["detail"]
    assert "搜索桥接地址" in by_query[ids[("douyin", "城关发布")]]["detail"]
    with session_scope(db) as s:
        from sqlalchemy import func, select

        stored = s.scalar(select(func.count(DiscoverySearch.id)))
        assert stored == 3  # the skipped query stays pending
        assert budget_used(s, platform="bilibili_search", day=_today()) == 2


def _today() -> date:
    return datetime.now(TZ).date()


# --- the parsers on the recorded payloads -----------------------------------------------------


def test_bilibili_item_from_the_recorded_payload(shared_fixtures: Path) -> None:
    item = json.loads((shared_fixtures / "bilibili" / "search_type_bili_user_item.json").read_text("utf-8"))
    account = bili_account(item)
    assert account["platform_id"] == "208259" and account["name"] == "陈睿"
    assert account["verified_kind"] == "personal" and account["verified_text"] == "bilibili董事长兼CEO"
    assert "res" not in account["raw"]  # the three latest videos are not evidence


def test_searchbiz_items_from_the_recorded_payloads(shared_fixtures: Path) -> None:
    keyword = json.loads(
        (shared_fixtures / "wechat" / "search_searchbiz_keyword_exporter_sample.json").read_text()
    )
    accounts = [wechat_account(i) for i in keyword["list"]]
    assert [(a["name"], a["verified"], a["alias"]) for a in accounts] == [
        ("铁路12306", True, "CRTT12306"),
        ("12321受理中心", True, "zg12321jbzx"),
    ]
    byurl = json.loads(
        (shared_fixtures / "wechat" / "search_searchbiz_byurl_exporter_sample.json").read_text()
    )
    assert wechat_account(byurl["list"][0])["verified_kind"] == "none"


@pytest.mark.parametrize(
    ("page", "kind", "label", "subject"),
    [
        ("aboutbiz_public_institution_school.html", "institution", "事业单位", "北京市第五十四中学"),
        ("aboutbiz_shanghai_federation_of_trade_unions.html", "organisation", "其他组织", "上海市总工会"),
        ("aboutbiz_with_rename_history.html", "enterprise", "企业", "专心保险经纪有限公司"),
    ],
)
def test_about_pages_from_the_recorded_payloads(
    shared_fixtures: Path, page: str, kind: str, label: str, subject: str
) -> None:
    about = parse_about_page((shared_fixtures / "wechat" / page).read_text("utf-8"))
    assert (about["kind"], about["kind_label"], about["subject"]) == (kind, label, subject)
    if "rename" in page:
        assert len(about["renames"]) == 3 and "账号迁移改名" in about["renames"][0]


def test_the_recorded_captcha_page_is_a_block(shared_fixtures: Path) -> None:
    page = (shared_fixtures / "wechat" / "search_sogou_antispider_captcha_2017.html").read_text("utf-8")
    with pytest.raises(Blocked):
        check_markers(page)
    assert parse_about_page(page) == {}
