"""Alembic: upgrade head on an empty database, the schema matches the models, downgrade base."""

from __future__ import annotations

import os
import subprocess
import sys

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from api.db import migrate
from api.db.engine import Database
from api.db.tables import metadata

TABLES = {"api_keys", "referrals", "referral_events", "audit_log"}


def test_upgrade_creates_every_table_and_matches_the_models(empty_database: Database) -> None:
    migrate.upgrade(empty_database.engine)
    assert set(inspect(empty_database.engine).get_table_names()) >= TABLES
    with empty_database.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), metadata) == []


def test_upgrade_twice_is_a_no_op(empty_database: Database) -> None:
    migrate.upgrade(empty_database.engine)
    migrate.upgrade(empty_database.engine)
    with empty_database.engine.connect() as connection:
        version = connection.scalar(text("SELECT version_num FROM alembic_version"))
    assert version == ScriptDirectory.from_config(migrate.alembic_config()).get_current_head()


def test_downgrade_base_drops_everything_and_upgrade_works_again(
    empty_database: Database,
) -> None:
    migrate.upgrade(empty_database.engine)
    migrate.downgrade(empty_database.engine, "base")
    assert set(inspect(empty_database.engine).get_table_names()) <= {"alembic_version"}
    migrate.upgrade(empty_database.engine)
    assert set(inspect(empty_database.engine).get_table_names()) >= TABLES


def test_sqlite_runs_in_wal_mode_with_foreign_keys(database: Database) -> None:
    with database.engine.connect() as connection:
        if connection.dialect.name != "sqlite":
            return
        assert connection.scalar(text("PRAGMA journal_mode")) == "wal"
        assert connection.scalar(text("PRAGMA foreign_keys")) == 1


def test_alembic_command_line_upgrades_and_downgrades(empty_database: Database) -> None:
    url = empty_database.engine.url.render_as_string(hide_password=False)
    env = {"OSTEOREF_DATABASE_URL": url}
    for step in (["upgrade", "head"], ["downgrade", "base"]):
        done = subprocess.run(
            [sys.executable, "-m", "alembic", *step],
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
    assert set(inspect(empty_database.engine).get_table_names()) <= {"alembic_version"}


def test_the_fhir_communications_migration_steps_down_to_the_pcp_loop_and_up_again(
    empty_database: Database,
) -> None:
    migrate.upgrade(empty_database.engine, "0006_pcp_loop")
    assert "fhir_communications" not in inspect(empty_database.engine).get_table_names()
    migrate.upgrade(empty_database.engine)
    tables = inspect(empty_database.engine).get_table_names()
    assert "fhir_communications" in tables
    unique = inspect(empty_database.engine).get_unique_constraints("fhir_communications")
    assert [u["column_names"] for u in unique] == [["referral_id", "purpose"]]
    migrate.downgrade(empty_database.engine, "0006_pcp_loop")
    tables = inspect(empty_database.engine).get_table_names()
    assert "fhir_communications" not in tables and "deliveries" in tables


def test_the_print_batch_requeue_migration_adds_two_columns_and_takes_them_away(
    empty_database: Database,
) -> None:
    migrate.upgrade(empty_database.engine)
    columns = {c["name"] for c in inspect(empty_database.engine).get_columns("print_batches")}
    assert {"requeued_at", "requeued_letters"} <= columns
    migrate.downgrade(empty_database.engine, "0007_fhir_communications")
    columns = {c["name"] for c in inspect(empty_database.engine).get_columns("print_batches")}
    assert columns == {"id", "created_at", "letters", "created_by"}
    migrate.upgrade(empty_database.engine)
