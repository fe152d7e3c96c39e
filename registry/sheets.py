"""Spreadsheet and CSV output with formula-injection protection, and the forms staff fill.

Post titles, account names and evidence come from third parties. A cell that begins with
``=``, ``+``, ``-`` or ``@`` (also after leading blanks, and tab / carriage return) would be
taken for a formula by Excel or WPS, so such text gets a leading single quote (``'``) and
is always written with ``write_string``, never ``write``. Numbers stay numbers (a negative
score is data, not a formula): only text cells are neutralised. Every .xlsx the tool writes
goes through :func:`write_workbook` and every CSV through :func:`write_csv` /
:func:`csv_cells`, so no path escapes.

A file is written whole or not at all: into a temporary file beside it, then moved into
place; a folder or disk that refuses the write is one Chinese line (``InvalidValue``).

A sheet meant to be filled in (a 登记表) can mark its required columns, format ID and phone
columns as text (so a 16-digit ID typed into Excel or WPS stays exact), offer drop-down lists
(kept on a hidden sheet 下拉选项, so long lists such as the registry's units work), carry header
notes and show a grey example row.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter

from registry.paths import replacing
from registry.timeutil import local_text

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """Prefix a quote to text a spreadsheet would evaluate ("=HYPERLINK(...)" → "'=HYPERLINK(...)")."""
    if text.lstrip(" ").startswith(FORMULA_TRIGGERS) or text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def sheet_name(name: str) -> str:
    """A worksheet name Excel accepts: no ``[]:*?/\\``, no quote at either end, 1–31 characters."""
    cleaned = re.sub(r"[\[\]:*?/\\\x00-\x1f]", "_", name).strip("'")[:31]
    return cleaned or "Sheet"


def csv_cell(value: Any) -> str:
    """A CSV cell: numbers as they are, text (and anything else) neutralised."""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return str(value)
    return neutralise(cell_text(value))


def csv_cells(rows: Iterable[Sequence[Any]]) -> list[list[str]]:
    """Rows of CSV cells (see :func:`csv_cell`)."""
    return [[csv_cell(value) for value in row] for row in rows]


def write_csv(
    path: Path, headers: Sequence[str], rows: Iterable[Sequence[Any]], *, field: str = "文件"
) -> Path:
    """Write a CSV file Excel and WPS open as UTF-8 (with a BOM), every text cell neutralised."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow([neutralise(str(h)) for h in headers])
    writer.writerows(csv_cells(rows))
    with replacing(path, field) as temp:
        temp.write_text(buffer.getvalue(), encoding="utf-8-sig", newline="")
    return path


def cell_text(value: Any) -> str:
    """Any value as the text a cell shows (times in Beijing time)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return local_text(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


@dataclass
class Sheet:
    """One worksheet: a name, Chinese headers, rows of values, optional column widths."""

    name: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]
    widths: Sequence[int] = field(default_factory=tuple)
    title: str | None = None
    text_columns: Sequence[int] = ()  # written as text, formatted "@" (IDs, phones)
    required: Sequence[int] = ()  # headers marked as required (red)
    choices: Mapping[int, Sequence[str]] = field(default_factory=dict)  # drop-down list per column
    notes: Mapping[int, str] = field(default_factory=dict)  # a comment on the header cell
    example: Sequence[Any] | None = None  # a grey example row right under the header
    strict: Sequence[int] = ()  # columns whose drop-down refuses other values (else: a warning)
    input_rows: int = 5000  # how many rows the formats and drop-downs cover


def write_workbook(path: Path, sheets: Sequence[Sheet], *, field: str = "文件") -> Path:
    """Write ``sheets`` to an .xlsx file, whole or not at all. Numbers stay numbers; all text
    is neutralised."""
    with replacing(path, field) as temp:
        _write_book(temp, sheets)
    return path


def _write_book(path: Path, sheets: Sequence[Sheet]) -> None:
    options = {
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
        "constant_memory": not any(s.choices or s.notes for s in sheets),
    }
    book = xlsxwriter.Workbook(str(path), options)
    try:
        styles = _Styles(book)
        lists = _Lists()
        for sheet in sheets:
            _write_sheet(book, sheet, styles, lists)
        lists.write(book)
    finally:
        book.close()


class _Styles:
    def __init__(self, book: Any) -> None:
        base = {"border": 1, "valign": "vcenter", "font_name": "宋体"}
        self.head = book.add_format({**base, "bold": True, "bg_color": "#D9E1F2", "text_wrap": True})
        self.required = book.add_format(
            {**base, "bold": True, "bg_color": "#FCE4D6", "font_color": "#C00000"}
        )
        self.body = book.add_format({**base, "text_wrap": True, "valign": "top"})
        self.text = book.add_format({**base, "text_wrap": True, "valign": "top", "num_format": "@"})
        self.column_text = book.add_format({"num_format": "@"})
        self.example = book.add_format(
            {**base, "italic": True, "font_color": "#808080", "bg_color": "#F2F2F2", "num_format": "@"}
        )
        self.caption = book.add_format({"bold": True, "font_size": 14, "font_name": "黑体"})


class _Lists:
    """The drop-down lists, one column each on the hidden sheet 下拉选项."""

    SHEET = "下拉选项"

    def __init__(self) -> None:
        self.columns: list[list[str]] = []

    def ref(self, values: Sequence[str]) -> str:
        """The range holding ``values`` (a list already written is reused)."""
        wanted = list(values)
        if wanted not in self.columns:
            self.columns.append(wanted)
        letter = xlsxwriter.utility.xl_col_to_name(self.columns.index(wanted))
        return f"='{self.SHEET}'!${letter}$1:${letter}${max(len(wanted), 1)}"

    def write(self, book: Any) -> None:
        if not self.columns:
            return
        ws = book.add_worksheet(self.SHEET)
        for col, values in enumerate(self.columns):
            for row, value in enumerate(values):
                ws.write_string(row, col, neutralise(str(value)))
        ws.hide()


def _write_sheet(book: Any, sheet: Sheet, styles: _Styles, lists: _Lists) -> None:
    ws = book.add_worksheet(sheet_name(sheet.name))
    text_cols = set(sheet.text_columns)
    for col in range(len(sheet.headers)):
        width = sheet.widths[col] if col < len(sheet.widths) else None
        if width is not None or col in text_cols:
            ws.set_column(col, col, width or 16, styles.column_text if col in text_cols else None)
    top = 0
    if sheet.title:
        ws.write_string(0, 0, neutralise(sheet.title), styles.caption)
        top = 1
    required = set(sheet.required)
    for col, header in enumerate(sheet.headers):
        ws.write_string(
            top, col, neutralise(str(header)), styles.required if col in required else styles.head
        )
        if col in sheet.notes:
            ws.write_comment(top, col, sheet.notes[col], {"x_scale": 2, "y_scale": 1.5})
    ws.freeze_panes(top + 1, 0)
    first = top + 1
    if sheet.example is not None:
        for col, value in enumerate(sheet.example):
            ws.write_string(first, col, neutralise(cell_text(value)), styles.example)
        first += 1
    for r, row in enumerate(sheet.rows, start=first):
        for col, value in enumerate(row):
            if col in text_cols:
                ws.write_string(r, col, neutralise(cell_text(value)), styles.text)
            else:
                # write(): with strings_to_formulas off, text is always a string
                ws.write(r, col, _value(value), styles.body)
    last = max(top + sheet.input_rows, first + len(sheet.rows))
    for col, values in sheet.choices.items():
        strict = col in sheet.strict
        ws.data_validation(
            top + 1,
            col,
            last,
            col,
            {
                "validate": "list",
                "source": lists.ref(values),
                "error_type": "stop" if strict else "warning",
                "error_title": "请从下拉列表中选择",
                "error_message": f"「{sheet.headers[col]}」应从下拉列表中选择。",
            },
        )


def _value(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return cell_text(value)
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, Decimal):
        return float(value)
    return neutralise(cell_text(value))
