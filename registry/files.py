"""读取工作人员提供的表格文件（账号、发文、观测、词库等导入共用）。

可以交给本工具的文件：

- **CSV**（``.csv``）：UTF-8（带或不带 BOM）或 GBK/GB18030 编码，即 Excel、WPS 「另存为 CSV」
  得到的文件；单元格内可以有换行（用英文双引号括起）。
- **Excel 工作簿**（``.xlsx``）：默认读第一个工作表，也可以指定工作表名；不支持旧版 ``.xls``
  和加密的工作簿，请先另存为 ``.xlsx``。日期单元格按日期读取，公式取上次保存时的计算结果。
- **JSONL**（``.jsonl``）：UTF-8 编码，每行一个 JSON 对象，键名就是列名。

第一个非空行是表头；列名不区分大小写，前后空格不计，中文列名、英文列名和别名都可以；
模板标注的“（必填）”或星号（*）不影响识别。
中间的空行会跳过，但报错时的行号与 Excel/WPS 左侧显示的行号一致（JSONL 为第几行）。
无法识别的列会被忽略，调用方可以提示；缺少必需的列、文件损坏或编码不对时，给出一行中文说明。

For developers: :func:`read_table` returns a :class:`Table` of :class:`Row` objects whose
``values`` map canonical column keys to cell values (text stripped, blank cells ``None``,
Excel numbers and dates keep their Python types). File-level problems raise
:class:`~registry.errors.InvalidValue`; bad JSONL lines are collected in ``Table.errors``.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import stat
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, NoReturn

from registry.errors import InvalidValue, RowErrors
from registry.timeutil import FIRST_YEAR, LAST_YEAR, TZ, YEAR_REASON

WHOLE_ROW = "（整行）"
EMPTY = "是空文件，缺少表头"
NOT_TEXT = "不是文本文件（请另存为 UTF-8 或 GBK 编码的 CSV）"
NOT_JSONL = "不是文本文件（请另存为 UTF-8 编码的 JSONL，每行一个 JSON 对象）"
BAD_XLSX = "不是有效的 xlsx 文件（文件已损坏或不是 Excel 工作簿）"
OLD_XLS = "是旧版 Excel（.xls）或加密的工作簿，请在 Excel/WPS 中另存为 .xlsx"
DATE_REASON = "应为日期，如 2019-06-01、2019/6/1 或 2019年6月1日"
TIME_REASON = "应为北京时间，如 2026-11-23 09:30、2026/11/23 9:30 或 2026年11月23日 09:30"
EXCEL_MAX_ROWS = 1_048_576
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

Fail = Callable[[str], NoReturn]
Problem = tuple[int, str, object, str]

_DATE = (
    r"(?P<y>\d{4})(?:(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})"
    r"|\s*年\s*(?P<m2>\d{1,2})\s*月\s*(?P<d2>\d{1,2})\s*日?|(?P<m3>\d{2})(?P<d3>\d{2}))"
)
_TIME = (
    r"(?:(?:\s*[Tt]\s*|\s+|(?<=日))(?P<H>\d{1,2})[:：](?P<M>\d{2})(?:[:：](?P<S>\d{2})(?:[.,](?P<f>\d{1,9}))?)?"
    r"(?:\s*(?P<z>[Zz]|(?P<sign>[+-])(?P<zh>[01]\d|2[0-3])(?::?(?P<zm>[0-5]\d))?))?)?"
)
DATE_TEXT = re.compile(_DATE)
MOMENT_TEXT = re.compile(_DATE + _TIME)


@dataclass(frozen=True)
class Column:
    """One column an importer understands: its key, its Chinese header and other accepted headers."""

    key: str
    label: str
    aliases: tuple[str, ...] = ()
    required: bool = False


@dataclass
class Row:
    """One data row; ``number`` is the row number Excel/WPS shows (JSONL: the line number).

    ``values`` has every column of ``Table.columns``; a blank cell is ``None``.
    """

    number: int
    values: dict[str, Any]

    def text(self, key: str) -> str:
        return cell_text(self.values.get(key))


@dataclass
class Table:
    """What a file held: headers as found, the known columns, the rows and per-row problems."""

    path: Path
    headers: list[str]
    columns: list[str]
    unknown: list[str]
    rows: list[Row]
    errors: list[Problem] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)  # column key → its header as in the file

    def header(self, key: str, default: str = "") -> str:
        """The column's header as the file writes it (for messages), else ``default``."""
        return self.names.get(key, default)


_MARKS = re.compile(r"^[*＊]+|[*＊]+$|[（(]\s*必填\s*[)）]$")


def header_key(name: str) -> str:
    """How headers are compared: no BOM, no blanks around, no 必填 marks, case folded."""
    text = name.replace("\ufeff", "").strip()
    return _MARKS.sub("", text).strip().casefold()


class _Headers:
    """Matches headers (or JSONL keys) to columns; the first header naming a column wins."""

    def __init__(self, columns: Sequence[Column]) -> None:
        self.lookup: dict[str, str] = {}
        for column in columns:
            for name in (column.key, column.label, *column.aliases):
                self.lookup.setdefault(header_key(name), column.key)
        self.found: list[str] = []
        self.keys: list[str] = []
        self.unknown: list[str] = []
        self.names: dict[str, str] = {}

    def add(self, name: str) -> str | None:
        shown = name.replace("\ufeff", "").strip()
        self.found.append(shown)
        key = self.lookup.get(header_key(shown))
        if key is None or key in self.keys:
            if shown:
                self.unknown.append(shown)
            return None
        self.keys.append(key)
        self.names[key] = _MARKS.sub("", shown).strip() or shown
        return key


def read_table(
    path: Path | str,
    columns: Sequence[Column],
    *,
    formats: Sequence[str] = (".csv", ".xlsx", ".jsonl"),
    field: str = "文件",
    sheet: str | None = None,
) -> Table:
    """Read a .csv / .xlsx / .jsonl file into a :class:`Table`.

    Raises ``InvalidValue`` for a file that cannot be read as a table, and ``RowErrors`` for a
    .jsonl file of which no line is a JSON object. Callers check ``Table.errors`` themselves.
    """
    target = Path(path)

    def fail(reason: str) -> NoReturn:
        raise InvalidValue(field, str(target), reason)

    data = _read_bytes(target, fail)
    suffix = target.suffix.lower()
    if suffix not in {s.lower() for s in formats}:
        fail("只支持 " + "、".join(formats))
    if not data.strip():
        fail(EMPTY)
    headers = _Headers(columns)
    if suffix == ".jsonl":
        rows, errors = _jsonl_rows(data, headers, fail)
        if not headers.found and errors:
            raise RowErrors(str(target), errors)
        if not headers.found:
            fail(EMPTY)
    elif suffix in (".csv", ".xlsx"):
        records = _csv_records(data, fail) if suffix == ".csv" else _xlsx_records(data, sheet, fail)
        rows, errors = _grid_rows(records, headers, fail), []
    else:
        raise ValueError(f"unsupported format {suffix}")
    missing = [c.label for c in columns if c.required and c.key not in headers.keys]
    if missing:
        found = "、".join(h for h in headers.found if h) or "（空）"
        raise InvalidValue("表头", found, f"缺少必需的列「{'、'.join(missing)}」")
    return Table(target, headers.found, headers.keys, headers.unknown, rows, errors, headers.names)


def cell_text(value: Any) -> str:
    """A cell as text: None → "", True → "是", 16.0 → "16", a midnight datetime → "2019-06-01"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return str(int(value))
        text = repr(value)
        return format(Decimal(text), "f") if "e" in text and math.isfinite(value) else text
    if isinstance(value, datetime):
        if value.time() == time.min:
            return value.date().isoformat()
        return value.replace(tzinfo=None).isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def parse_cell_date(value: Any, *, field: str = "日期") -> date | None:
    """A date cell or typed text (2019-06-01, 2019/6/1, 2019.6.1, 2019年6月1日, 20190601); None if blank."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        if not FIRST_YEAR <= value.year <= LAST_YEAR:
            raise InvalidValue(field, value.isoformat(), YEAR_REASON)
        return value
    text = cell_text(value)
    if not text:
        return None
    match = DATE_TEXT.fullmatch(text)
    if match is None:
        raise InvalidValue(field, text, DATE_REASON)
    return _match_date(match, field, text)


def parse_cell_time(value: Any, *, field: str) -> datetime:
    """A moment in Beijing time (cell or text, with or without an offset) as an aware UTC datetime."""
    text = cell_text(value)
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time.min)
    elif not text:
        raise InvalidValue(field, text, "不能为空")
    elif (match := MOMENT_TEXT.fullmatch(text)) is None:
        raise InvalidValue(field, text, TIME_REASON)
    else:
        moment = _match_moment(match, field, text)
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise InvalidValue(field, text, YEAR_REASON)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=TZ)
    return moment.astimezone(UTC)


def parse_cell_span(value: Any, *, field: str) -> tuple[datetime, datetime, bool]:
    """(earliest, latest, approximate?) of a publication time cell: a date without a clock
    (``2026-11-23``, a date cell) covers the whole Beijing day; a moment is exact."""
    text = cell_text(value)
    day: date | None = None
    if isinstance(value, date) and not isinstance(value, datetime):
        day = value
    elif isinstance(value, str) and (match := MOMENT_TEXT.fullmatch(text)) is not None and match["H"] is None:
        day = _match_date(match, field, text)
    if day is None:
        moment = parse_cell_time(value, field=field)
        return moment, moment, False
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise InvalidValue(field, text, YEAR_REASON)
    start = datetime.combine(day, time.min, tzinfo=TZ)
    end = start + timedelta(days=1) - timedelta(microseconds=1)
    return start.astimezone(UTC), end.astimezone(UTC), True


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip() or None
    return value


def _read_bytes(path: Path, fail: Fail) -> bytes:
    try:
        mode = path.stat().st_mode
        if stat.S_ISDIR(mode):
            fail("是文件夹，不是文件")
        if not stat.S_ISREG(mode):
            fail("不是普通文件")
        return path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        fail("文件不存在")
    except PermissionError:
        fail("无法读取：没有读取该文件的权限")
    except OSError:
        fail("无法读取：系统无法打开该文件（可能正被其他程序占用或磁盘出错）")
    except ValueError:
        fail("文件名含有无效的字符")


def _looks_binary(text: str) -> bool:
    bad = sum(1 for ch in text if (ch < " " and ch not in "\t\n\r") or ch == "\ufffd")
    return bad > len(text) / 100


def _csv_records(data: bytes, fail: Fail) -> list[tuple[int, list[Any]]]:
    if b"\x00" in data:
        fail(NOT_TEXT)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        fail(NOT_TEXT)
    if _looks_binary(text):
        fail(NOT_TEXT)
    records: list[tuple[int, list[Any]]] = []
    number = 0
    try:
        for number, record in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
            if any(cell.strip() for cell in record):
                records.append((number, [_clean(cell) for cell in record]))
    except csv.Error:
        fail(f"第{number + 1}行不是有效的 CSV（单元格过长或引号不配对）")
    return records


def _xlsx_records(data: bytes, sheet: str | None, fail: Fail) -> list[tuple[int, list[Any]]]:
    from openpyxl import load_workbook
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    if data.startswith(OLE_MAGIC):
        fail(OLD_XLS)
    records: list[tuple[int, list[Any]]] = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                sheets = {ws.title: ws for ws in book.worksheets}
                if not sheets:
                    fail("工作簿里没有工作表")
                if sheet is not None and sheet not in sheets:
                    fail(f"没有名为「{sheet}」的工作表（现有：{'、'.join(sheets)}）")
                ws = sheets[sheet] if sheet is not None else next(iter(sheets.values()))
                if isinstance(ws, ReadOnlyWorksheet):
                    ws.reset_dimensions()  # a wrong <dimension> would silently cut rows off
                for number, cells in enumerate(ws.iter_rows(values_only=True), start=1):
                    if number > EXCEL_MAX_ROWS:
                        fail(BAD_XLSX)
                    if any(cell_text(cell) for cell in cells):
                        records.append((number, [_clean(cell) for cell in cells]))
            finally:
                book.close()
    except InvalidValue:
        raise
    except Exception:  # openpyxl, zipfile, zlib and XML parsers raise many kinds; all mean "damaged"
        fail(BAD_XLSX)
    return records


def _grid_rows(records: list[tuple[int, list[Any]]], headers: _Headers, fail: Fail) -> list[Row]:
    if not records:
        fail(EMPTY)
    head = [cell_text(cell) for cell in records[0][1]]
    while head and not head[-1]:
        head.pop()
    keys = [headers.add(name) for name in head]
    rows = []
    for number, cells in records[1:]:
        values = {key: (cells[i] if i < len(cells) else None) for i, key in enumerate(keys) if key}
        if any(v is not None for v in values.values()):
            rows.append(Row(number, values))
    return rows


def _has_surrogate(obj: Any) -> bool:
    try:
        json.dumps(obj, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate such as "\ud800" cannot be written out anywhere
        return True
    return False


def _jsonl_rows(data: bytes, headers: _Headers, fail: Fail) -> tuple[list[Row], list[Problem]]:
    if b"\x00" in data or _looks_binary(data.decode("utf-8", "replace")):
        fail(NOT_JSONL)
    objects: list[tuple[int, dict[str, Any]]] = []
    errors: list[Problem] = []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        try:
            line = raw.decode("utf-8-sig" if number == 1 else "utf-8").strip()
        except UnicodeDecodeError:
            errors.append(
                (number, WHOLE_ROW, raw.decode("utf-8", "replace").strip()[:40], "不是 UTF-8 编码的文本")
            )
            continue
        if not line:
            continue
        try:
            obj = json.loads(line)
        except (ValueError, RecursionError):
            errors.append((number, WHOLE_ROW, line[:40], "不是有效的 JSON"))
            continue
        if not isinstance(obj, dict):
            errors.append((number, WHOLE_ROW, line[:40], "不是 JSON 对象（每行应为 {…} 形式）"))
        elif _has_surrogate(obj):
            errors.append((number, WHOLE_ROW, line[:40], "含有无效的字符（不成对的 Unicode 代理字符）"))
        else:
            objects.append((number, obj))
    mapping: dict[str, str | None] = {}
    for _, obj in objects:
        for name in obj:
            if name not in mapping:
                mapping[name] = headers.add(name)
    rows = []
    for number, obj in objects:
        values: dict[str, Any] = dict.fromkeys(headers.keys)
        for name, key in mapping.items():
            if key is not None and name in obj:
                values[key] = _clean(obj[name])
        if any(v is not None for v in values.values()):
            rows.append(Row(number, values))
    return rows, errors


def _match_date(match: re.Match[str], field: str, text: str) -> date:
    year = int(match["y"])
    month = int(match["m"] or match["m2"] or match["m3"])
    day = int(match["d"] or match["d2"] or match["d3"])
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidValue(field, text, YEAR_REASON)
    try:
        return date(year, month, day)
    except ValueError:
        raise InvalidValue(field, text, "不是有效的日期（没有这一天）") from None


def _match_moment(match: re.Match[str], field: str, text: str) -> datetime:
    day = _match_date(match, field, text)
    if match["H"] is None:
        return datetime.combine(day, time.min)
    try:
        micro = int((match["f"] or "0")[:6].ljust(6, "0"))
        clock = time(int(match["H"]), int(match["M"]), int(match["S"] or 0), micro)
        zone = UTC if match["z"] in ("Z", "z") else None
        if match["zh"]:
            offset = timedelta(hours=int(match["zh"]), minutes=int(match["zm"] or 0))
            zone = timezone(-offset if match["sign"] == "-" else offset)
    except ValueError:
        raise InvalidValue(field, text, "不是有效的时间（时、分、秒或时区超出范围）") from None
    return datetime.combine(day, clock, tzinfo=zone)
