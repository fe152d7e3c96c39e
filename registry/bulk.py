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
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Table, any_, bindparam, insert
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session


def dialect(session: Session) -> str:
    """``sqlite`` or ``postgresql``: which bulk path the session's database takes."""
    return session.get_bind().dialect.name


ORDINAL = "stage_ord"


def among(session: Session, column: Any, ids: Sequence[int]) -> Any:
    """``column IN (ids)``: one array parameter on PostgreSQL (``= ANY``: the driver need not
    parse thousands of placeholders), a list of values elsewhere."""
    if dialect(session) == "postgresql":
        return column == any_(bindparam(None, list(ids), type_=postgresql.ARRAY(BigInteger)))
    return column.in_(list(ids))


def raw_rows(session: Session, query: Any, chunk: int) -> Iterator[Sequence[Any]]:
    """The rows of a Core ``SELECT``, ``chunk`` at a time, as the driver gives them (plain
    tuples, no SQLAlchemy result processing: times are SQLite text or driver datetimes, see
    ``utc_reader``), read in the session's transaction. For reads of millions of rows."""
    bind = session.get_bind().dialect
    compiled = query.compile(dialect=bind)
    convert = compiled._bind_processors  # each parameter as its column type binds it
    params = {k: convert[k](v) if k in convert else v for k, v in compiled.construct_params().items()}
    args: Any = [params[k] for k in compiled.positiontup or ()] if compiled.positional else params
    connection = session.connection().connection
    if dialect(session) == "postgresql":  # a server-side cursor: the rows come as they are fetched
        cursor = connection.cursor(name=f"govmedia_raw_{id(compiled)}")
    else:
        cursor = connection.cursor()
    try:
        cursor.execute(compiled.string, args)
        while rows := cursor.fetchmany(chunk):
            yield rows
    finally:
        cursor.close()


def utc_reader(session: Session) -> Callable[[Any], datetime | None]:
    """How a raw time value (``raw_rows``) of a UTC column becomes an aware UTC datetime, as
    the column type would read it: SQLite text, or the driver's datetime."""
    if dialect(session) == "sqlite":

        def from_text(value: Any) -> datetime | None:
            return None if value is None else datetime.fromisoformat(value).replace(tzinfo=UTC)

        return from_text

    def from_driver(value: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    return from_driver


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


def insert_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert new rows (dicts of column values; the table's Python-side defaults fill the rest):
    COPY straight into the table on PostgreSQL, a Core executemany elsewhere."""
    if not rows:
        return
    given = set().union(*(r.keys() for r in rows))
    columns = [c for c in table.columns if c.default is not None or c.name in given]
    if dialect(session) == "sqlite":
        _sqlite_insert(session, table, columns, rows)
        return
    if dialect(session) != "postgresql":
        session.execute(insert(table), list(rows))
        return
    names = [c.name for c in columns]
    fill = {c.name: _default(c) for c in columns}
    as_json = {c.name for c in columns if isinstance(c.type, JSON)}
    dumps = getattr(session.get_bind().dialect, "_json_serializer", None) or json.dumps  # as SQLAlchemy
    cursor = session.connection().connection.cursor()
    try:
        with cursor.copy(f"COPY {table.name} ({', '.join(names)}) FROM STDIN") as copy:
            for row in rows:
                values = [row[n] if n in row else fill[n]() for n in names]
                copy.write_row([dumps(v) if n in as_json else v for n, v in zip(names, values, strict=True)])
    finally:
        cursor.close()


def _sqlite_insert(
    session: Session, table: Table, columns: Sequence[Any], rows: Sequence[dict[str, Any]]
) -> None:
    """One DBAPI executemany, each value converted by its column type as SQLAlchemy would
    (its bind processor) without SQLAlchemy's per-row work."""
    bind = session.get_bind().dialect
    names = [c.name for c in columns]
    fill = {c.name: _default(c) for c in columns}
    convert = [c.type._cached_bind_processor(bind) for c in columns]
    values = [
        tuple(
            (f(v) if f is not None else v)
            for f, v in zip(convert, (row[n] if n in row else fill[n]() for n in names), strict=True)
        )
        for row in rows
    ]
    places = ", ".join("?" for _ in names)
    session.connection().exec_driver_sql(
        f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({places})", values
    )


def _default(column: Any) -> Callable[[], Any]:
    """The value a column takes when a row does not give it (its Python-side default)."""
    default = column.default
    if default is None:
        return lambda: None
    if default.is_callable:
        return lambda: default.arg(None)
    return lambda: default.arg


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
