"""Alembic environment: works on the connection handed over by ``registry.db.upgrade``
or, when run from the ``alembic`` command, on ``GOVMEDIA_DB``."""

from __future__ import annotations

from alembic import context

from registry.db import get_engine
from registry.schema import metadata

config = context.config


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        return
    engine = config.attributes.get("engine") or get_engine()
    with engine.begin() as conn:
        _configure(conn)


def _configure(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
