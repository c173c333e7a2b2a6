"""Test databases on both backends: a fresh SQLite file, or a uniquely named PostgreSQL database."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from api.db import migrate
from api.db.engine import Database

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def postgres_admin_url() -> str:
    """The server to create test databases on (OSTEOREF_TEST_POSTGRES_URL or the local default)."""
    return os.environ.get("OSTEOREF_TEST_POSTGRES_URL", DEFAULT_PG_URL)


def _unreachable(reason: str) -> None:
    if os.environ.get("OSTEOREF_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"PostgreSQL required (OSTEOREF_REQUIRE_POSTGRES=1) but unreachable: {reason}")
    pytest.skip(f"PostgreSQL unreachable: {reason}")


def create_postgres_database() -> Iterator[str]:
    """Create ``osteoref_test_<random>``, yield its URL, drop it afterwards."""
    admin = create_engine(
        postgres_admin_url(), isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}
    )
    name = f"osteoref_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as error:
        admin.dispose()
        _unreachable(str(error).splitlines()[0])
    try:
        yield make_url(postgres_admin_url()).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One database server per backend and test session: a directory for SQLite, a PG database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('sqlite')}"
        return
    yield from create_postgres_database()


def reset_postgres_schema(database: Database) -> None:
    """Empty the PostgreSQL test database (drop and recreate the public schema)."""
    with database.engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))


@pytest.fixture
def empty_database(backend: str) -> Iterator[Database]:
    """A database with no tables at all, on the current backend."""
    if backend.startswith("sqlite"):
        directory = Path(backend.removeprefix("sqlite:///"))
        database = Database.connect(f"sqlite:///{directory / uuid.uuid4().hex}.db")
    else:
        database = Database.connect(backend)
        reset_postgres_schema(database)
    yield database
    database.dispose()


@pytest.fixture
def database(empty_database: Database) -> Database:
    """A freshly migrated database (schema at head, no rows), on the current backend."""
    migrate.upgrade(empty_database.engine)
    return empty_database
