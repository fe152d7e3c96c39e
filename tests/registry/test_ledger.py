"""The rectification ledger (整改台账): a circular opens items, notices mark them notified,
units report back, a later check closes or reopens them, and the next circular reports it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from registry.db import session_scope, utcnow
from registry.errors import InvalidValue
from registry.ledger import queries as ledger_queries
from registry.ledger import store as ledger
from tests.reports.test_data import FORMULA, build, finding, result, settle, store

CIRCULAR = "report circular --from 2026-07-01 --to 2026-09-30 --deadline 2026-11-15"


def _items(cli, db: str, extra: str = "") -> list[dict]:  # type: ignore[no-untyped-def]
    res = cli(f"--db {db} rectify list --format json {extra}")
    assert res.code == 0, res
    return json.loads(res.out)


@pytest.fixture
def issued(cli, any_db: str, tmp_path: Path) -> str:  # type: ignore[no-untyped-def]
    build(any_db)
    settle(any_db)  # a person has reviewed the window's last candidate: the circular can be issued
    res = cli(f"--db {any_db} {CIRCULAR} --out {tmp_path / 'c'} --format json")
    assert res.code == 0, res
    assert json.loads(res.out)["ledger_opened"] == 3
    return any_db


def test_a_circular_opens_one_item_per_account_and_rule(cli, issued: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    items = _items(cli, issued)
    assert [(i["account"], i["rule"], i["status"]) for i in items] == [
        ("兰州发布", "no_update", "open"),
        ("城关微博", "low_originality", "open"),
        ("天水发布", "no_interaction", "open"),
    ]
    assert set(items[0]) == set(ledger_queries.ITEM_KEYS) and items[0]["deadline"] == "2026-11-15"
    again = cli(f"--db {issued} {CIRCULAR} --out {tmp_path / 'c2'} --format json")
    assert json.loads(again.out)["ledger_opened"] == 0 and len(_items(cli, issued)) == 3


def test_the_life_cycle_through_a_later_check(cli, issued: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    res = cli(
        f"--db {issued} report notices --from 2026-07-01 --to 2026-09-30 --out {tmp_path / 'n'} --format json"
    )
    assert res.code == 0 and json.loads(res.out)["notified"] == 3
    assert {i["status"] for i in _items(cli, issued)} == {"notified"}
    ids = {i["account"]: i["id"] for i in _items(cli, issued)}
    res = cli(
        [
            "--db",
            issued,
            "rectify",
            "record",
            str(ids["天水发布"]),
            "--note",
            "已开通留言功能",
            "--evidence",
            "https://example.org/fix/7",
        ]
    )
    assert res.code == 0, res
    assert _items(cli, issued, "--status rectified")[0]["evidence_url"] == "https://example.org/fix/7"
    with session_scope(issued) as s:  # a later monthly check: 3 still silent, 7 fixed, 6 not collected
        later = store(
            s,
            "monthly",
            utcnow(),
            [
                result(3, "unqualified", [finding("no_update", "veto")]),
                result(7, "qualified"),
                result(6, "uncollected"),
            ],
        )
    res = cli(f"--db {issued} rectify review {later} --format json")
    assert json.loads(res.out) == {"closed": 1, "reopened": 1, "unchanged": 0, "waiting": 0}
    status = {i["account"]: i["status"] for i in _items(cli, issued)}
    assert status == {"兰州发布": "reopened", "天水发布": "closed", "城关微博": "notified"}
    history = json.loads(cli(f"--db {issued} rectify show {ids['天水发布']} --format json").out)
    assert [h["action"] for h in history] == ["open", "notify", "record", "close"]
    assert history[-1]["run_id"] == later and history[2]["note"] == "已开通留言功能"


def _later_check(db: str, at_day: str, results: list[dict]) -> int:  # type: ignore[type-arg]
    from datetime import date

    from registry.timeutil import day_start

    with session_scope(db) as s:
        return store(s, "monthly", day_start(date.fromisoformat(at_day)), results)


@pytest.mark.parametrize(
    ("status", "check_day", "found", "expected"),
    [
        ("notified", "2026-11-15", True, "notified"),  # on the deadline: not yet due
        ("notified", "2026-11-16", True, "reopened"),  # past the deadline, problem still there
        ("notified", "2026-11-16", False, "closed"),
        ("rectified", "2026-10-20", True, "reopened"),  # reported rectified: judged at once
        ("rectified", "2026-10-20", False, "closed"),
        ("open", "2026-10-20", True, "open"),  # not notified, not due: kept as it is
    ],
)
def test_review_judges_only_rectified_or_overdue_items(  # type: ignore[no-untyped-def]
    cli, issued: str, tmp_path: Path, status: str, check_day: str, found: bool, expected: str
) -> None:
    item = next(i for i in _items(cli, issued) if i["account"] == "兰州发布")  # account 3, no_update
    with session_scope(issued) as s:
        row = ledger.get_item(s, item["id"])
        if status in ("notified", "rectified"):
            ledger.notify(s, circular_id=row.circular_id, account_ids=[3], actor="tester")
        if status == "rectified":
            ledger.record(s, row.id, note="已恢复更新", actor="tester")
        row.opened_at = utcnow().replace(year=2026, month=10, day=1)
    findings = [finding("no_update", "veto")] if found else []
    run = _later_check(issued, check_day, [result(3, "unqualified" if found else "qualified", findings)])
    res = cli(f"--db {issued} rectify review {run} --format json")
    assert res.code == 0, res
    assert {i["account"]: i["status"] for i in _items(cli, issued)}["兰州发布"] == expected


def test_one_open_item_per_account_and_problem_across_circulars(cli, issued: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A second circular over an overlapping window names the same problems: it opens nothing new,
    and its notices quote the items already open."""
    res = cli(
        f"--db {issued} report circular --from 2026-08-01 --to 2026-09-30 --deadline 2026-11-30 "
        f"--out {tmp_path / 'overlap'} --format json"
    )
    assert res.code == 0, res
    assert json.loads(res.out)["ledger_opened"] == 0
    assert len(_items(cli, issued)) == 3
    res = cli(
        f"--db {issued} report notices --from 2026-08-01 --to 2026-09-30 --out {tmp_path / 'n2'} --format json"
    )
    assert res.code == 0 and json.loads(res.out)["notified"] >= 1
    assert {i["status"] for i in _items(cli, issued)} == {"notified"}
    with session_scope(issued) as s:  # once closed, the same problem found again opens a new item
        ledger.close(s, 1, note="人工复核已更新", actor="tester")
    res = cli(
        f"--db {issued} report circular --from 2026-09-01 --to 2026-09-30 --out {tmp_path / 'sep'} --format json"
    )
    assert res.code == 0 and json.loads(res.out)["ledger_opened"] == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ('rectify record 1 --note ""', "必须用 --note 说明整改情况"),
        ("rectify record 1 --note 已整改 --evidence ftp://x", "应为 http:// 或 https:// 开头的网址"),
        ("rectify record 99 --note 已整改", "找不到该整改事项"),
        ("rectify reopen 1 --note 复查", "当前状态为「已立项」，不能重新整改"),
        ("rectify list --status done", "应为已立项（open）、已反馈（notified）"),
    ],
)
def test_bad_steps_are_refused_in_one_chinese_line(cli, issued: str, args: str, message: str) -> None:  # type: ignore[no-untyped-def]
    res = cli(f"--db {issued} {args}")
    assert res.code == 2 and message in res.err, res


def test_a_closed_item_cannot_be_closed_again(issued: str) -> None:
    with session_scope(issued) as s:
        ledger.close(s, 1, note="人工复核已更新", actor="tester")
    with session_scope(issued) as s, pytest.raises(InvalidValue, match="当前状态为「已销号」，不能销号"):
        ledger.close(s, 1, note="再次", actor="tester")


def test_the_ledger_exports_to_xlsx_with_formulas_neutralised(cli, issued: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "台账.xlsx"
    res = cli(f"--db {issued} rectify list --format xlsx --out {target}")
    assert res.code == 0 and "已写入 3 行" in res.out
    rows = list(load_workbook(target)["整改台账"].iter_rows(values_only=True))
    assert rows[0][:4] == ("事项ID", "通报文号", "主办单位", "账号名称") and len(rows) == 4
    assert "'" + FORMULA in rows[3] and FORMULA not in rows[3]
    csv_out = cli(f"--db {issued} rectify list --format csv").out
    assert csv_out.splitlines()[0].startswith("事项ID,通报文号,主办单位,账号名称")


def test_the_next_circular_reports_the_ledger(cli, issued: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with session_scope(issued) as s:
        ledger.record(s, 2, note="提高原创", actor="tester")
        ledger.close(s, 3, note="人工复核通过", actor="tester")
    res = cli(
        f"--db {issued} report circular --from 2026-10-01 --to 2026-12-31 --draft --out {tmp_path / 'q4'} --format json"
    )
    assert res.code == 0, res
    summary = json.loads(res.out)
    assert summary["ledger"] == {"open": 1, "notified": 0, "rectified": 1, "closed": 1, "reopened": 0}
    import docx

    text = "\n".join(p.text for p in docx.Document(summary["files"]["docx"]).paragraphs)
    assert (
        "上期通报列入整改台账的问题3项，已销号1项，已整改待复核1项，尚未反馈整改情况1项。" in text
    )  # a count of zero (整改未通过0项) is left out


def test_circular_numbers_run_per_year_and_stay_with_their_circular(any_db: str) -> None:
    from datetime import date

    from registry.ledger import numbers

    build(any_db)

    def save(start: date, end: date) -> int:
        circular, _ = ledger.save_circular(
            s, title="通报", doc_no=None, window_from=start, window_to=end, deadline=end,
            figures={}, problems=[], actor="t",
        )  # fmt: skip
        return circular.id

    def render(year: int, seq: int) -> str:
        return f"某办〔{year}〕{seq}号"

    with session_scope(any_db) as s:
        q2, q3, q4 = (
            save(date(2026, 4, 1), date(2026, 6, 30)),
            save(date(2026, 7, 1), date(2026, 9, 30)),
            save(date(2026, 10, 1), date(2026, 12, 31)),
        )
        first = numbers.assign_number(s, circular_id=q2, year=2026, render=render, actor="t")
        second = numbers.assign_number(s, circular_id=q3, year=2026, render=render, actor="t")
        again = numbers.assign_number(s, circular_id=q2, year=2027, render=render, actor="t")
        next_year = numbers.assign_number(s, circular_id=q4, year=2027, render=render, actor="t")
    assert (first.doc_no, second.doc_no, next_year.doc_no) == (
        "某办〔2026〕1号",
        "某办〔2026〕2号",
        "某办〔2027〕1号",
    )
    assert again.id == first.id and again.doc_no == "某办〔2026〕1号"  # a circular keeps its number
    with session_scope(any_db) as s:
        assert numbers.next_seq(s, 2026) == 3 and numbers.next_seq(s, 2028) == 1
