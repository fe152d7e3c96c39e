"""Bulk writes: PostgreSQL's COPY into a staging table, and SQLite's DBAPI executemany.

On PostgreSQL the fastest way in is ``COPY … FROM STDIN`` (psycopg 3's ``cursor.copy``):
rows are streamed into a temporary staging table of the target's columns, then moved into
the target by one ``INSERT … SELECT … ON CONFLICT …`` statement (the caller's). The staging
table lives until the end of the transaction (``ON COMMIT DROP``) and is emptied before each
batch, so one transaction can stage several batches. Everything happens in the session's own
transaction: a failed batch leaves nothing behind.

On SQLite a DBAPI ``executemany`` of one prepared statement is the fast path (no COPY); values
are given exactly as SQLAlchemy stores them (``sqlite_time``, ``sqlite_flag``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session


def dialect(session: Session) -> str:
    """``sqlite`` or ``postgresql``: which bulk path the session's database takes."""
    return session.get_bind().dialect.name


ORDINAL = "stage_ord"


def stage_rows(
    session: Session, *, target: str, stage: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """COPY ``rows`` (tuples in ``columns`` order) into the emptied temporary table ``stage``,
    created with the types of ``target``'s columns plus ``stage_ord``, the rows' order
    (PostgreSQL only; ``staged`` reads them back in that order)."""
    cols = ", ".join(columns)
    conn = session.connection()
    conn.exec_driver_sql(
        f"CREATE TEMPORARY TABLE IF NOT EXISTS {stage} ON COMMIT DROP AS "
        f"SELECT 0::bigint AS {ORDINAL}, {cols} FROM {target} WITH NO DATA"
    )
    conn.exec_driver_sql(f"TRUNCATE {stage}")
    cursor = conn.connection.cursor()  # the psycopg cursor, in the session's transaction
    try:
        with cursor.copy(f"COPY {stage} ({ORDINAL}, {cols}) FROM STDIN") as copy:
            for n, row in enumerate(rows):
                copy.write_row((n, *row))
    finally:
        cursor.close()


def staged(stage: str, columns: Sequence[str]) -> str:
    """``SELECT`` of the staged rows in the order they were given (for ``INSERT … SELECT``)."""
    return f"SELECT {', '.join(columns)} FROM {stage} ORDER BY {ORDINAL}"


def copy_json(value: Any) -> str | None:
    """A JSON column's value as COPY text."""
    return None if value is None else json.dumps(value, ensure_ascii=False)


def sqlite_time(value: datetime | None) -> str | None:
    """A UTC instant as SQLAlchemy stores it on SQLite (naive UTC, microseconds)."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetime given to a UTC column")
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def sqlite_flag(value: bool | None) -> int | None:
    return None if value is None else int(bool(value))
