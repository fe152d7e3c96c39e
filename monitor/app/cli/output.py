"""Shared pieces of the command line: global state, output formats and units of work.

Every package's CLI uses these so that ``--db``, ``--user`` and ``--format`` behave the same
everywhere. Rendering only: no queries here.
"""

from __future__ import annotations

import csv
import getpass
import io
import json
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from registry.db import session_scope


class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


@dataclass
class State:
    db: str | None = None
    user: str | None = None
    config: str | None = None


STATE = State()


def actor() -> str:
    """Who is acting: ``--user``, then ``GOVMEDIA_USER``, then the OS user."""
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


def emit(
    rows: Sequence[dict[str, Any]],
    fmt: Format | str,
    *,
    columns: Sequence[tuple[str, str]] | None = None,
    title: str | None = None,
) -> None:
    """Print rows as a rich table (Chinese headers), stable JSON, or CSV."""
    fmt = Format(fmt)
    if fmt is Format.json:
        sys.stdout.write(json.dumps(list(rows), ensure_ascii=False, indent=2, default=str) + "\n")
        return
    keys = [k for k, _ in columns] if columns else (list(rows[0]) if rows else [])
    if fmt is Format.csv:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(keys)
        for row in rows:
            writer.writerow([_cell(row.get(k)) for k in keys])
        sys.stdout.write(buffer.getvalue())
        return
    table = Table(title=title, show_lines=False)
    for _key, label in columns or [(k, k) for k in keys]:
        table.add_column(label, overflow="fold")
    for row in rows:
        table.add_row(*[_cell(row.get(k)) for k in keys])
    console = Console(width=max(120, Console().width))
    console.print(table)
    if not rows:
        console.print("（无记录）")


def emit_object(obj: dict[str, Any], fmt: Format | str, labels: dict[str, str]) -> None:
    """One record: JSON as is, otherwise a two-column 字段/值 table."""
    if Format(fmt) is Format.json:
        sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2, default=str) + "\n")
        return
    rows = [{"field": labels.get(k, k), "value": obj[k]} for k in obj]
    emit(rows, fmt, columns=[("field", "字段"), ("value", "值")])


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def say(message: str) -> None:
    """A one-line confirmation for the user."""
    Console(width=200).print(message, highlight=False, markup=False)
