"""Several real servers started at once on a fresh database: all come up, one development key exists.

Before the start-up lock, two servers on a fresh SQLite file could exit with "database is
locked" or "table already exists", and two on PostgreSQL could each create a development key.
"""

from __future__ import annotations

from pathlib import Path

import httpx2 as httpx
import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import text

from api.auth.bootstrap import DEVELOPMENT_KEY_LABEL
from api.db import keys_repo, migrate
from api.db.engine import Database
from tests.api.db.backends import backend, empty_database
from tests.api.served import free_port, start, stop, wait_ready

__all__ = ["backend", "empty_database"]

SERVERS = 3
TRIALS = 2


def _race(url: str, log_dir: Path) -> None:
    ports = [free_port() for _ in range(SERVERS)]
    logs = [(log_dir / f"server-{i}.log").open("wb") for i in range(SERVERS)]
    processes = [
        start(port, {"OSTEOREF_DATABASE_URL": url}, log) for port, log in zip(ports, logs, strict=True)
    ]
    try:
        for port, process in zip(ports, processes, strict=True):
            wait_ready(port, process, seconds=240)
            assert httpx.get(f"http://127.0.0.1:{port}/health").status_code == 200
    finally:
        for process in processes:
            stop(process)
        for log in logs:
            log.close()


@pytest.mark.slow
def test_servers_starting_at_once_migrate_once_and_make_one_development_key(
    empty_database: Database, tmp_path: Path
) -> None:
    for trial in range(TRIALS):
        if trial:
            migrate.downgrade(empty_database.engine, "base")  # fresh again
            with empty_database.engine.begin() as connection:
                connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        url = empty_database.engine.url.render_as_string(hide_password=False)
        _race(url, tmp_path)
        with empty_database.reader() as session:
            development = [k for k in keys_repo.list_keys(session) if k.label == DEVELOPMENT_KEY_LABEL]
        with empty_database.engine.connect() as connection:
            version = connection.scalar(text("SELECT version_num FROM alembic_version"))
        logs = "".join(p.read_text(errors="replace") for p in tmp_path.glob("server-*.log"))
        assert len(development) == 1, (trial, logs[-3000:])
        assert version == ScriptDirectory.from_config(migrate.alembic_config()).get_current_head()
        assert "database is locked" not in logs
        assert "already exists" not in logs
