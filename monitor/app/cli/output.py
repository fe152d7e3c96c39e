"""Shared pieces of the command line: global state, output formats, units of work and progress.

Every package's CLI uses these so that ``--db``, ``--user``, ``--format`` and ``--out`` behave
the same everywhere. Rendering only: no queries here.

What a person reads and what a script reads differ on purpose:

- ``--format json`` prints the rows as the library returns them: codes (``weibo``,
  ``pending``) and ISO 8601 times with their offset. This is the contract for scripts.
- ``table``, ``csv`` and ``xlsx`` show Chinese headers and, through ``registry.vocab``, the one
  Chinese label of every code (新浪微博, 待审核); times as ``2026-12-01 14:06`` (Beijing time),
  是/否 for true/false. A column names its vocabulary with :class:`Col`.
"""

from __future__ import annotations

import csv
import getpass
import json
import os
import re
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text
from sqlalchemy.orm import Session

from monitor.app.cli import params
from registry.db import session_scope
from registry.paths import safe_filename
from registry.timeutil import local_text
from registry.vocab import Vocabulary


class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    xlsx = "xlsx"


FORMAT_HELP = "输出格式：table（表格）、json（供脚本使用，保留代码）、csv 或 xlsx（Excel 文件，见 --out）。"
OUT_HELP = "--format xlsx 或 csv 时写入的文件（默认按列表名称写入当前目录，如 备案账号.xlsx）。"
TABLE_WIDTH = 120  # a table's width when the output is not a terminal
MAX_WIDTH = 400
WRAP_AFTER = 30  # a column whose cells are longer than this wraps
FormatOpt = Annotated[Format, typer.Option("--format", help=FORMAT_HELP)]
OutOpt = Annotated[Path | None, typer.Option("--out", parser=params.out_file("--out"), help=OUT_HELP)]


@dataclass
class State:
    db: str | None = None
    user: str | None = None
    config: str | None = None


STATE = State()


@dataclass(frozen=True)
class Col:
    """One column of a listing: the row key, its Chinese header, and how a person reads it.

    ``vocab`` turns a code (or a list of codes) into its Chinese label; ``width`` caps the
    column in a table (longer text wraps)."""

    key: str
    header: str
    vocab: Vocabulary | None = None
    width: int | None = None


ColumnSpec = Col | tuple[str, str] | tuple[str, str, Vocabulary]


def actor() -> str:
    """Who is acting: ``--user``, then ``GOVMEDIA_USER``, then the OS user; a name that is a
    registered user of the workbench is recorded as that user (who must be active)."""
    from monitor.app.cli.users import acting_as

    return acting_as(_typed_actor(), STATE.db)


def _typed_actor() -> str:
    if STATE.user:
        return STATE.user
    env = os.environ.get("GOVMEDIA_USER")
    if env:
        return env
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


@contextmanager
def session() -> Iterator[Session]:
    with session_scope(STATE.db) as s:
        yield s


def registered_units() -> list[str]:
    """The registry's units for a template's drop-down; none (with a hint) without a database."""
    from registry.errors import DatabaseError
    from registry.filing.forms import unit_names

    try:
        with session() as s:
            return unit_names(s)
    except DatabaseError:
        note("没有可用的数据库：模板中的单位一列没有下拉列表（登记单位后重新生成即可）")
        return []


def columns_of(columns: Sequence[ColumnSpec] | None, rows: Sequence[Mapping[str, Any]]) -> list[Col]:
    if columns is None:
        return [Col(k, k) for k in (rows[0] if rows else {})]
    out = []
    for c in columns:
        if isinstance(c, Col):
            out.append(c)
        elif len(c) == 3:
            out.append(Col(c[0], c[1], c[2]))
        else:
            out.append(Col(c[0], c[1]))
    return out


def emit(
    rows: Sequence[Mapping[str, Any]],
    fmt: Format | str,
    *,
    columns: Sequence[ColumnSpec] | None = None,
    title: str | None = None,
    out: Path | None = None,
) -> None:
    """Print rows as a table, write them as CSV or .xlsx (Chinese labels), or print JSON (codes)."""
    fmt = Format(fmt)
    if fmt is Format.json:
        sys.stdout.write(json.dumps(list(rows), ensure_ascii=False, indent=2, default=str) + "\n")
        return
    cols = columns_of(columns, rows)
    headers = [c.header for c in cols]
    if fmt is Format.table:
        grid = [[shown(row.get(c.key), c.vocab) for c in cols] for row in rows]
        print_table(headers, grid, cols, title)
        return
    cells = [[file_cell(row.get(c.key), c.vocab) for c in cols] for row in rows]
    if fmt is Format.csv:
        _write_csv(headers, cells, out)
    else:
        _write_xlsx(headers, cells, cols, out or Path(f"{safe_filename(title or '列表')}.xlsx"), title)


def file_cell(value: Any, vocab: Vocabulary | None = None) -> Any:
    """A cell of a CSV or .xlsx file: a number stays a number (a negative score is data, not a
    formula); anything else is the text a person reads (the writers neutralise it)."""
    if vocab is None and isinstance(value, (int, float)) and not isinstance(value, bool):
        return value if value == value else ""  # NaN: an empty cell
    return shown(value, vocab)


def print_table(
    headers: Sequence[str], grid: Sequence[Sequence[str]], cols: Sequence[Col], title: str | None
) -> None:
    """A table in the terminal's width (120 columns when piped, wider only if it cannot fit):
    long text wraps inside its column; IDs, labels, numbers and times never wrap."""
    from rich.cells import cell_len

    table = Table(title=title, show_lines=False)
    need = 1
    for i, (header, col) in enumerate(zip(headers, cols, strict=True)):
        longest = max([cell_len(header), *(cell_len(cells[i]) for cells in grid)])
        wraps = col.width is not None or longest > WRAP_AFTER
        table.add_column(header, overflow="fold", max_width=col.width, no_wrap=not wraps)
        need += 3 + (min(longest, col.width or WRAP_AFTER, max(cell_len(header), 8)) if wraps else longest)
    for cells in grid:
        table.add_row(*[Text(cell) for cell in cells])  # Text: a cell is never read as markup
    probe = Console()
    width = max(probe.width, 80) if probe.is_terminal else max(TABLE_WIDTH, min(need, MAX_WIDTH))
    console = Console(width=width, highlight=False)
    console.print(table)
    if not grid:
        console.print("（无记录）")


def _write_csv(headers: Sequence[str], grid: Sequence[Sequence[Any]], out: Path | None) -> None:
    """CSV on stdout, or into ``out`` (whole or not at all); text cells neutralised either way."""
    from registry.sheets import csv_cells, write_csv

    if out is None:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(headers)
        writer.writerows(csv_cells(grid))
        return
    write_csv(out, headers, grid, field="--out")
    say(f"已写入 {len(grid)} 行：{out}")


def _write_xlsx(
    headers: Sequence[str], grid: Sequence[Sequence[Any]], cols: Sequence[Col], out: Path, title: str | None
) -> None:
    from registry.errors import InvalidValue
    from registry.sheets import Sheet, write_workbook

    if out.suffix.lower() != ".xlsx":
        raise InvalidValue("--out", str(out), "--format xlsx 应写入 .xlsx 文件")
    widths = [
        min(max(len(h) * 2 + 2, *(len(str(r[i])) + 2 for r in grid[:200]), 8), 60)
        for i, h in enumerate(headers)
    ]
    write_workbook(out, [Sheet((title or "列表")[:31], headers, grid, widths=widths)], field="--out")
    say(f"已写入 {len(grid)} 行：{out}")


def emit_object(
    obj: Mapping[str, Any],
    fmt: Format | str,
    labels: Mapping[str, str],
    vocab: Mapping[str, Vocabulary] | None = None,
    *,
    out: Path | None = None,
    title: str | None = None,
) -> None:
    """One record: JSON as is, otherwise a two-column 字段/值 listing in Chinese."""
    if Format(fmt) is Format.json:
        sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2, default=str) + "\n")
        return
    vocab = vocab or {}
    rows = [{"field": labels.get(k, k), "value": shown(obj[k], vocab.get(k))} for k in obj]
    emit(rows, fmt, columns=[Col("field", "字段"), Col("value", "值")], out=out, title=title)


_ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:?\d{2}|Z)?")


def shown(value: Any, vocab: Vocabulary | None = None) -> str:
    """A value as a person reads it: Chinese labels, 是/否, Beijing times to the minute."""
    if value is None:
        return ""
    if vocab is not None:
        if isinstance(value, (list, tuple)):
            return "、".join(vocab.label(str(v)) for v in value)
        return vocab.label(str(value))
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return local_text(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, str):
        return time_text(value)
    if isinstance(value, (list, tuple)):
        return "、".join(shown(v) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{k}：{shown(v)}" for k, v in value.items())
    return str(value)


def time_text(value: str) -> str:
    """An ISO 8601 time ("2026-12-01T14:06:09+08:00") as "2026-12-01 14:06" in Beijing time;
    any other text unchanged."""
    if not _ISO_TIME.fullmatch(value):
        return value
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if moment.tzinfo is None:
        return moment.strftime("%Y-%m-%d %H:%M")
    return local_text(moment)


def say(message: str) -> None:
    """A one-line confirmation for the user."""
    Console(width=200).print(message, highlight=False, markup=False)


def note(message: str) -> None:
    """A hint or warning on stderr (提示：…), never mixed into the output a script reads."""
    Console(stderr=True, width=200).print(f"提示：{message}", highlight=False, markup=False)


def interactive(fmt: Format | str | None = None) -> bool:
    """Progress is shown only to a person at a terminal: never when stderr is piped or
    redirected, and never with ``--format json``."""
    if fmt is not None and str(getattr(fmt, "value", fmt)) == "json":
        return False
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


@contextmanager
def progress(label: str, fmt: Format | str | None = None) -> Iterator[Callable[..., None]]:
    """A progress bar on stderr: ``update(total=N)`` sets the size, ``update(advance=1)``
    moves it. Silent (a no-op) unless :func:`interactive`."""
    if not interactive(fmt):
        yield lambda **_kw: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    with bar:
        task = bar.add_task(label, total=None)

        def update(**kwargs: Any) -> None:
            bar.update(task, **kwargs)

        yield update


@contextmanager
def working(label: str, fmt: Format | str | None = None) -> Iterator[None]:
    """A spinner with ``label`` on stderr while a step of unknown length runs (same rule as
    :func:`progress`)."""
    if not interactive(fmt):
        yield
        return
    with Console(stderr=True).status(label):
        yield
