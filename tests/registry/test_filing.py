"""The filing life cycle through the CLI, on an SQLite file and on PostgreSQL."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from registry.db import session_scope
from registry.filing.models import Account, FilingEvent
from tests.factories import CITY, COUNTY, DEPT, PROVINCE, credit, small_registry


@pytest.fixture
def reg(any_db: str, cli):  # type: ignore[no-untyped-def]
    small_registry(any_db)

    def run(args: str):  # type: ignore[no-untyped-def]
        return cli(["--db", any_db, *__import__("shlex").split(args)])

    run.db = any_db  # type: ignore[attr-defined]
    return run


def _file(reg, name="兰州发布", pid="1669879400", platform="weibo", unit=CITY, extra=""):  # type: ignore[no-untyped-def]
    r = reg(
        f"account file --unit {unit} --platform {platform} --name {name} "
        f"--platform-id {pid} {extra} --format json"
    )
    assert r.code == 0, r
    return json.loads(r.out)["id"]


def _count(db: str, model) -> int:  # type: ignore[no-untyped-def]
    with session_scope(db) as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def test_full_life_cycle_and_history(reg) -> None:  # type: ignore[no-untyped-def]
    aid = _file(reg, extra="--phone 13800138000 --owner 张三")
    shown = json.loads(reg("account list --format json").out)
    assert shown == [
        {
            "id": aid,
            "filing_no": None,
            "unit": CITY,
            "platform": "weibo",
            "name": "兰州发布",
            "platform_id": "1669879400",
            "status": "pending",
            "level": "city",
            "region": "620100",
        }
    ]
    assert reg(f"account approve {aid}").code == 0
    row = json.loads(reg("account list --format json").out)[0]
    assert row["status"] == "active" and row["filing_no"] == f"620100-WB-{aid:06d}"
    assert reg(f"account change {aid} --name 兰州发布厅 --reason 机构更名").code == 0
    assert reg(f"account close {aid} --reason 整合关停").code == 0
    assert reg(f"account cancel {aid} --reason 平台已注销").code == 0
    history = json.loads(reg(f"--user 李四 account history {aid} --format json").out)
    assert [h["action"] for h in history] == ["file", "approve", "change", "close", "cancel"]
    assert set(history[0]) == {"at", "action", "actor", "reason", "changes"}
    assert history[2]["changes"]["name"] == ["兰州发布", "兰州发布厅"]
    assert history[2]["reason"] == "机构更名"
    assert history[4]["changes"]["status"] == ["closed", "cancelled"]
    assert all(h["actor"] == "tester" for h in history)  # GOVMEDIA_USER from the fixture
    assert history[0]["at"].endswith("+08:00")


def test_actor_comes_from_user_option(reg) -> None:  # type: ignore[no-untyped-def]
    aid = _file(reg)
    assert reg(f"--user 王五 account approve {aid}").code == 0
    history = json.loads(reg(f"account history {aid} --format json").out)
    assert [h["actor"] for h in history] == ["tester", "王五"]


@pytest.mark.parametrize(
    ("steps", "action", "status_word"),
    [
        ([], "close {id} --reason x", "待审核"),
        ([], "change {id} --name 新 --reason x", None),  # allowed: pending may change
        (["approve {id}"], "approve {id}", "已备案"),
        (["approve {id}", "close {id} --reason x"], "close {id} --reason x", "已关停"),
        (["approve {id}", "close {id} --reason x"], "approve {id}", "已关停"),
        (["approve {id}", "close {id} --reason x"], "change {id} --name 新 --reason x", "已关停"),
        (["cancel {id} --reason x"], "cancel {id} --reason x", "已注销"),
        (["cancel {id} --reason x"], "approve {id}", "已注销"),
    ],
)
def test_transitions(reg, steps, action, status_word) -> None:  # type: ignore[no-untyped-def]
    aid = _file(reg)
    for step in steps:
        assert reg("account " + step.format(id=aid)).code == 0
    events_before = _count(reg.db, FilingEvent)
    r = reg("account " + action.format(id=aid))
    if status_word is None:
        assert r.code == 0, r
        return
    assert r.code == 2, r
    assert status_word in r.err and str(aid) in r.err
    assert "Traceback" not in r.err and len(r.err.strip().splitlines()) == 1
    assert _count(reg.db, FilingEvent) == events_before


@pytest.mark.parametrize(
    "action", ["change {id} --name 新名", "close {id}", "cancel {id}", "close {id} --reason ' '"]
)
def test_reason_required(reg, action) -> None:  # type: ignore[no-untyped-def]
    aid = _file(reg)
    reg(f"account approve {aid}")
    r = reg("account " + action.format(id=aid))
    assert r.code == 2 and "原因" in r.err


def test_rename_keeps_old_name_searchable(reg) -> None:  # type: ignore[no-untyped-def]
    aid = _file(reg, name="城关发布")
    reg(f"account change {aid} --name 城关区融媒 --reason 更名")
    reg(f"account change {aid} --name 城关区政务 --reason 再次更名")
    found = json.loads(reg("account list --search 城关发布 --format json").out)
    assert [a["id"] for a in found] == [aid] and found[0]["name"] == "城关区政务"
    detail = json.loads(reg(f"account show {aid} --format json").out)
    assert detail["former_names"] == ["城关发布", "城关区融媒"]
    assert json.loads(reg("account list --search 不存在 --format json").out) == []


def test_same_platform_id_filed_once(reg) -> None:  # type: ignore[no-untyped-def]
    _file(reg)
    r = reg(f"account file --unit {COUNTY} --platform 新浪微博 --name 别名 --platform-id 1669879400")
    assert r.code == 2 and "1669879400" in r.err and "已备案" in r.err
    assert _count(reg.db, Account) == 1


def test_second_account_on_platform_needs_reason(reg) -> None:  # type: ignore[no-untyped-def]
    _file(reg)
    r = reg(f"account file --unit {CITY} --platform weibo --name 兰州应急 --platform-id 1669879401")
    assert r.code == 2 and "--reason" in r.err and "一个单位" in r.err
    assert _count(reg.db, Account) == 1
    aid = _file(reg, name="兰州应急", pid="1669879401", extra="--reason 应急信息发布专用")
    history = json.loads(reg(f"account history {aid} --format json").out)
    assert history[0]["reason"] == "应急信息发布专用"


def test_closed_account_frees_the_platform_slot(reg) -> None:  # type: ignore[no-untyped-def]
    first = _file(reg)
    reg(f"account approve {first}")
    reg(f"account close {first} --reason 整合")
    assert _file(reg, name="兰州新", pid="1669879402") > first


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ("--unit 不存在的单位 --platform weibo --name a --platform-id 1669879400", "主办单位"),
        (f"--unit {CITY} --platform 推特 --name a --platform-id 1669879400", "平台"),
        (f"--unit {CITY} --platform wechat --name a --platform-id gh_xyz", "平台账号ID"),
        (f"--unit {CITY} --platform weibo --name a --platform-id 12ab", "平台账号ID"),
        (f"--unit {CITY} --platform weibo --name a --platform-id 1669879400 --phone 12345", "联系电话"),
        (f"--unit {CITY} --platform weibo --name a --platform-id 1669879400 --url ftp://x", "链接"),
        (f"--unit {CITY} --platform weibo --name ' ' --platform-id 1669879400", "账号名称"),
        (
            f"--unit {CITY} --platform weibo --name a --platform-id 1669879400 --opened-on 2026-13-01",
            "开设日期",
        ),
    ],
)
def test_bad_filing_input(reg, args, field) -> None:  # type: ignore[no-untyped-def]
    r = reg("account file " + args)
    assert r.code == 2, r
    assert f"「{field}」" in r.err and "Traceback" not in r.err
    assert len(r.err.strip().splitlines()) == 1
    assert _count(reg.db, Account) == 0 and _count(reg.db, FilingEvent) == 4  # the 4 units


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ("--name 测试 --level city --region 620000", "行政区划代码"),
        ("--name 测试 --level county --region 621102 --parent " + CITY, "行政区划代码"),
        ("--name 测试 --level city --region 620100 --parent " + COUNTY, "上级单位"),
        ("--name 测试 --level county --region 620102 --parent 无此单位", "上级单位"),
        ("--name 测试 --level county --region 620102 --credit-code 116200000139012710", "统一社会信用代码"),
        ("--name 测试 --level nation --region 620102", "级别"),
        ("--name 测试 --level county --region 620102 --kind 公司", "类型"),
        (f"--name {CITY} --level city --region 620100", "单位名称"),
    ],
)
def test_bad_unit_input(reg, args, field) -> None:  # type: ignore[no-untyped-def]
    before = json.loads(reg("unit list --format json").out)
    r = reg("unit add " + args)
    assert r.code == 2, r
    assert f"「{field}」" in r.err
    assert json.loads(reg("unit list --format json").out) == before


def test_unit_list_json(reg) -> None:  # type: ignore[no-untyped-def]
    units = json.loads(reg("unit list --format json").out)
    assert {u["name"] for u in units} == {PROVINCE, DEPT, CITY, COUNTY}
    county = next(u for u in units if u["name"] == COUNTY)
    assert county == {
        "id": county["id"],
        "name": COUNTY,
        "level": "county",
        "kind": "government",
        "region": "620102",
        "parent": CITY,
        "credit_code": None,
        "merged_into": None,
    }
    province = next(u for u in units if u["name"] == PROVINCE)
    assert province["credit_code"] == credit("11620000013901271")


def test_list_filters(reg) -> None:  # type: ignore[no-untyped-def]
    a = _file(reg)
    b = _file(reg, name="城关发布", pid="gh_0123456789ab", platform="微信公众号", unit=COUNTY)
    reg(f"account approve {b}")

    def ids(args: str) -> list[int]:
        return [x["id"] for x in json.loads(reg(f"account list {args} --format json").out)]

    assert ids("") == [a, b]
    assert ids("--platform wechat") == [b]
    assert ids("--platform 新浪微博") == [a]
    assert ids("--status active") == [b]
    assert ids("--status pending") == [a]
    assert ids("--level county") == [b]
    assert ids(f"--unit {CITY}") == [a]
    assert reg("account list --status lost").code == 2
    csv_out = reg("account list --format csv").out.splitlines()
    assert csv_out[0] == "ID,备案编号,主办单位,平台,账号名称,平台账号ID,状态,级别,行政区划"
    assert csv_out[1].split(",")[3:7:3] == ["新浪微博", "待审核"]
    assert len(csv_out) == 3


def test_unknown_account_id(reg) -> None:  # type: ignore[no-untyped-def]
    for args in ("account show 999", "account approve 999", "account history 999"):
        r = reg(args)
        assert r.code == 2 and "999" in r.err
