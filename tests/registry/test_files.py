"""registry.files: the one reader for users' .csv / .xlsx / .jsonl files, on real files in tmp_path."""

from __future__ import annotations

import io
import os
import random
import re
import zipfile
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from registry.errors import InvalidValue, RowErrors
from registry.files import Column, Table, cell_text, parse_cell_date, parse_cell_time, read_table
from registry.timeutil import TZ

COLUMNS = [
    Column("platform_id", "平台账号ID", ("平台ID",), required=True),
    Column("name", "账号名称", ("名称",)),
    Column("opened", "开设日期"),
]
ENGLISH_ERROR = re.compile(r"Error|Exception|BadZip|Traceback|errno|No such file", re.IGNORECASE)
NOT_TEXT = "不是文本文件（请另存为 UTF-8 或 GBK 编码的 CSV）"
BAD_XLSX = "不是有效的 xlsx 文件（文件已损坏或不是 Excel 工作簿）"
DATE_REASON = "应为日期，如 2019-06-01、2019/6/1 或 2019年6月1日"
TIME_REASON = "应为北京时间，如 2026-11-23 09:30、2026/11/23 9:30 或 2026年11月23日 09:30"
YEAR = "年份应在 1900 到 2100 之间"


def refused(path: Path | str, reason: str, *, field: str = "文件", **kwargs: Any) -> None:
    """read_table raises InvalidValue with exactly this field, value and reason, in one Chinese line."""
    with pytest.raises(InvalidValue) as caught:
        read_table(path, COLUMNS, field=field, **kwargs)
    assert (caught.value.field, caught.value.value, caught.value.reason) == (field, str(path), reason)
    shown = str(path).replace("\x00", "\\u0000")  # a message never prints a control character
    assert str(caught.value) == f"字段「{field}」的值「{shown}」无效：{reason}"
    assert "\n" not in str(caught.value) and not ENGLISH_ERROR.search(str(caught.value))


def write_xlsx(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for title, rows in sheets.items():
        ws = book.create_sheet(title)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    ws.cell(row=r, column=c, value=value)
    book.save(path)
    return path


def numbers(table: Table) -> list[int]:
    return [row.number for row in table.rows]


# ---- CSV -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_in_every_encoding_excel_and_wps_write(tmp_path: Path, encoding: str) -> None:
    name = "𠮷州发布" if encoding == "gb18030" else "北京发布"  # 𠮷 exists in GB18030, not in GBK
    path = tmp_path / "accounts.csv"
    path.write_bytes(f"平台账号ID,账号名称,开设日期\n 10001 ,{name},2019/6/1\n".encode(encoding))
    table = read_table(path, COLUMNS)
    assert table.headers == ["平台账号ID", "账号名称", "开设日期"]
    assert table.columns == ["platform_id", "name", "opened"]
    assert [row.values for row in table.rows] == [
        {"platform_id": "10001", "name": name, "opened": "2019/6/1"}
    ]
    assert numbers(table) == [2] and table.errors == [] and table.unknown == []


def test_headers_match_key_label_and_alias_ignoring_case_and_blanks(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("\ufeff PLATFORM_ID ,名称,备注,平台ID,\n1,甲,x,2,\n", encoding="utf-8")
    table = read_table(path, COLUMNS)
    assert table.columns == ["platform_id", "name"]
    assert table.unknown == ["备注", "平台ID"]  # a second header for the same column is not used
    assert table.rows[0].values == {"platform_id": "1", "name": "甲"}
    assert table.rows[0].text("opened") == "" and table.rows[0].text("name") == "甲"


def test_missing_required_column_names_the_headers_found(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("名称,备注\n甲,x\n", encoding="utf-8")
    with pytest.raises(InvalidValue) as caught:
        read_table(path, COLUMNS)
    assert str(caught.value) == "字段「表头」的值「名称、备注」无效：缺少必需的列「平台账号ID」"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("a.csv", b""),
        ("a.csv", b" \r\n\n"),
        ("a.csv", b"\xef\xbb\xbf"),
        ("a.csv", b",,,\n\n,\n"),
        ("a.xlsx", b""),
        ("a.jsonl", b""),
        ("a.jsonl", b"\xef\xbb\xbf\n  \n"),
        ("a.jsonl", b"{}\n"),
    ],
)
def test_empty_file_has_no_header(tmp_path: Path, name: str, content: bytes) -> None:
    (tmp_path / name).write_bytes(content)
    refused(tmp_path / name, "是空文件，缺少表头")


def test_workbook_whose_sheet_is_empty(tmp_path: Path) -> None:
    refused(write_xlsx(tmp_path / "a.xlsx", {"空表": [[], [None, " "]]}), "是空文件，缺少表头")


def test_header_only_file_has_columns_and_no_rows(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("平台账号ID,账号名称\n\n,\n", encoding="utf-8")
    table = read_table(path, COLUMNS)
    assert table.columns == ["platform_id", "name"] and table.rows == []


def test_blank_rows_are_skipped_but_counted_like_excel(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("\n平台ID,名称,备注\n1,甲\n\n , ,只有未知列\n2,,\n", encoding="utf-8")
    table = read_table(path, COLUMNS)
    assert numbers(table) == [3, 6]  # header on row 2; rows 4 and 5 have no known value
    assert table.rows[0].values == {"platform_id": "1", "name": "甲"}
    assert table.rows[1].values == {"platform_id": "2", "name": None}


def test_quoted_newline_is_one_record(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes('平台ID,名称\r\n1,"第一行\r\n第二行"\r\n2,乙\r\n'.encode())
    table = read_table(path, COLUMNS)
    assert numbers(table) == [2, 3]
    assert table.rows[0].values["name"] == "第一行\r\n第二行"


def test_csv_that_is_not_text(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes("平台ID\n1\n".encode("utf-16"))  # "Unicode text" from Excel
    refused(path, NOT_TEXT)
    path.write_bytes(b"\x81\x30\xff\xfe\xfd" * 10)  # neither UTF-8 nor GB18030
    refused(path, NOT_TEXT)


def test_csv_with_an_unclosed_quote_swallowing_a_huge_cell(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text('平台ID,名称\n1,"' + "长" * 200_000 + "\n", encoding="utf-8")
    refused(path, "第2行不是有效的 CSV（单元格过长或引号不配对）")


# ---- XLSX ----------------------------------------------------------------------------------------


def test_xlsx_keeps_cell_types_and_real_row_numbers(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "a.xlsx",
        {
            "账号": [
                [],
                ["平台账号ID", "账号名称", "开设日期", "粉丝数"],
                ["1234567890123456", "北京发布", datetime(2019, 6, 1), 16.0],
                [],
                [1.2345678901234568e18, "  上海发布 ", None, None],
            ]
        },
    )
    table = read_table(path, COLUMNS)
    assert table.unknown == ["粉丝数"] and numbers(table) == [3, 5]
    first, second = table.rows
    assert first.values == {
        "platform_id": "1234567890123456",
        "name": "北京发布",
        "opened": datetime(2019, 6, 1),
    }
    assert first.text("opened") == "2019-06-01" and parse_cell_date(first.values["opened"]) == date(
        2019, 6, 1
    )
    assert isinstance(second.values["platform_id"], float)  # Excel stores it as 1.2345678901234568E+18
    shown = second.text("platform_id")
    assert shown.isdigit() and len(shown) == 19 and shown == str(int(second.values["platform_id"]))
    assert second.values["name"] == "上海发布"
    assert second.values["opened"] is None


def test_xlsx_numbers_keep_their_type_but_show_without_decimals(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "a.xlsx", {"S": [["平台ID", "名称"], [16.0, 2.5]]})
    (row,) = read_table(path, COLUMNS).rows
    assert row.values == {"platform_id": 16, "name": 2.5}  # the file stores "16": openpyxl reads it as int
    assert row.text("platform_id") == "16" and row.text("name") == "2.5"


def test_xlsx_sheet_by_name_and_a_missing_sheet(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "a.xlsx", {"账号": [["平台ID"], ["1"]], "第二页": [["名称", "平台ID"], ["乙", "2"]]}
    )
    assert read_table(path, COLUMNS).rows[0].values == {"platform_id": "1"}
    table = read_table(path, COLUMNS, sheet="第二页")
    assert table.columns == ["name", "platform_id"] and table.rows[0].values == {
        "name": "乙",
        "platform_id": "2",
    }
    refused(path, "没有名为「缺失」的工作表（现有：账号、第二页）", sheet="缺失")


def test_damaged_workbooks(tmp_path: Path) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", {"S": [["平台ID"], *[[str(i)] for i in range(200)]]})
    truncated = tmp_path / "truncated.xlsx"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    refused(truncated, BAD_XLSX)
    not_a_book = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(not_a_book, "w") as archive:
        archive.writestr("readme.txt", "hello")
    refused(not_a_book, BAD_XLSX)
    old = tmp_path / "old.xlsx"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    refused(old, "是旧版 Excel（.xls）或加密的工作簿，请在 Excel/WPS 中另存为 .xlsx")


def test_workbook_with_a_broken_sheet_xml(tmp_path: Path) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", {"S": [["平台ID"], ["1"]]})
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(broken, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            dst.writestr(
                item, b"<worksheet><sheetData><row r='A'>" if "worksheets/" in item.filename else data
            )
    refused(broken, BAD_XLSX)


# ---- JSONL ---------------------------------------------------------------------------------------


def test_jsonl_rows_errors_and_lone_surrogate(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    lines = [
        '\ufeff{"platform_id": " 1 ", "extra": 2}',
        "not json at all",
        "[1, 2]",
        "",
        '{"名称": "\\ud800"}',
        '{"NAME": "乙", "平台ID": 3, "开设日期": null}',
    ]
    path.write_bytes(("\r\n".join(lines) + "\n").encode() + b'{"name": "\xff"}\n')
    table = read_table(path, COLUMNS)
    assert table.headers == ["platform_id", "extra", "NAME", "平台ID", "开设日期"]
    assert table.columns == ["platform_id", "name", "opened"] and table.unknown == ["extra", "平台ID"]
    assert [(row.number, row.values) for row in table.rows] == [
        (1, {"platform_id": "1", "name": None, "opened": None}),
        (6, {"platform_id": None, "name": "乙", "opened": None}),
    ]
    assert table.errors == [
        (2, "（整行）", "not json at all", "不是有效的 JSON"),
        (3, "（整行）", "[1, 2]", "不是 JSON 对象（每行应为 {…} 形式）"),
        (5, "（整行）", '{"名称": "\\ud800"}', "含有无效的字符（不成对的 Unicode 代理字符）"),
        (7, "（整行）", '{"name": "\ufffd"}', "不是 UTF-8 编码的文本"),
    ]
    message = str(RowErrors(str(path), table.errors))
    assert message.encode("utf-8") and "第5行 列「（整行）」" in message


def test_jsonl_where_no_line_is_an_object_lists_the_lines(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text("1\n" + "x" * 100 + "\n", encoding="utf-8")
    with pytest.raises(RowErrors) as caught:
        read_table(path, COLUMNS)
    assert caught.value.errors == [
        (1, "（整行）", "1", "不是 JSON 对象（每行应为 {…} 形式）"),
        (2, "（整行）", "x" * 40, "不是有效的 JSON"),
    ]


# ---- file-level problems -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("suffix", "reason"),
    [
        (".csv", NOT_TEXT),
        (".xlsx", BAD_XLSX),
        (".jsonl", "不是文本文件（请另存为 UTF-8 编码的 JSONL，每行一个 JSON 对象）"),
    ],
)
def test_random_binary_bytes(tmp_path: Path, suffix: str, reason: str) -> None:
    path = tmp_path / f"noise{suffix}"
    path.write_bytes(random.Random(7).randbytes(4096))
    refused(path, reason)


def test_wrong_suffix_missing_path_and_directory(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("平台ID\n1\n", encoding="utf-8")
    refused(tmp_path / "a.txt", "只支持 .csv、.xlsx", formats=(".csv", ".xlsx"))
    refused(tmp_path / "a.jsonl", "文件不存在", field="FILE")
    refused(tmp_path / "no" / "such" / "dir.csv", "文件不存在")
    (tmp_path / "folder.csv").mkdir()
    refused(tmp_path / "folder.csv", "是文件夹，不是文件")
    (tmp_path / "UPPER.CSV").write_text("平台ID\n1\n", encoding="utf-8")
    assert read_table(tmp_path / "UPPER.CSV", COLUMNS).rows[0].values == {"platform_id": "1"}
    refused(str(tmp_path / "bad\x00name.csv"), "文件名含有无效的字符")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("平台ID\n1\n", encoding="utf-8")
    path.chmod(0)
    refused(path, "无法读取：没有读取该文件的权限")


# ---- cells ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (True, "是"),
        (False, "否"),
        (16.0, "16"),
        (1234567890123456.0, "1234567890123456"),
        (1e-05, "0.00001"),
        (2.5, "2.5"),
        (7, "7"),
        (datetime(2019, 6, 1), "2019-06-01"),
        (datetime(2019, 6, 1, 9, 30, 5, 123), "2019-06-01 09:30:05"),
        (date(2019, 6, 1), "2019-06-01"),
        ("  甲 ", "甲"),
    ],
)
def test_cell_text(value: Any, text: str) -> None:
    assert cell_text(value) == text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2019-06-01", date(2019, 6, 1)),
        ("2019/6/1", date(2019, 6, 1)),
        ("2019.6.1", date(2019, 6, 1)),
        ("2019年6月1日", date(2019, 6, 1)),
        (" 2019 年 6 月 1 日 ", date(2019, 6, 1)),
        ("20190601", date(2019, 6, 1)),
        (20190601, date(2019, 6, 1)),
        (datetime(2019, 6, 1, 15, 0), date(2019, 6, 1)),
        (date(2019, 6, 1), date(2019, 6, 1)),
        ("1900-01-01", date(1900, 1, 1)),
        ("2100-12-31", date(2100, 12, 31)),
        (None, None),
        ("  ", None),
        ("1899-12-31", YEAR),
        ("2101-01-01", YEAR),
        ("0001-01-01", YEAR),
        ("9999-12-31", YEAR),
        (date(1, 1, 1), YEAR),
        ("2019-02-29", "不是有效的日期（没有这一天）"),
        ("2019-13-01", "不是有效的日期（没有这一天）"),
        ("2019-6/1", DATE_REASON),
        ("2019-06-01 09:30", DATE_REASON),
        ("明天", DATE_REASON),
        (True, DATE_REASON),
    ],
)
def test_parse_cell_date(value: Any, expected: date | str | None) -> None:
    if not isinstance(expected, str):
        assert parse_cell_date(value) == expected
        return
    with pytest.raises(InvalidValue) as caught:
        parse_cell_date(value, field="开设日期")
    assert (caught.value.field, caught.value.value, caught.value.reason) == (
        "开设日期",
        cell_text(value),
        expected,
    )


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, us: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, us, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-23 09:30", utc(2026, 11, 23, 1, 30)),
        ("2026/11/23 9:30", utc(2026, 11, 23, 1, 30)),
        ("2026年11月23日 09:30", utc(2026, 11, 23, 1, 30)),
        ("2026年11月23日09:30:15", utc(2026, 11, 23, 1, 30, 15)),
        ("2026-11-23T09:30:00+08:00", utc(2026, 11, 23, 1, 30)),
        ("2026-11-23T01:30:00Z", utc(2026, 11, 23, 1, 30)),
        ("2026-11-23T01:30:00.250-0100", utc(2026, 11, 23, 2, 30, 0, 250000)),
        ("2026-11-23", utc(2026, 11, 22, 16, 0)),
        ("20261123", utc(2026, 11, 22, 16, 0)),
        ("2019.6.1", utc(2019, 5, 31, 16, 0)),
        (datetime(2026, 11, 23, 9, 30), utc(2026, 11, 23, 1, 30)),
        (datetime(2026, 11, 23, 9, 30, tzinfo=timezone(timedelta(hours=9))), utc(2026, 11, 23, 0, 30)),
        (date(2026, 11, 23), utc(2026, 11, 22, 16, 0)),
        ("1900-01-01", datetime(1900, 1, 1, tzinfo=TZ).astimezone(UTC)),
        ("2100-12-31 23:59:59", utc(2100, 12, 31, 15, 59, 59)),
        ("1899-12-31 23:59", YEAR),
        ("2101-01-01", YEAR),
        ("0001-01-01", YEAR),
        ("0001-01-01T00:00:00+14:00", YEAR),
        ("9999-12-31 23:59:59", YEAR),
        (datetime(1, 1, 1), YEAR),
        (datetime(9999, 12, 31, 23, 59), YEAR),
        ("2026-11-23 24:00", "不是有效的时间（时、分、秒或时区超出范围）"),
        ("2026-02-30 09:30", "不是有效的日期（没有这一天）"),
        ("2026-11-23 09:30+24:00", TIME_REASON),
        ("昨天下午", TIME_REASON),
        ("1700000000", TIME_REASON),
        (None, "不能为空"),
        (" ", "不能为空"),
    ],
)
def test_parse_cell_time(value: Any, expected: datetime | str) -> None:
    if isinstance(expected, datetime):
        assert parse_cell_time(value, field="发布时间") == expected
        return
    with pytest.raises(InvalidValue) as caught:
        parse_cell_time(value, field="发布时间")
    assert (caught.value.field, caught.value.value, caught.value.reason) == (
        "发布时间",
        cell_text(value),
        expected,
    )
    assert not ENGLISH_ERROR.search(str(caught.value))


# ---- property: no file content makes the reader crash ---------------------------------------------


def small_workbook() -> bytes:
    buffer = io.BytesIO()
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["平台ID", "名称", "开设日期"])
    ws.append(["1", "甲", datetime(2019, 6, 1)])
    book.save(buffer)
    return buffer.getvalue()


def test_arbitrary_bytes_read_or_raise_a_typed_error(tmp_path: Path) -> None:
    hypothesis = pytest.importorskip("hypothesis")
    st = hypothesis.strategies
    workbook = small_workbook()
    damaged = st.tuples(
        st.integers(0, len(workbook)),
        st.lists(st.tuples(st.integers(0, len(workbook) - 1), st.integers(0, 255)), max_size=8),
    )

    def corrupt(plan: tuple[int, list[tuple[int, int]]]) -> bytes:
        cut, flips = plan
        data = bytearray(workbook)
        for position, byte in flips:
            data[position] = byte
        return bytes(data[: max(cut, 1)])

    contents = st.one_of(
        st.binary(max_size=2000),
        st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")),
        damaged.map(corrupt),
    )

    @hypothesis.settings(max_examples=300, deadline=None, database=None)
    @hypothesis.given(contents, st.sampled_from([".csv", ".xlsx", ".jsonl"]))
    def check(data: bytes, suffix: str) -> None:
        path = tmp_path / f"fuzz{suffix}"
        path.write_bytes(data)
        try:
            table = read_table(path, [Column("a", "甲"), Column("b", "乙", required=False)])
        except (InvalidValue, RowErrors) as error:
            assert not ENGLISH_ERROR.search(str(error))
            str(error).encode("utf-8")
            return
        for row in table.rows:
            for key in row.values:
                row.text(key).encode("utf-8")

    check()


@pytest.mark.parametrize(
    ("value", "earliest", "latest", "approx"),
    [
        ("2026-11-23", "2026-11-23T00:00:00+08:00", "2026-11-23T23:59:59+08:00", True),
        ("2026/11/23", "2026-11-23T00:00:00+08:00", "2026-11-23T23:59:59+08:00", True),
        ("2026-11-23 09:30", "2026-11-23T09:30:00+08:00", "2026-11-23T09:30:00+08:00", False),
        ("2026-11-23T01:30:00Z", "2026-11-23T09:30:00+08:00", "2026-11-23T09:30:00+08:00", False),
    ],
)
def test_publication_time_span(value: object, earliest: str, latest: str, approx: bool) -> None:
    from registry.files import parse_cell_span
    from registry.timeutil import local_iso

    first, last, rough = parse_cell_span(value, field="published_at")
    assert (local_iso(first), local_iso(last), rough) == (earliest, latest, approx)


def test_a_date_cell_is_a_whole_day_and_a_datetime_cell_is_exact() -> None:
    from datetime import date, datetime

    from registry.files import parse_cell_span

    first, last, rough = parse_cell_span(date(2026, 11, 23), field="published_at")
    assert rough and (last - first).total_seconds() == pytest.approx(86400, abs=1e-3)
    first, last, rough = parse_cell_span(datetime(2026, 11, 23, 9, 30), field="published_at")
    assert not rough and first == last
