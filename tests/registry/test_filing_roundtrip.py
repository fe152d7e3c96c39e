"""Spreadsheets that round-trip: an exported registry edited in Excel imports back as changes of
the same accounts; the template guides staff (填表说明, 必填, drop-downs, text ID columns, an
example row); units have the same (template / import / export, change, merge)."""

from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from tests.factories import CITY, COUNTY, DEPT, PROVINCE, small_registry


@pytest.fixture
def reg(sqlite_db: str, cli):  # type: ignore[no-untyped-def]
    small_registry(sqlite_db)
    return lambda args: cli(["--db", sqlite_db, *(args.split() if isinstance(args, str) else args)])


def _accounts(reg) -> list[dict]:  # type: ignore[no-untyped-def]
    return json.loads(reg("account list --format json").out)


def _filed(reg) -> list[int]:  # type: ignore[no-untyped-def]
    for args in (
        [
            "--unit",
            CITY,
            "--platform",
            "微博",
            "--name",
            "兰州发布",
            "--platform-id",
            "1669879400",
            "--phone",
            "13800138000",
        ],
        ["--unit", COUNTY, "--platform", "公众号", "--name", "城关发布", "--platform-id", "gh_0123456789ab"],
    ):
        assert reg(["account", "file", *args]).code == 0
    ids = [a["id"] for a in _accounts(reg)]
    assert reg(["account", "approve", str(ids[0])]).code == 0
    return ids


def _sheet(path: Path) -> tuple[list[str], list[list[object]]]:
    ws = load_workbook(path).worksheets[0]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    return [str(h) for h in rows[0]], rows[1:]


def _edit(path: Path, target: Path, changes: dict[tuple[int, str], object]) -> Path:
    """Change cells of an exported sheet the way staff do in Excel: (row index, header) → value."""
    book = load_workbook(path)
    ws = book.worksheets[0]
    headers = [str(c.value).removesuffix("（必填）") for c in ws[1]]
    for (row, header), value in changes.items():
        ws.cell(row=row + 2, column=headers.index(header) + 1, value=value)
    book.save(target)
    return target


def test_an_edited_export_imports_as_changes(reg, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ids = _filed(reg)
    out = tmp_path / "导出.xlsx"
    assert reg(["account", "export", str(out)]).code == 0
    # untouched, the export imports back as nothing to do
    r = reg(["account", "import", str(out)])
    assert r.code == 0 and "新增 0 个账号，变更 0 个，未改动 2 个" in r.out, r
    # a phone and a name changed without a reason: refused, naming the column
    edited = _edit(out, tmp_path / "改.xlsx", {(0, "联系电话"): "13900139000", (0, "账号名称"): "兰州发布厅"})
    r = reg(["account", "import", str(edited)])
    assert r.code == 2 and "第2行 列「变更原因」" in r.err and "账号名称、联系电话" in r.err, r
    assert "已被其他账号使用" not in r.err
    # with a reason: the dry run shows the change, writes nothing
    edited = _edit(edited, edited, {(0, "变更原因"): "负责人调整"})
    r = reg(["account", "import", str(edited), "--dry-run"])
    assert r.code == 0, r
    assert "第2行 变更 620100-WB-" in r.out and "账号名称 兰州发布 → 兰州发布厅" in r.out
    assert "联系电话 13800138000 → 13900139000" in r.out and "（原因：负责人调整）" in r.out
    assert "将新增 0 个账号，变更 1 个，未改动 1 个" in r.out
    assert _accounts(reg)[0]["name"] == "兰州发布"
    r = reg(["account", "import", str(edited)])
    assert r.code == 0 and "变更 1 个" in r.out
    detail = json.loads(reg(f"account show {ids[0]} --format json").out)
    assert detail["name"] == "兰州发布厅" and detail["phone"] == "13900139000"
    assert detail["former_names"] == ["兰州发布"]
    history = json.loads(reg(f"account history {ids[0]} --format json").out)
    assert history[-1]["action"] == "change" and history[-1]["reason"] == "负责人调整"
    assert history[-1]["changes"]["phone"] == ["13800138000", "13900139000"]
    assert [a["name"] for a in json.loads(reg("account list --search 兰州发布 --format json").out)] == [
        "兰州发布厅"
    ]


def test_what_a_sheet_cannot_change(reg, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _filed(reg)
    out = tmp_path / "导出.xlsx"
    reg(["account", "export", str(out)])
    edited = _edit(
        out,
        tmp_path / "改.xlsx",
        {(0, "状态"): "已关停", (0, "平台账号ID"): "1669879401", (0, "平台"): "抖音", (0, "变更原因"): "x"},
    )
    r = reg(["account", "import", str(edited)])
    assert r.code == 2, r
    assert "第2行 列「状态」的值「已关停」无效：表格中不能修改状态" in r.err
    assert (
        "第2行 列「平台账号ID」" in r.err and "第2行 列「平台」的值「抖音」无效：表格中不能修改平台" in r.err
    )


def test_a_pending_filing_without_number_is_the_same_filing(reg, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ids = _filed(reg)
    out = tmp_path / "导出.csv"
    reg(["account", "export", str(out)])
    rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
    header = rows[0]
    rows[2][header.index("负责人")] = "李四"
    rows[2][header.index("变更原因")] = "补充负责人"
    with out.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(rows)
    r = reg(["account", "import", str(out)])
    assert r.code == 0 and "变更 1 个" in r.out, r
    assert json.loads(reg(f"account show {ids[1]} --format json").out)["owner"] == "李四"


def test_template_guides_staff(reg, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "登记表.xlsx"
    assert reg(["account", "template", str(target)]).code == 0
    book = load_workbook(target)
    assert book.sheetnames[:2] == ["备案登记表", "填表说明"]
    ws = book["备案登记表"]
    headers = [c.value for c in ws[1]]
    assert headers[:4] == ["主办单位（必填）", "平台（必填）", "账号名称（必填）", "平台账号ID（必填）"]
    assert "级别" in headers and "官方认证" in headers
    lists = {}
    for dv in ws.data_validations.dataValidation:
        column = str(dv.sqref).split(":")[0].rstrip("0123456789")
        lists[headers[ord(column) - ord("A")]] = dv.formula1
    assert set(lists) >= {"主办单位（必填）", "平台（必填）", "官方认证", "级别"}
    options = book["下拉选项"]
    values = {c.value for row in options.iter_rows() for c in row if c.value}
    assert {"新浪微博", "微信公众号", "是", "否", "市州", CITY, COUNTY, DEPT} <= values
    pid = headers.index("平台账号ID（必填）") + 1
    phone = headers.index("联系电话") + 1
    letters = [ws.cell(row=1, column=c).column_letter for c in (pid, phone)]
    assert [ws.column_dimensions[letter].number_format for letter in letters] == ["@", "@"]
    assert "【示例】" in str(ws.cell(row=2, column=headers.index("备注") + 1).value)
    notes = [r[0] for r in book["填表说明"].iter_rows(values_only=True)]
    assert "平台账号ID" in notes and "变更原因" not in notes
    # filled in below the example row, with a 16-digit 头条 ID typed as text and staff's dates
    ws.append(
        [
            CITY,
            "今日头条",
            "兰州头条",
            "1234567890123456",
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            "2019/6/1",
            "是",
        ]
    )
    ws.append(
        [
            CITY,
            "抖音",
            "兰州抖音",
            "1234567",
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            "2019.6.1",
            "否",
            "工作需要",
        ]
    )
    ws.append(
        [
            COUNTY,
            "B站",
            "城关B站",
            "7654321",
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            datetime(2019, 6, 1),
            None,
        ]
    )
    ws.append(
        [
            COUNTY,
            "快手",
            "城关快手",
            "ks_12345",
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            "2019年6月1日",
            None,
        ]
    )
    book.save(target)
    r = reg(["account", "import", str(target)])
    assert r.code == 0 and "新增 4 个账号" in r.out, r
    assert "已跳过模板中的示例行 1 行" in r.err
    listed = _accounts(reg)
    assert [a["platform_id"] for a in listed] == ["1234567890123456", "1234567", "7654321", "ks_12345"]
    for a in listed:
        assert json.loads(reg(f"account show {a['id']} --format json").out)["opened_on"] == "2019-06-01"


def test_a_numeric_16_digit_id_is_refused_with_the_fix(reg, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    book = Workbook()
    ws = book.active
    ws.append(["主办单位", "平台", "账号名称", "平台账号ID"])
    ws.append([CITY, "今日头条", "兰州头条", 1234567890123456])
    book.save(tmp_path / "n.xlsx")
    r = reg(["account", "import", str(tmp_path / "n.xlsx")])
    assert r.code == 2 and "列「平台账号ID」" in r.err and "设为文本" in r.err


def test_unknown_columns_are_named_and_empty_files_refused(reg, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "a.csv"
    path.write_text(
        f"主办单位,平台,账号名称,平台账号ID,微信号,粉丝数\n{CITY},微博,兰州发布,1669879400,x,1\n",
        encoding="utf-8",
    )
    r = reg(["account", "import", str(path)])
    assert r.code == 0 and "未识别的列已忽略：「微信号」、「粉丝数」" in r.err, r
    path.write_text("主办单位,平台,账号名称,平台账号ID\n", encoding="utf-8")
    r = reg(["account", "import", str(path)])
    assert r.code == 2 and "没有数据行" in r.err


def test_level_given_for_a_new_row_must_be_its_units(reg, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "a.csv"
    path.write_text(
        f"主办单位,平台,账号名称,平台账号ID,级别\n{CITY},微博,兰州发布,1669879400,县区\n", encoding="utf-8"
    )
    r = reg(["account", "import", str(path)])
    assert (
        r.code == 2
        and "第2行 列「级别」的值「县区」无效：与主办单位「兰州市人民政府」登记的级别「市州」不符" in r.err
    )


# --- units --------------------------------------------------------------------------------


def test_unit_sheet_round_trip(reg, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    template = tmp_path / "单位.xlsx"
    assert reg(["unit", "template", str(template)]).code == 0
    book = load_workbook(template)
    ws = book.worksheets[0]
    assert [c.value for c in ws[1]][:3] == ["单位名称（必填）", "级别（必填）", "行政区划代码（必填）"]
    ws.append(["兰州市七里河区人民政府", "县区", "620103", "政府", CITY])
    ws.append(["兰州市七里河区教育局", "县区", "620103", "部门", "兰州市七里河区人民政府"])
    book.save(template)
    r = reg(["unit", "import", str(template), "--dry-run"])
    assert r.code == 0 and "第3行 新增：兰州市七里河区人民政府" in r.out and "将新增 2 个单位" in r.out, r
    assert reg(["unit", "import", str(template)]).code == 0
    names = {u["name"]: u for u in json.loads(reg("unit list --format json").out)}
    assert names["兰州市七里河区教育局"]["parent"] == "兰州市七里河区人民政府"
    exported = tmp_path / "导出.xlsx"
    assert reg(["unit", "export", str(exported)]).code == 0
    _, rows = _sheet(exported)
    assert reg(["unit", "import", str(exported)]).out.count("未改动 6 个") == 1
    index = next(i for i, r in enumerate(rows) if r[0] == "兰州市七里河区教育局")
    edited = _edit(exported, tmp_path / "改.xlsx", {(index, "单位名称"): "兰州市七里河区教育和体育局"})
    r = reg(["unit", "import", str(edited)])
    assert r.code == 2 and "列「变更原因」" in r.err
    edited = _edit(edited, edited, {(index, "变更原因"): "机构更名"})
    assert reg(["unit", "import", str(edited)]).code == 0
    assert "兰州市七里河区教育和体育局" in {u["name"] for u in json.loads(reg("unit list --format json").out)}


def test_unit_change_and_merge_keep_history(reg) -> None:  # type: ignore[no-untyped-def]
    ids = _filed(reg)
    assert reg(["unit", "change", COUNTY, "--name", "兰州市城关区政府"]).code == 2  # a reason is required
    r = reg(["unit", "change", COUNTY, "--name", "兰州市城关区政府", "--reason", "规范名称"])
    assert r.code == 0, r
    history = reg(["unit", "history", "兰州市城关区政府"]).out
    assert "单位变更" in history and f"单位名称 {COUNTY} → 兰州市城关区政府" in history
    r = reg(["unit", "merge", "兰州市城关区政府", "--into", CITY, "--reason", "机构改革"])
    assert r.code == 0 and "转入账号 1 个" in r.out, r
    assert "新浪微博" not in r.err  # the city had one weibo and gets a wechat: no duplicate
    moved = json.loads(reg(f"account show {ids[1]} --format json").out)
    assert moved["unit"] == CITY
    changes = json.loads(reg(f"account history {ids[1]} --format json").out)[-1]
    assert changes["changes"] == {"unit": ["兰州市城关区政府", CITY]} and changes["reason"] == "机构改革"
    merged = next(
        u for u in json.loads(reg("unit list --format json").out) if u["name"] == "兰州市城关区政府"
    )
    assert merged["merged_into"] == CITY
    assert "兰州市城关区政府" not in reg("unit list --current").out
    r = reg(
        [
            "account",
            "file",
            "--unit",
            "兰州市城关区政府",
            "--platform",
            "抖音",
            "--name",
            "x",
            "--platform-id",
            "12345678",
        ]
    )
    assert r.code == 2 and f"已并入「{CITY}」" in r.err
    assert "单位合并" in reg(["unit", "history", "兰州市城关区政府"]).out


def test_a_merge_names_the_platforms_left_with_two_accounts(reg) -> None:  # type: ignore[no-untyped-def]
    reg(
        [
            "account",
            "file",
            "--unit",
            CITY,
            "--platform",
            "微博",
            "--name",
            "兰州发布",
            "--platform-id",
            "1669879400",
        ]
    )
    reg(
        [
            "account",
            "file",
            "--unit",
            COUNTY,
            "--platform",
            "微博",
            "--name",
            "城关发布",
            "--platform-id",
            "1669879401",
        ]
    )
    r = reg(["unit", "merge", COUNTY, "--into", CITY, "--reason", "机构改革"])
    assert r.code == 0 and "在新浪微博有 2 个在用账号" in r.err, r


def test_unit_search(reg) -> None:  # type: ignore[no-untyped-def]
    def names(args: str) -> set[str]:
        return {u["name"] for u in json.loads(reg(f"unit list {args} --format json").out)}

    assert names("--search 城关") == {COUNTY}
    assert names("--search 6201") == {CITY, COUNTY}
    assert names("--search 甘肃省") == {PROVINCE, DEPT}
