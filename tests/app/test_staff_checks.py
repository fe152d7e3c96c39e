"""Checks as staff work them: Chinese option values, the check sheet in Chinese with drop-downs
and a dry run, findings found by unit and region with their evidence readable, bulk review."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.app.test_check_cli import AT_TEXT, run_json
from tests.monitor.test_check_scenario import build


@pytest.fixture
def scenario(sqlite_db: str) -> dict[str, int]:
    return build(sqlite_db)


@pytest.mark.parametrize(
    ("args", "code"),
    [
        ("check run --kind 周抽查", "weekly"),
        ("check run --kind 月检查", "monthly"),
        ("check run --kind 专项检查", "adhoc"),
        ("check run --kind monthly --profile 甘肃省指标", "monthly"),
    ],
)
def test_chinese_kinds_and_profiles(cli, scenario: dict[str, int], args: str, code: str) -> None:  # type: ignore[no-untyped-def]
    r = cli([*args.split(), "--at", AT_TEXT, "--format", "json"])
    assert r.code == 0, r
    assert json.loads(r.out)["kind"] == code


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ("--status 待复核", "candidate"),
        ("--status candidate", "candidate"),
        ("--status 待确认", "candidate"),
        ("--rule 严重表述错误", "serious_error"),
    ],
)
def test_finding_filters_take_chinese(cli, scenario: dict[str, int], args: str, expected: str) -> None:  # type: ignore[no-untyped-def]
    run_json(cli, "--kind", "monthly", "--at", AT_TEXT)
    rows = json.loads(cli(f"finding list {args} --format json").out)
    assert rows and {r["status"] if "status" in args else r["rule"] for r in rows} == {expected}


def test_bad_values_list_the_chinese_choices(cli, scenario: dict[str, int]) -> None:  # type: ignore[no-untyped-def]
    r = cli("check run --kind 年检")
    assert r.code == 2 and "周抽查（weekly）、月检查（monthly）" in r.err
    r = cli("finding list --status 已完成")
    assert r.code == 2 and "待复核（candidate）" in r.err
    r = cli("rectify list --status 已完成")
    assert r.code == 2 and "已反馈（notified）" in r.err
    r = cli("account list --status 在审")
    assert r.code == 2 and "已驳回（rejected）" in r.err


def test_check_sheet_is_chinese_and_imports_back(cli, scenario: dict[str, int], tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data = run_json(cli, "--kind", "monthly", "--at", AT_TEXT)
    sheet = tmp_path / "检查表.xlsx"
    assert cli(["check", "sheet", str(data["run_id"]), str(sheet)]).code == 0
    book = load_workbook(sheet)
    ws = book.worksheets[0]
    header = [c.value for c in ws[1]]
    assert header == [
        "账号ID", "主办单位", "平台", "账号名称", "抽样原因", "机器结论", "机器发现的问题",
        "最近发布", "规则", "级别", "检查说明", "检查时间",
    ]  # fmt: skip
    rows = [list(r) for r in ws.iter_rows(min_row=2, values_only=True)]
    assert {r[2] for r in rows} <= {"新浪微博", "微信公众号", "抖音"}
    assert {r[5] for r in rows} <= {"合格", "不合格", "未能采集"}
    lists = {str(dv.sqref)[0]: dv.formula1 for dv in ws.data_validations.dataValidation}
    assert set(lists) == {"I", "J"}
    options = {c.value for row in book["下拉选项"].iter_rows() for c in row}
    assert {"未提供有效互动功能", "单项否决", "扣分"} <= options
    assert "填写说明" in book.sheetnames
    regular, copier = scenario["regular"], scenario["copier"]
    for row in ws.iter_rows(min_row=2):
        if row[0].value in (regular, copier):
            row[header.index("规则")].value = (
                "未提供有效互动功能" if row[0].value == regular else "发布商业广告"
            )
            row[header.index("级别")].value = "单项否决"
            row[header.index("检查说明")].value = "留言功能已关闭"
            row[header.index("检查时间")].value = "2026年11月22日 15:00"
    book.save(sheet)
    r = cli(["observe", "import", str(sheet), "--dry-run"])
    assert r.code == 0 and "将导入 2 条" in r.out, r
    assert f"账号 {regular}：未提供有效互动功能（单项否决）留言功能已关闭" in r.out
    after = run_json(cli, "--kind", "monthly", "--at", AT_TEXT)
    assert next(a for a in after["accounts"] if a["account_id"] == regular)["verdict"] != "unqualified"
    assert cli(["observe", "import", str(sheet)]).code == 0
    after = run_json(cli, "--kind", "monthly", "--at", AT_TEXT)
    assert next(a for a in after["accounts"] if a["account_id"] == regular)["verdict"] == "unqualified"


def test_observation_errors_name_the_files_columns(cli, scenario: dict[str, int], tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "o.csv"
    path.write_text(f"账号,规则,说明\n{scenario['regular']},不存在的规则,x\n", encoding="utf-8")
    r = cli(["observe", "import", str(path)])
    assert r.code == 2 and "第2行 列「规则」的值「不存在的规则」" in r.err
    path.write_text(f"账号,规则,说明\n{scenario['regular']},内容娱乐化,\n", encoding="utf-8")
    r = cli(["observe", "import", str(path)])
    assert r.code == 2 and "第2行 列「说明」" in r.err  # as the file names it, not 检查说明


def test_findings_by_unit_and_region_with_their_evidence(cli, scenario: dict[str, int]) -> None:  # type: ignore[no-untyped-def]
    run_json(cli, "--kind", "monthly", "--at", AT_TEXT)
    everything = json.loads(cli("finding list --format json").out)
    units = {f["unit"] for f in everything}
    assert len(units) > 1
    city = json.loads(cli("finding list --region 620100 --format json").out)
    assert city and {f["unit"] for f in city} <= {"兰州市人民政府", "兰州市某局"}
    one = json.loads(cli(["finding", "list", "--unit", "兰州市某局", "--format", "json"]).out)
    assert one and {f["unit"] for f in one} == {"兰州市某局"}
    assert cli("finding list --region 62010").code == 2
    table = cli("finding list").out
    assert max(len(line) for line in table.splitlines()) <= 120
    with_posts = next(f for f in everything if (f["evidence"] or {}).get("posts"))
    shown = cli(f"finding show {with_posts['id']}")
    assert shown.code == 0, shown
    post = with_posts["evidence"]["posts"][0]
    assert "内容 1：" in shown.out and post["published_at"][:16].replace("T", " ") in shown.out
    assert "正文：" in shown.out
    detail = json.loads(cli(f"finding show {with_posts['id']} --format json").out)
    assert detail["posts"][0]["text"] and detail["rule"] == with_posts["rule"]


def test_bulk_review_is_all_or_nothing(cli, scenario: dict[str, int]) -> None:  # type: ignore[no-untyped-def]
    run_json(cli, "--kind", "monthly", "--at", AT_TEXT)
    confirmed = [f["id"] for f in json.loads(cli("finding list --status 已确认 --format json").out)][:2]
    candidates = [f["id"] for f in json.loads(cli("finding list --status 待复核 --format json").out)]
    assert candidates and len(confirmed) == 2
    r = cli(["finding", "confirm", *map(str, candidates + confirmed)])
    assert r.code == 2 and "均未改动" in r.err, r
    assert [f["id"] for f in json.loads(cli("finding list --status 待复核 --format json").out)] == candidates
    r = cli(["finding", "dismiss", *map(str, confirmed), "--note", "复核为误报"])
    assert r.code == 0 and "已排除 2 条问题" in r.out and r.out.count("\n") == 1, r
    assert {f["status"] for f in json.loads(cli("finding list --status 已排除 --format json").out)} == {
        "dismissed"
    }
