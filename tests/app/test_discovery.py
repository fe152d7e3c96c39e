"""Discovery end to end: a county's registry, the stand-in platforms' searches (filed, unfiled,
renamed, cancelled-but-active and impostor accounts; blocked, captcha and empty answers), the
real search subprocess, the matcher, the commands, the audit and the circular."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from monitor.app.config import discovery_env, load_config
from monitor.app.discovery import PLATFORM_KEYS, DiscoveryRun, discovery_settings, run_discovery
from registry.db import dispose_engines, session_scope
from registry.discovery.queries import LIST_KEYS, list_candidates
from registry.timeutil import TZ
from spiders.standin import StandinServer, search_env
from tests.discovery_scenario import FAULTS, FILED_FOUND, build, precision_recall, truths


@dataclass
class Scenario:
    db: str
    ids: dict[str, int]
    run: DiscoveryRun
    server: StandinServer
    env: dict[str, str]

    def candidates(self) -> dict[tuple[str, str], dict[str, Any]]:
        with session_scope(self.db) as s:
            return {(c["platform"], c["platform_id"]): c for c in list_candidates(s)}

    def settings(self) -> Any:
        return discovery_settings(load_config(None, env=self.env))


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    db = str(tmp_path_factory.mktemp("discovery") / "govmedia.db")
    ids = build(db)
    with StandinServer() as server:
        server.search.found.extend([t.found for t in truths()] + FILED_FOUND)
        server.search.faults.update(FAULTS)
        env = {**server.env(), **search_env(server)}
        config = load_config(None, env=env)
        run = run_discovery(
            db,
            settings=discovery_settings(config),
            env=discovery_env(config),
            now=datetime.now(UTC),
            timeout=300,
        )
        yield Scenario(db, ids, run, server, env)
    dispose_engines()


def test_one_summary_per_platform(scenario: Scenario) -> None:
    rows = {p["platform"]: p for p in scenario.run.platforms}
    assert list(rows) == ["weibo", "wechat", "bilibili", "douyin", "kuaishou", "toutiao"]
    assert all(tuple(p) == PLATFORM_KEYS for p in scenario.run.platforms)
    queries = rows["weibo"]["queries"]
    assert queries > 20 and {p["queries"] for p in rows.values()} == {queries}  # the same texts everywhere
    # a captcha and a block are "could not search", not "nothing found"
    assert (rows["weibo"]["blocked"], rows["bilibili"]["blocked"]) == (1, 1)
    assert all(p["searched"] + p["blocked"] + p["failed"] == p["queries"] for p in rows.values())
    assert rows["toutiao"]["searched"] == queries  # an empty answer is a search
    assert scenario.run.pending_after == 2
    assert rows["weibo"]["found"] == 9 and rows["weibo"]["new_candidates"] == 5


def test_filed_accounts_are_matched_by_their_platform_id(scenario: Scenario) -> None:
    found = scenario.candidates()
    fabu = found[("weibo", "3101000001")]
    assert fabu["state"] == "filed" and fabu["unit"] == "兰州市城关区人民政府"
    assert found[("wechat", "MzAxMDAwMDAwMQ==")]["state"] == "filed"
    with session_scope(scenario.db) as s:
        from registry.discovery.queries import candidate_detail

        cancelled = candidate_detail(s, found[("weibo", "3101000009")]["id"])
    assert cancelled["state"] == "filed" and cancelled["account_id"] == scenario.ids["police_cancelled"]
    assert "注销" in cancelled["match_note"]


def test_the_matchers_precision_and_recall(scenario: Scenario) -> None:
    """Over the 15 unfiled accounts found: a unit named for 8 of them, 7 rightly; of the 8
    accounts that belong to a registry unit, 7 found their unit (the unverified 城关发布厅 did
    not, and the unverified impostor 城关融媒 on Douyin was wrongly given to the 融媒体中心)."""
    found = scenario.candidates()
    truth = {(t.found.platform, t.found.platform_id): t.unit for t in truths()}
    assert set(truth) <= set(found)
    predicted = {k: found[k]["unit"] for k in truth}
    figures = precision_recall(predicted, truth)
    print(f"matcher on the scenario: {figures}")
    assert (figures["tp"], figures["fp"], figures["fn"]) == (7, 1, 1)
    assert figures["precision"] == pytest.approx(0.875) and figures["recall"] == pytest.approx(0.875)


def test_states_the_matcher_settles(scenario: Scenario) -> None:
    found = scenario.candidates()
    assert found[("weibo", "3102000012")]["state"] == "not_government"  # impostor verified as a person
    assert found[("wechat", "MzAyMDAwMDAxMA==")]["state"] == "not_government"  # an enterprise
    assert found[("weibo", "3102000011")]["state"] == "dismissed"  # 拉萨市城关区
    assert found[("weibo", "3102000010")]["state"] == "candidate"  # 永登县教育局, not in the registry
    assert found[("weibo", "3102000001")]["unit"] == "兰州市城关区融媒体中心"  # 媒体 matched like any body
    assert found[("wechat", "MzAyMDAwMDAwMQ==")]["verified_text"] == "兰州市城关区市场监督管理局"  # 认证主体


def test_candidates_commands(scenario: Scenario, cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db = ["--db", scenario.db]
    listed = cli([*db, "discover", "list", "--format", "json"])
    assert listed.code == 0, listed
    rows = json.loads(listed.out)
    assert rows and all(tuple(r) == LIST_KEYS for r in rows)
    by_id = {(r["platform"], r["platform_id"]): r for r in rows}
    media, impostor = by_id[("weibo", "3102000001")], by_id[("douyin", "MS4wLjABAAAAcg00000000000000010")]
    assert media["evidence"]["query"] and media["evidence"]["item"]["user"]["verified_type"] == 3
    assert cli([*db, "discover", "confirm", str(media["id"])]).code == 0
    assert cli([*db, "discover", "dismiss", str(impostor["id"])]).code == 2  # a reason is required
    done = cli([*db, "discover", "dismiss", str(impostor["id"]), "--note", "仿冒账号，已举报"])
    assert done.code == 0 and "已排除" in done.out
    filed = cli([*db, "discover", "file", str(media["id"])])
    assert filed.code == 0 and "待审核" in filed.out, filed
    pending = json.loads(cli([*db, "account", "list", "--status", "pending", "--format", "json"]).out)
    assert [(a["platform_id"], a["unit"]) for a in pending] == [("3102000001", "兰州市城关区融媒体中心")]
    again = cli([*db, "discover", "file", str(media["id"])])
    assert again.code == 2 and again.err.startswith("错误：") and "已据此补办备案" in again.err
    fabu = by_id[("weibo", "3101000001")]
    refused = cli([*db, "discover", "confirm", str(fabu["id"])])
    assert refused.code == 2 and "已在备案库中" in refused.err
    unfiled = json.loads(cli([*db, "discover", "list", "--state", "unfiled", "--format", "json"]).out)
    assert [r["id"] for r in unfiled] == [media["id"]]
    shown = cli([*db, "discover", "show", str(media["id"]), "--format", "json"])
    assert json.loads(shown.out)["filed_account_id"] == pending[0]["id"]
    table = cli([*db, "discover", "list", "--state", "未备案"])
    assert table.code == 0 and "未备案账号排查线索" in table.out and "城关融" in table.out
    out = tmp_path / "线索.xlsx"
    assert cli([*db, "discover", "list", "--format", "xlsx", "--out", str(out)]).code == 0 and out.is_file()
    csv = cli([*db, "discover", "list", "--format", "csv"])
    assert csv.out.splitlines()[0] == ",".join(LIST_KEYS)
    bad = cli([*db, "discover", "list", "--state", "nonsense"])
    assert bad.code == 2 and "--state" in bad.err and "待核实（candidate）" in bad.err


def test_queries_show_what_could_not_be_searched(scenario: Scenario, cli) -> None:  # type: ignore[no-untyped-def]
    rows = json.loads(cli(["--db", scenario.db, "discover", "queries", "--format", "json"]).out)
    blocked = {(r["platform"], r["query"]) for r in rows if r["outcome"] == "blocked"}
    assert blocked == {("weibo", "甘肃发布"), ("bilibili", "平安城关")}
    assert {r["outcome"] for r in rows if r["platform"] == "toutiao" and r["query"] == "城关发布"} == {
        "empty"
    }


def test_the_next_run_resumes_with_what_is_pending(scenario: Scenario) -> None:
    scenario.server.search.faults.clear()
    settings = scenario.settings()
    env = discovery_env(load_config(None, env=scenario.env))
    second = run_discovery(scenario.db, settings=settings, env=env, now=datetime.now(UTC), timeout=120)
    rows = {p["platform"]: (p["queries"], p["searched"]) for p in second.platforms}
    assert rows == {
        "weibo": (1, 1),
        "wechat": (0, 0),
        "bilibili": (1, 1),
        "douyin": (0, 0),
        "kuaishou": (0, 0),
        "toutiao": (0, 0),
    }
    third = run_discovery(scenario.db, settings=settings, env=env, now=datetime.now(UTC), timeout=60)
    assert third.run_id is None and all(p["queries"] == 0 for p in third.platforms)
    # next month every query is due again
    later = datetime.now(UTC) + timedelta(days=32)
    from monitor.app.discovery import _plan

    _platforms, pending = _plan(scenario.db, settings, later, region="620123", platform="weibo", unit=None)
    assert len(pending) == 5  # 榆中县人民政府, 榆中发布, 榆中县融媒体中心, 榆中融媒体, 榆中融媒


def test_discover_run_command(scenario: Scenario, cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    for key, value in scenario.env.items():
        monkeypatch.setenv(key, value)
    r = cli(
        [
            "--db",
            scenario.db,
            "discover",
            "run",
            "--region",
            "620123",
            "--platform",
            "微博",
            "--format",
            "json",
        ]
    )
    assert r.code == 0, r
    assert json.loads(r.out) == [
        {
            "platform": "weibo",
            "queries": 0,
            "searched": 0,
            "blocked": 0,
            "failed": 0,
            "found": 0,
            "new_candidates": 0,
        }
    ]
    table = cli(["--db", scenario.db, "discover", "run", "--unit", "榆中县融媒体中心"])
    assert table.code == 0 and "待搜索" in table.out and "均已搜索" in table.out
    for args, word in (
        (["--region", "62a102"], "--region"),
        (["--platform", "网站"], "--platform"),
        (["--unit", "不存在的单位"], "--unit"),
    ):
        bad = cli(["--db", scenario.db, "discover", "run", *args])
        assert bad.code == 2 and word in bad.err and "Traceback" not in bad.err, (args, bad)


def test_registry_audit(scenario: Scenario, cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    r = cli(["--db", scenario.db, "registry", "audit", "--format", "json"])
    assert r.code == 0, r
    rows = json.loads(r.out)
    ids = scenario.ids
    kinds = {(row["account_id"], row["kind"]) for row in rows}
    assert kinds == {
        (ids["police_cancelled"], "ended_but_active"),  # cancelled, found again by the search
        (ids["media_closed"], "ended_but_active"),  # closed, still posting
        (ids["market_renamed"], "renamed_on_platform"),
        (ids["edu_gone"], "gone_on_platform"),
        (ids["media_no_contact"], "no_contact"),
        (ids["edu_failing"], "collection_failing"),
    }
    cancelled = next(row for row in rows if row["account_id"] == ids["police_cancelled"])
    assert "排查搜索仍能搜到" in cancelled["detail"] and cancelled["evidence"]["search"]["query"]
    table = cli(["--db", scenario.db, "registry", "audit", "--kind", "no_contact"])
    assert table.code == 0 and "城关融媒抖音" in table.out and "城关发布" not in table.out
    out = tmp_path / "核查.xlsx"
    assert cli(["--db", scenario.db, "registry", "audit", "--format", "xlsx", "--out", str(out)]).code == 0
    assert cli(["--db", scenario.db, "registry", "audit", "--kind", "bogus"]).code == 2


def test_the_circular_names_unfiled_and_unmanaged_accounts(scenario: Scenario) -> None:
    from registry.discovery.store import decide
    from reports.circular import compute_circular
    from reports.window import Window

    found = scenario.candidates()
    with session_scope(scenario.db) as s:
        for key in (("bilibili", "4102000001"), ("douyin", "MS4wLjABAAAAcg00000000000000001")):
            decide(s, found[key]["id"], state="unfiled", actor="核查员")
    today = datetime.now(TZ).date()
    with session_scope(scenario.db) as s:
        report = compute_circular(s, window=Window(today - timedelta(days=89), today), today=today)
    problems = {p.rule: p for p in report.context.problems}
    unfiled = problems["unfiled_accounts"]
    assert unfiled.label == "瞒报漏报、私开账号" and unfiled.accounts == 3 and unfiled.units == 3
    assert "“城关融媒”新浪微博账号" in unfiled.text and unfiled.accounts == 3 and "共3个账号" in unfiled.text
    unmanaged = problems["unmanaged_accounts"]
    assert unmanaged.label == "失管脱管、建而不管" and unmanaged.accounts == 4
    assert "平台显示已注销或不存在1个" in unmanaged.text and "“平安城关”" in unmanaged.text
    assert [p.ordinal for p in report.context.problems] == ["一", "二"]  # no check in this window
    assert report.figures["problems"]["unfiled_accounts"] == 3
    assert "被平台拦截" not in report.context.discovery_text  # the blocked searches were done again
    assert "未备案账号排查" in report.context.discovery_text


def test_the_scheduled_job_resumes_the_month(tmp_path: Path) -> None:
    from monitor.app import scheduler as sch

    db = str(tmp_path / "job.db")
    build(db)
    with StandinServer() as server:
        server.search.found.extend([t.found for t in truths()])
        server.search.faults.update(FAULTS)
        env = {**server.env(), **search_env(server)}
        config = load_config(None, env=env)
        jobs = sch.builtin_jobs(config)
        assert jobs[-1].name == "discovery" and jobs[-1].label == "未备案账号排查"
        scheduler = sch.Scheduler(jobs, db=db, config=config, clock=lambda: datetime.now(UTC))
        first = scheduler.run_job("discovery", trigger="once")
        assert first["status"] == "ok", first
        assert "被拦截 2" in first["summary"] and "本月尚有 2 个待搜索" in first["summary"]
        server.search.faults.clear()
        second = scheduler.run_job("discovery", trigger="once")
        assert "排查搜索 2/2 个搜索词" in second["summary"], second
        third = scheduler.run_job("discovery", trigger="once")
        assert third["summary"] == "本月排查已完成（没有待搜索的搜索词）"
