"""Database plumbing: the URL, the engine, units of work and migrations.

The location comes from ``--db`` / ``GOVMEDIA_DB``: an SQLAlchemy URL or a file path,
defaulting to ``govmedia.db`` in the working directory. SQLite is the embedded default;
a ``postgresql://`` URL works the same way (psycopg 3 is used for it).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from registry.errors import DatabaseError

DEFAULT_DB = "govmedia.db"
MIGRATIONS = Path(__file__).parent / "migrations"

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware instant stored as UTC on every backend (SQLite has no zones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def resolve_url(db: str | None = None) -> str:
    """Turn ``--db`` / ``GOVMEDIA_DB`` (a URL or a path) into an SQLAlchemy URL."""
    value = db or os.environ.get("GOVMEDIA_DB") or DEFAULT_DB
    if "://" in value:
        if value.startswith("postgresql://") or value.startswith("postgres://"):
            value = "postgresql+psycopg://" + value.split("://", 1)[1]
        return value
    return f"sqlite:///{Path(value).expanduser().resolve()}"


_ENGINES: dict[str, Engine] = {}


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def get_engine(db: str | None = None) -> Engine:
    """One engine per URL per process."""
    url = resolve_url(db)
    engine = _ENGINES.get(url)
    if engine is None:
        if url.startswith("sqlite"):
            engine = create_engine(url)
            event.listen(engine, "connect", _sqlite_pragmas)
        else:
            engine = create_engine(url, pool_pre_ping=True)
        _ENGINES[url] = engine
    return engine


def dispose_engines() -> None:
    for engine in _ENGINES.values():
        engine.dispose()
    _ENGINES.clear()


@contextmanager
def session_scope(db: str | None = None, *, check: bool = True) -> Iterator[Session]:
    """A unit of work: commit on success, roll back everything on any error."""
    engine = get_engine(db)
    if check:
        ensure_current(engine)
    session = sessionmaker(engine, expire_on_commit=False)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _alembic_config(engine: Engine) -> Any:
    import io

    from alembic.config import Config

    cfg = Config(stdout=io.StringIO())  # its messages are not for users; never a stale stream
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(db: str | None = None, revision: str = "head") -> list[str]:
    """Bring the schema to the newest revision (``govmedia db upgrade``); return the heads."""
    from alembic import command

    engine = get_engine(db)
    try:
        with engine.begin() as conn:
            cfg = _alembic_config(engine)
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
    except Exception as exc:
        if isinstance(exc, DatabaseError):
            raise
        raise DatabaseError(f"数据库「{_safe(engine)}」升级失败：{exc}") from exc
    return current_revisions(engine)


def current_revisions(engine: Engine) -> list[str]:
    """The revisions recorded in the database's ``alembic_version`` table (empty when the
    database was never initialised). Read with SQLAlchemy alone: a command that only checks
    the schema does not load Alembic."""
    from sqlalchemy import inspect, text

    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return []
        return sorted(str(r[0]) for r in conn.execute(text("SELECT version_num FROM alembic_version")))


# The newest migration; a test keeps it equal to the head of ``migrations/versions``.
HEAD = "0008_judgement"


def head_revisions() -> list[str]:
    """The newest revision of the (linear) migration history, as Alembic reads it."""
    from alembic.script import ScriptDirectory

    cfg = _alembic_config(get_engine("sqlite://"))
    return sorted(ScriptDirectory.from_config(cfg).get_heads())


_CHECKED: set[str] = set()


def ensure_current(engine: Engine) -> None:
    """Refuse to work on a database that is missing or behind the code's migrations."""
    key = str(engine.url)
    if key in _CHECKED:
        return
    try:
        current = current_revisions(engine)
    except Exception as exc:
        raise DatabaseError(f"无法连接数据库「{_safe(engine)}」：{_first_line(exc)}") from exc
    if not current:
        raise DatabaseError(f"数据库「{_safe(engine)}」尚未初始化：请先运行 govmedia db upgrade")
    if current != [HEAD]:
        raise DatabaseError(
            f"数据库「{_safe(engine)}」的结构版本 {','.join(current)} 不是最新：请运行 govmedia db upgrade"
        )
    _CHECKED.add(key)


def _safe(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
