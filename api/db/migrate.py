"""Run the Alembic migrations programmatically (start-up, CLI and tests share this), under a lock.

Several processes may start at once on one database (uvicorn workers, replicas, a CLI beside a
server). ``startup_lock`` makes their start-up work one at a time: on PostgreSQL a session-level
advisory lock, on an SQLite file an exclusive ``flock`` on ``<database file>.lock``. Whoever
comes second finds the schema at head (a no-op migration) and the development key made.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, text

MIGRATIONS_DIR = Path(__file__).resolve().parents[1] / "migrations"
# Any fixed number: the advisory lock every osteoref process takes to start up on PostgreSQL.
PG_STARTUP_LOCK = 7_315_001


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config pointing at our migrations, optionally bound to ``connection``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@contextmanager
def startup_lock(engine: Engine) -> Iterator[None]:
    """Hold the database's start-up lock (other processes wait); a no-op for in-memory SQLite."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": PG_STARTUP_LOCK})
            connection.commit()
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": PG_STARTUP_LOCK})
                connection.commit()
        return
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    with Path(f"{database}.lock").open("a") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)  # released when the file closes, even on kill -9
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def _upgrade(engine: Engine, revision: str) -> None:
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)


@contextmanager
def migrated(engine: Engine) -> Iterator[None]:
    """Migrate to head and keep the start-up lock while the caller bootstraps (keys)."""
    with startup_lock(engine):
        _upgrade(engine, "head")
        yield


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (idempotent: a no-op when already there)."""
    with startup_lock(engine):
        _upgrade(engine, revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    """Step the schema back to ``revision`` (``base`` drops every table)."""
    with startup_lock(engine), engine.begin() as connection:
        command.downgrade(alembic_config(connection), revision)
