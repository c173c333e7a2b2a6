"""Alembic environment: migrate the connection we are handed, or the configured database."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from api.db.engine import make_engine
from api.db.migrate import startup_lock
from api.db.tables import metadata
from api.settings import get_settings


def _migrate(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def _run() -> None:
    handed = context.config.attributes.get("connection")
    if isinstance(handed, Connection):
        _migrate(handed)
        return
    engine = make_engine(get_settings().database_url)
    with startup_lock(engine), engine.begin() as connection:  # beside running servers: one at a time
        _migrate(connection)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run against a database")
_run()
