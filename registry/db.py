"""Database plumbing: the URL, the engine, units of work and migrations.

The location comes from ``--db`` / ``GOVMEDIA_DB``: an SQLAlchemy URL or a file path,
defaulting to ``govmedia.db`` in the working directory. SQLite is the embedded default;
a ``postgresql://`` URL works the same way (psycopg 3 is used for it).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
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


def url_of(session: Session) -> str | None:
    """The database URL a session works on (password included), or None for an in-memory
    SQLite database that no other process can open."""
    bind = session.get_bind()
    url = bind.engine.url
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        return None
    return url.render_as_string(hide_password=False)


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

    path = sqlite_path(resolve_url(db))
    if path is not None and not path.parent.is_dir():
        raise DatabaseError(f"无法创建数据库文件「{path}」：文件夹「{path.parent}」不存在")
    engine = get_engine(db)
    try:
        with engine.begin() as conn:
            cfg = _alembic_config(engine)
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
    except Exception as exc:
        if isinstance(exc, DatabaseError):
            raise
        raise DatabaseError(f"数据库「{_safe(engine)}」升级失败：{describe_error(exc)}") from exc
    return current_revisions(engine)


@dataclass(frozen=True)
class Migration:
    """What ``db upgrade`` did: the revisions before and after, and whether it created the
    database (a new file, or a database with no tables yet)."""

    url: str
    before: list[str]
    after: list[str]

    @property
    def created(self) -> bool:
        return not self.before

    @property
    def changed(self) -> bool:
        return self.before != self.after


def migrate(db: str | None = None) -> Migration:
    """``govmedia db upgrade``: create or upgrade the database, saying which it was."""
    url = resolve_url(db)
    path = sqlite_path(url)
    before: list[str] = []
    if path is None or path.exists():
        try:
            before = current_revisions(get_engine(db))
        except Exception as exc:
            raise DatabaseError(f"无法连接数据库「{_safe(get_engine(db))}」：{describe_error(exc)}") from exc
    after = upgrade(db)
    return Migration(_safe(get_engine(db)), before, after)


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
HEAD = "0015_crawl_cycles"


def head_revisions() -> list[str]:
    """The newest revision of the (linear) migration history, as Alembic reads it."""
    from alembic.script import ScriptDirectory

    cfg = _alembic_config(get_engine("sqlite://"))
    return sorted(ScriptDirectory.from_config(cfg).get_heads())


_CHECKED: set[str] = set()


def ensure_current(engine: Engine) -> None:
    """Refuse to work on a database that is missing or behind the code's migrations; a
    missing SQLite file is refused before connecting, so no empty file is left behind."""
    key = str(engine.url)
    if key in _CHECKED:
        return
    path = sqlite_path(key)
    if path is not None and not path.exists():
        raise DatabaseError(
            f"数据库文件「{path}」不存在：请先运行 govmedia db upgrade 创建数据库（或用 --db 指定）"
        )
    try:
        current = current_revisions(engine)
    except Exception as exc:
        raise DatabaseError(f"无法连接数据库「{_safe(engine)}」：{describe_error(exc)}") from exc
    if not current:
        raise DatabaseError(f"数据库「{_safe(engine)}」尚未初始化：请先运行 govmedia db upgrade")
    if current != [HEAD]:
        raise DatabaseError(
            f"数据库「{_safe(engine)}」的结构版本 {','.join(current)} 不是最新：请运行 govmedia db upgrade"
        )
    _CHECKED.add(key)


def _safe(engine: Engine) -> str:
    """The database as the user names it: password hidden, no driver name."""
    return engine.url.render_as_string(hide_password=True).replace("+psycopg://", "://", 1)


def sqlite_path(url: str) -> Path | None:
    """The file of an SQLite URL (None for other databases and in-memory SQLite)."""
    if not url.startswith("sqlite"):
        return None
    rest = url.split("://", 1)[1] if "://" in url else ""
    if not rest.startswith("/") or rest in ("/", "/:memory:") or "mode=memory" in rest:
        return None
    return Path(rest[1:].split("?", 1)[0])


# what database drivers say (English), and the Chinese a user reads instead
_DRIVER_REASONS = (
    ("unable to open database file", "无法打开数据库文件（文件夹不存在，或没有读写权限）"),
    ("file is not a database", "该文件不是 SQLite 数据库"),
    ("file is encrypted", "该文件不是 SQLite 数据库"),
    ("database is locked", "数据库被其他程序锁定，请稍后重试"),
    ("readonly database", "数据库文件只读，没有写入权限"),
    ("disk i/o error", "磁盘读写出错"),
    ("password authentication failed", "用户名或密码错误"),
    ("no password supplied", "需要密码，请在 URL 中给出"),
    ("does not exist", "数据库或用户不存在"),
    ("connection refused", "连接被拒绝：数据库服务器未启动，或主机、端口有误"),
    ("could not translate host name", "无法解析数据库主机名"),
    ("name or service not known", "无法解析数据库主机名"),
    ("timeout expired", "连接超时"),
    ("timed out", "连接超时"),
    ("no such table", "数据库结构不完整：请运行 govmedia db upgrade"),
    ("could not parse", "数据库地址格式不正确（应为 SQLite 文件路径或 postgresql://用户@主机/库名）"),
    ("can't load plugin", "不支持的数据库地址（应为 SQLite 文件路径或 postgresql:// 地址）"),
)


def describe_error(exc: BaseException) -> str:
    """A database error in Chinese, never the driver's English message."""
    text = str(exc).lower()
    for needle, reason in _DRIVER_REASONS:
        if needle in text:
            return reason
    if "connection" in text or "connect" in text:
        return "无法连接数据库服务器，请检查 --db 地址"
    return "数据库报告错误，请检查 --db 地址和数据库状态"
