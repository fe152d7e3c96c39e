"""Spreadsheet output (xlsxwriter) with formula-injection protection.

Post titles, account names and evidence come from third parties. A cell that begins with
``=``, ``+``, ``-`` or ``@`` (also after leading blanks, and tab / carriage return) would be
taken for a formula by Excel or WPS, so such text gets a leading single quote (``'``) and
is always written with ``write_string``, never ``write``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter

from registry.timeutil import local_text

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """Prefix a quote to text a spreadsheet would evaluate ("=HYPERLINK(...)" → "'=HYPERLINK(...)")."""
    if text.lstrip(" ").startswith(FORMULA_TRIGGERS) or text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


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


def write_workbook(path: Path, sheets: Sequence[Sheet]) -> Path:
    """Write ``sheets`` to an .xlsx file. Numbers stay numbers; all text is neutralised."""
    path.parent.mkdir(parents=True, exist_ok=True)
    options = {
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
        "constant_memory": True,
    }
    book = xlsxwriter.Workbook(str(path), options)
    try:
        head = book.add_format(
            {
                "bold": True,
                "bg_color": "#D9E1F2",
                "border": 1,
                "text_wrap": True,
                "valign": "vcenter",
                "font_name": "宋体",
            }
        )
        body = book.add_format({"border": 1, "text_wrap": True, "valign": "top", "font_name": "宋体"})
        caption = book.add_format({"bold": True, "font_size": 14, "font_name": "黑体"})
        for sheet in sheets:
            ws = book.add_worksheet(sheet.name[:31])
            for col, width in enumerate(sheet.widths):
                ws.set_column(col, col, width)
            top = 0
            if sheet.title:
                ws.write_string(0, 0, neutralise(sheet.title), caption)
                top = 1
            ws.write_row(top, 0, [neutralise(str(h)) for h in sheet.headers], head)
            ws.freeze_panes(top + 1, 0)
            for r, row in enumerate(sheet.rows, start=top + 1):
                # write_row → write(): with strings_to_formulas off, text is always a string
                ws.write_row(r, 0, [_value(v) for v in row], body)
    finally:
        book.close()
    return path


def _value(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return cell_text(value)
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, Decimal):
        return float(value)
    return neutralise(cell_text(value))
