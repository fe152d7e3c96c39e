"""The filing life cycle with 驳回 (reject / refile) and the bulk forms of every step: all or
nothing, one summary line, one statement per table whatever the number of accounts."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import event

from registry import db as dbmod
from registry.db import session_scope
from registry.errors import GovmediaError
from registry.filing import accounts as filing
from tests.factories import CITY, COUNTY, DEPT, small_registry

STATES = ("pending", "rejected", "active", "closed", "cancelled")
# what each action may start from: the documented truth table of registry.filing.accounts
ALLOWED = {
    "approve": {"pending"},
    "reject": {"pending"},
    "refile": {"rejected"},
    "close": {"active"},
    "cancel": {"pending", "rejected", "active", "closed"},
}
# how to bring a fresh (pending) account into each state
PATHS = {
    "pending": [],
    "rejected": [("reject", "材料不全")],
    "active": [("approve", None)],
    "closed": [("approve", None), ("close", "整合")],
    "cancelled": [("cancel", "撤销")],
}


@pytest.fixture
def reg(any_db: str, cli):  # type: ignore[no-untyped-def]
    small_registry(any_db)
    run = lambda args: cli(["--db", any_db, *(args.split() if isinstance(args, str) else args)])  # noqa: E731
    run.db = any_db  # type: ignore[attr-defined]
    return run


def _file(db: str, n: int, unit: str = CITY, start: int = 0) -> list[int]:
    with session_scope(db) as s:
        return [
            filing.file_account(
                s,
                unit=unit,
                platform="weibo",
                name=f"账号{i}",
                platform_id=f"{1669879400 + start + i}",
                reason="工作需要",
                actor="t",
            ).id
            for i in range(n)
        ]


def _status(reg, account_id: int) -> str:  # type: ignore[no-untyped-def]
    return json.loads(reg(f"account show {account_id} --format json").out)["status"]


@pytest.mark.parametrize("action", list(ALLOWED))
@pytest.mark.parametrize("state", STATES)
def test_transition_truth_table(sqlite_db: str, action: str, state: str) -> None:
    small_registry(sqlite_db)
    (account_id,) = _file(sqlite_db, 1)
    with session_scope(sqlite_db) as s:
        for step, reason in PATHS[state]:
            filing.transition(s, step, [account_id], actor="t", reason=reason)
    with session_scope(sqlite_db) as s:
        if state in ALLOWED[action]:
            done = filing.transition(s, action, [account_id], actor="t", reason="原因")
            assert done.ids == [account_id]
            assert s.get(filing.Account, account_id).status == filing.TARGET[action]  # type: ignore[union-attr]
        else:
            with pytest.raises(GovmediaError, match="不能"):
                filing.transition(s, action, [account_id], actor="t", reason="原因")


def test_reject_goes_back_to_the_filer_and_can_be_filed_again(reg) -> None:  # type: ignore[no-untyped-def]
    (a,) = _file(reg.db, 1)
    assert reg(f"account reject {a}").code == 2  # a reason is required
    r = reg(["account", "reject", str(a), "--reason", "主办单位填写有误"])
    assert r.code == 0 and "已驳回" in r.out, r
    assert _status(reg, a) == "rejected"
    assert reg(f"account approve {a}").code == 2  # a rejected filing is not approved as it is
    again = reg(
        [
            "account",
            "file",
            "--unit",
            CITY,
            "--platform",
            "weibo",
            "--name",
            "x",
            "--platform-id",
            "1669879400",
        ]
    )
    assert again.code == 2 and f"account refile {a}" in again.err
    assert reg(["account", "change", str(a), "--unit", COUNTY, "--reason", "改为区政府主办"]).code == 0
    assert reg(f"account refile {a}").code == 0 and _status(reg, a) == "pending"
    assert reg(f"account approve {a}").code == 0 and _status(reg, a) == "active"
    history = json.loads(reg(f"account history {a} --format json").out)
    assert [h["action"] for h in history] == ["file", "reject", "change", "refile", "approve"]
    assert history[1]["reason"] == "主办单位填写有误"
    assert history[1]["changes"] == {"status": ["pending", "rejected"]}
    table = reg(f"account history {a}").out
    assert "驳回" in table and "重新报备" in table and "状态 待审核 → 已驳回" in table


def test_bulk_approve_is_all_or_nothing(reg) -> None:  # type: ignore[no-untyped-def]
    ids = _file(reg.db, 5)
    reg(f"account approve {ids[2]}")
    r = reg(["account", "approve", *map(str, ids)])
    assert r.code == 2 and str(ids[2]) in r.err and "已备案" in r.err and "均未改动" in r.err, r
    assert [_status(reg, i) for i in ids] == ["pending", "pending", "active", "pending", "pending"]
    r = reg(["account", "approve", *map(str, ids), "999"])
    assert r.code == 2 and "999" in r.err
    rest = [i for i in ids if i != ids[2]]
    r = reg(["account", "approve", *map(str, rest)])
    assert r.code == 0 and r.out.count("\n") == 1 and "已审核通过 4 个账号" in r.out, r
    numbers = {json.loads(reg(f"account show {i} --format json").out)["filing_no"] for i in ids}
    assert len(numbers) == 5 and all(n.startswith("620100-WB-") for n in numbers)


def test_approve_all_pending_of_one_unit(reg) -> None:  # type: ignore[no-untyped-def]
    city = _file(reg.db, 2)
    with session_scope(reg.db) as s:
        dept = filing.file_account(
            s, unit=DEPT, platform="douyin", name="教育", platform_id="1234567", actor="t"
        ).id
    assert reg("account approve").code == 2  # ids or --all-pending
    assert reg(f"account approve {city[0]} --all-pending").code == 2
    r = reg(["account", "approve", "--all-pending", "--unit", CITY, "--format", "json"])
    assert r.code == 0 and [a["id"] for a in json.loads(r.out)] == city
    assert _status(reg, dept) == "pending"
    assert reg("account approve --all-pending --unit " + CITY).code == 2  # nothing left there
    assert reg("account approve --all-pending").code == 0 and _status(reg, dept) == "active"


def test_single_forms_keep_their_output(reg) -> None:  # type: ignore[no-untyped-def]
    (a,) = _file(reg.db, 1)
    r = reg(f"account approve {a} --format json")
    assert r.code == 0 and json.loads(r.out)["status"] == "active"  # one object, as before
    r = reg(["account", "close", str(a), "--reason", "整合"])
    assert r.code == 0 and r.out.strip() == f"账号 {a} 已关停"


def test_bulk_close_and_cancel(reg) -> None:  # type: ignore[no-untyped-def]
    ids = _file(reg.db, 3)
    reg(["account", "approve", *map(str, ids)])
    assert reg(["account", "close", *map(str, ids)]).code == 2  # a reason is required
    r = reg(["account", "close", *map(str, ids), "--reason", "机构改革整合"])
    assert r.code == 0 and "已关停 3 个账号" in r.out
    r = reg(["account", "cancel", *map(str, ids), "--reason", "平台注销"])
    assert r.code == 0 and "已注销 3 个账号" in r.out
    history = json.loads(reg(f"account history {ids[1]} --format json").out)
    assert [h["action"] for h in history][-2:] == ["close", "cancel"] and history[-1]["reason"] == "平台注销"


def test_a_bulk_step_is_a_few_statements_not_one_per_account(sqlite_db: str) -> None:
    small_registry(sqlite_db)
    few, many = _file(sqlite_db, 3), _file(sqlite_db, 60, start=100)

    def statements(ids: list[int]) -> int:
        engine = dbmod.get_engine(sqlite_db)
        seen: list[str] = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            with session_scope(sqlite_db) as s:
                filing.transition(s, "approve", ids, actor="t")
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(seen)

    assert statements(many) == statements(few) <= 6
