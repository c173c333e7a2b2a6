"""The database as the service starts it: migrated, with the first-start development admin key and
the production refusal to run with one."""

from __future__ import annotations

import sys

from api.auth.principal import create_key
from api.db import keys_repo, migrate
from api.db.engine import Database
from api.settings import Settings

DEVELOPMENT_KEY_LABEL = "development admin (created at first start)"


def ensure_development_key(database: Database, settings: Settings) -> str | None:
    """In development with an empty key table, create an admin key, print it once, return it."""
    if settings.environment != "development":
        return None
    with database.reader() as session:
        if keys_repo.count_keys(session) > 0:
            return None
    plaintext = create_key(database, "admin", DEVELOPMENT_KEY_LABEL, actor=None)
    # Printed (not logged) on purpose: logs are shipped, a terminal is not.
    sys.stderr.write(
        "WARNING: no API key existed, so a DEVELOPMENT admin key was created. "
        "It is shown only now; never use it in production:\n"
        f"{plaintext}\n"
    )
    return plaintext


def refuse_development_key_in_production(database: Database, settings: Settings) -> None:
    """Production must not start while the development admin key is still active."""
    if settings.environment != "production":
        return
    with database.reader() as session:
        active = [
            k
            for k in keys_repo.list_keys(session)
            if k.label == DEVELOPMENT_KEY_LABEL and k.revoked_at is None
        ]
    if active:
        ids = ", ".join(str(k.id) for k in active)
        raise RuntimeError(
            f"production refused: the development admin key (id {ids}) is active; "
            "revoke it with `osteoref keys revoke`"
        )


def open_database(settings: Settings) -> Database:
    """Connect, migrate to head, and apply the key rules of start-up (dev key / production refusal).

    All under the start-up lock, so of N processes starting at once one migrates and one makes
    the development key; the others wait and find both done.
    """
    database = Database.connect(settings.database_url)
    with migrate.migrated(database.engine):
        refuse_development_key_in_production(database, settings)
        ensure_development_key(database, settings)
    return database
