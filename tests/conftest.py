"""Shared fixtures: every test gets its own SQLite file and working directory; PostgreSQL
tests get a fresh database on the machine's server (a missing server skips locally and
fails in CI, where ``CI=true``)."""

from __future__ import annotations

import os
import shlex
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from registry import db as dbmod

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
SHARED = Path(__file__).resolve().parents[2] / "shared"
FIXTURES = SHARED / "fixtures" / "platforms"


def _missing_service(what: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{what} is required in CI but is not reachable")
    pytest.skip(f"{what} not reachable")


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point all state at tmp_path so no test touches real data."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GOVMEDIA_DB", str(tmp_path / "govmedia.db"))
    monkeypatch.setenv("GOVMEDIA_USER", "tester")
    monkeypatch.delenv("GOVMEDIA_CONFIG", raising=False)
    monkeypatch.setenv("GOVMEDIA_CRAWL_DELAY", "0")
    yield tmp_path
    dbmod.dispose_engines()


@dataclass
class Result:
    code: int
    out: str
    err: str

    def __repr__(self) -> str:  # shown when an assertion fails
        return f"Result(code={self.code}, out={self.out[:2000]!r}, err={self.err[:2000]!r})"


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    """Run ``govmedia ARGS`` in-process: cli("account list --format json")."""
    from monitor.app.cli.main import main

    def run(args: str | list[str]) -> Result:
        argv = shlex.split(args) if isinstance(args, str) else list(args)
        capsys.readouterr()
        code = main(argv)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


@pytest.fixture
def sqlite_db(tmp_path: Path) -> str:
    url = dbmod.resolve_url(str(tmp_path / "govmedia.db"))
    dbmod.upgrade(url)
    return url


@pytest.fixture(scope="session")
def pg_server() -> str:
    from sqlalchemy import create_engine, text

    try:
        engine = create_engine(PG_ADMIN)
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
    except Exception:
        _missing_service("PostgreSQL at 127.0.0.1:5432")
    return PG_ADMIN


@pytest.fixture
def pg_db(pg_server: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    from sqlalchemy import create_engine, text

    name = f"govmedia_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(pg_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    try:
        yield url
    finally:
        dbmod.dispose_engines()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def any_db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same test on an SQLite file and on a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "govmedia.db")
    return str(request.getfixturevalue("pg_db"))


@pytest.fixture
def shared_fixtures() -> Path:
    """The recorded platform payloads in ../shared (skip cleanly when absent)."""
    if not FIXTURES.is_dir():
        pytest.skip("../shared/fixtures/platforms is not present")
    return FIXTURES
