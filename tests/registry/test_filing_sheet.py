"""备案登记表: template, all-or-nothing import with row errors, export that imports back."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from tests.factories import CITY, COUNTY, DEPT, small_registry

HEADERS = ["主办单位", "平台", "账号名称", "平台账号ID", "链接", "采集地址", "运维单位", "负责人", "联系电话"]
GOOD = [
    [
        CITY,
        "新浪微博",
        "兰州发布",
        "1669879400",
        "https://weibo.com/u/1669879400",
        "",
        "兰州日报社",
        "张三",
        "13800138000",
    ],
    [
        COUNTY,
        "微信公众号",
        "城关发布",
        "gh_0123456789ab",
        "",
        "https://rss.example.cn/wx/1",
        "",
        "李四",
        "0931-8888888",
    ],
    [DEPT, "抖音", "甘肃教育", "MS4wLjABAAAAv7iSuuXDJGDvJkmH_vz1qkDZYo1apxgzaxdBSeIuPiM", "", "", "", "", ""],
    [DEPT, "bilibili", "甘肃教育B站", "123456", "", "", "", "", ""],
]


def write_csv(
    path: Path, rows: list[list[str]], header: list[str] = HEADERS, encoding: str = "utf-8-sig"
) -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[list[object]], header: list[str] = HEADERS) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


@pytest.fixture
def reg(any_db: str, cli):  # type: ignore[no-untyped-def]
    small_registry(any_db)
    return lambda args: cli(["--db", any_db, *args])


def accounts(reg) -> list[dict]:  # type: ignore[no-untyped-def]
    return json.loads(reg(["account", "list", "--format", "json"]).out)


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_template_headers(tmp_path: Path, cli, suffix: str) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / f"登记表{suffix}"
    assert cli(["account", "template", str(target)]).code == 0
    if suffix == ".csv":
        header = next(csv.reader(target.read_text(encoding="utf-8-sig").splitlines()))
    else:
        header = [c.value for c in next(load_workbook(target).active.iter_rows(max_row=1))]
    marked = [h + "（必填）" if h in ("主办单位", "平台", "账号名称", "平台账号ID") else h for h in HEADERS]
    assert header[: len(HEADERS)] == marked


@pytest.mark.parametrize("maker", [write_csv, write_xlsx])
def test_import_good_file(reg, tmp_path: Path, maker) -> None:  # type: ignore[no-untyped-def]
    path = maker(tmp_path / ("in.csv" if maker is write_csv else "in.xlsx"), GOOD)
    r = reg(["account", "import", str(path)])
    assert r.code == 0, r
    rows = accounts(reg)
    assert [(a["platform"], a["platform_id"], a["status"]) for a in rows] == [
        ("weibo", "1669879400", "pending"),
        ("wechat", "gh_0123456789ab", "pending"),
        ("douyin", GOOD[2][3], "pending"),
        ("bilibili", "123456", "pending"),
    ]
    history = json.loads(reg(["account", "history", str(rows[0]["id"]), "--format", "json"]).out)
    assert history[0]["action"] == "import" and history[0]["actor"] == "tester"


def test_xlsx_numbers_become_text(reg, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # Excel stores a uid and a mobile typed without a leading apostrophe as numbers
    path = write_xlsx(
        tmp_path / "n.xlsx", [[CITY, "微博", "兰州发布", 1669879400, "", "", "", "", 13800138000]]
    )
    assert reg(["account", "import", str(path)]).code == 0
    detail = json.loads(reg(["account", "show", str(accounts(reg)[0]["id"]), "--format", "json"]).out)
    assert detail["platform_id"] == "1669879400" and detail["phone"] == "13800138000"


def test_dry_run_writes_nothing(reg, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write_csv(tmp_path / "in.csv", GOOD)
    r = reg(["account", "import", str(path), "--dry-run"])
    assert r.code == 0 and "4" in r.out
    assert accounts(reg) == []


def test_bad_rows_write_nothing_and_are_all_listed(reg, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rows = [
        GOOD[0],
        [CITY, "推特", "x", "1", "", "", "", "", ""],  # row 3: platform
        [COUNTY, "微信公众号", "y", "gh_123", "", "", "", "", ""],  # row 4: id shape
        GOOD[1],
        [CITY, "微博", "z", "1669879400", "", "", "", "", ""],  # row 6: duplicate of row 2
        ["不存在单位", "微博", "w", "1669879409", "", "", "", "", "12345"],  # row 7: unit and phone
        ["", "", "", "", "", "", "", "", ""],  # an empty row is skipped, not an error
        [CITY, "微博", "", "1669879408", "", "", "", "", ""],  # row 9: name missing
    ]
    r = reg(["account", "import", str(write_csv(tmp_path / "bad.csv", rows))])
    assert r.code == 2, r
    assert "Traceback" not in r.err
    for expected in (
        "第3行 列「平台」的值「推特」",
        "第4行 列「平台账号ID」的值「gh_123」",
        "第6行 列「平台账号ID」的值「1669879400」",
        "与第2行重复",
        "第7行 列「主办单位」的值「不存在单位」",
        "第7行 列「联系电话」的值「12345」",
        "第9行 列「账号名称」",
    ):
        assert expected in r.err, expected
    assert "第5行" not in r.err and "第8行" not in r.err
    assert accounts(reg) == []


def test_second_account_in_file_needs_reason(reg, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    header = [*HEADERS, "申请理由"]
    rows = [[*GOOD[0], ""], [CITY, "微博", "兰州应急", "1669879401", "", "", "", "", "", ""]]
    r = reg(["account", "import", str(write_csv(tmp_path / "a.csv", rows, header))])
    assert r.code == 2 and "第3行 列「申请理由」" in r.err
    rows[1][-1] = "应急专用"
    assert reg(["account", "import", str(write_csv(tmp_path / "b.csv", rows, header))]).code == 0
    assert len(accounts(reg)) == 2


def test_gbk_csv(reg, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write_csv(tmp_path / "gbk.csv", GOOD[:1], encoding="gbk")
    assert reg(["account", "import", str(path)]).code == 0
    assert accounts(reg)[0]["unit"] == CITY


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "\u7a7a\u6587\u4ef6"),  # 空文件
        ("平台,账号名称\n微博,a\n".encode(), "缺少必需的列"),
        (b"not an xlsx", "xlsx"),
    ],
)
def test_malformed_files(reg, tmp_path: Path, content: bytes, reason: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / ("x.xlsx" if content == b"not an xlsx" else "x.csv")
    path.write_bytes(content)
    r = reg(["account", "import", str(path)])
    assert r.code == 2 and reason in r.err and "Traceback" not in r.err


def test_missing_file_and_unknown_suffix(reg, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert reg(["account", "import", str(tmp_path / "nope.csv")]).code == 2
    (tmp_path / "x.txt").write_text("a")
    r = reg(["account", "import", str(tmp_path / "x.txt")])
    assert r.code == 2 and ".xlsx" in r.err


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_export_round_trips(reg, any_db: str, cli, tmp_path: Path, suffix: str) -> None:  # type: ignore[no-untyped-def]
    assert reg(["account", "import", str(write_csv(tmp_path / "in.csv", GOOD))]).code == 0
    first = accounts(reg)
    reg(["account", "approve", str(first[0]["id"])])
    reg(["account", "approve", str(first[1]["id"])])
    reg(["account", "close", str(first[1]["id"]), "--reason", "整合"])
    reg(["account", "change", str(first[2]["id"]), "--name", '=HYPERLINK("x")', "--reason", "测试"])
    out = tmp_path / f"out{suffix}"
    assert reg(["account", "export", str(out)]).code == 0
    # a fresh registry with the same units takes the export back unchanged
    other = str(tmp_path / "other.db")
    small_registry(other)
    assert cli(["--db", other, "account", "import", str(out)]).code == 0
    again = json.loads(cli(["--db", other, "account", "list", "--format", "json"]).out)
    strip = lambda rows: [{k: v for k, v in r.items() if k != "id"} for r in rows]  # noqa: E731
    assert strip(again) == strip(accounts(reg))
    assert again[2]["name"] == '=HYPERLINK("x")'
    # the same export into the same registry changes nothing: every row is the same account
    before = [json.loads(reg(["account", "history", str(a["id"]), "--format", "json"]).out) for a in first]
    r = reg(["account", "import", str(out)])
    assert r.code == 0 and "变更 0 个，未改动 4 个" in r.out, r
    after = [json.loads(reg(["account", "history", str(a["id"]), "--format", "json"]).out) for a in first]
    assert after == before and len(accounts(reg)) == 4


def test_export_neutralises_formulas(reg, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rows = [[CITY, "微博", "=1+1", "1669879400", "", "", "@cmd", "", ""]]
    assert reg(["account", "import", str(write_csv(tmp_path / "f.csv", rows))]).code == 0
    out = tmp_path / "f.xlsx"
    reg(["account", "export", str(out)])
    ws = load_workbook(out).active
    values = [c.value for c in ws[2]]
    assert "'=1+1" in values and "'@cmd" in values
    assert ws["C2"].data_type == "s"
