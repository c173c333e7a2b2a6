"""Key format, hashing, revocation, the permission table and the development key rules."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.auth.bootstrap import (
    DEVELOPMENT_KEY_LABEL,
    ensure_development_key,
    refuse_development_key_in_production,
)
from api.auth.keys import generate_key, split_key, verify_secret
from api.auth.permissions import ACTIONS, PERMISSIONS, ROLES, is_allowed
from api.auth.principal import authenticate, create_key, revoke_key
from api.db import keys_repo
from api.db.engine import Database
from api.settings import Settings
from risk.errors import InvalidInput, NotAuthenticated
from tests.api.referrals.factories import bearer

PRODUCTION = {"environment": "production", "letterhead_organisation": "Real Clinic"}


def test_generated_key_verifies_and_the_hash_is_salted() -> None:
    first, second = generate_key(), generate_key()
    parts = split_key(first.plaintext)
    assert parts is not None
    assert parts[0] == first.prefix
    assert verify_secret(parts[1], first.hash)
    assert not verify_secret(parts[1], second.hash)
    assert parts[1] not in first.hash
    assert first.hash.split("$")[1] != second.hash.split("$")[1]


@pytest.mark.parametrize("stored", ["", "md5$00$00", "sha256$zz$00", "sha256$00"])
def test_malformed_stored_hash_never_verifies(stored: str) -> None:
    assert not verify_secret("anything", stored)


def test_revoked_key_is_401(client: TestClient, database: Database) -> None:
    key = create_key(database, "admin", None, actor=None)
    assert client.get("/v1/audit", headers=bearer(key)).status_code == 200
    key_id = authenticate(database, key).key_id
    assert revoke_key(database, key_id, actor=None)
    assert client.get("/v1/audit", headers=bearer(key)).status_code == 401


def test_revoking_an_unknown_key_reports_false(database: Database) -> None:
    assert not revoke_key(database, 999_999, actor=None)


def test_unknown_role_is_refused(database: Database) -> None:
    with pytest.raises(InvalidInput, match="unknown role"):
        create_key(database, "superuser", None, actor=None)


def test_missing_key_raises_not_authenticated(database: Database) -> None:
    with pytest.raises(NotAuthenticated):
        authenticate(database, None)


def test_permission_table_is_complete_and_admin_may_do_everything() -> None:
    assert set(PERMISSIONS) == set(ROLES)
    assert all(is_allowed("admin", action) for action in ACTIONS)
    assert not is_allowed("nobody", "referrals:read")
    assert not is_allowed("analyst", "referrals:read")
    assert not is_allowed("coordinator", "assessments:score")


def test_development_start_creates_one_admin_key_once(
    database: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    key = ensure_development_key(database, Settings())
    assert key is not None
    assert authenticate(database, key).role == "admin"
    assert capsys.readouterr().err.strip().splitlines()[-1] == key
    assert ensure_development_key(database, Settings()) is None


def test_development_start_creates_nothing_when_keys_exist(database: Database) -> None:
    create_key(database, "clinician", None, actor=None)
    assert ensure_development_key(database, Settings()) is None


def test_production_never_creates_a_key(database: Database) -> None:
    settings = Settings(**PRODUCTION, database_url="postgresql+psycopg://h/db")  # type: ignore[arg-type]
    assert ensure_development_key(database, settings) is None
    with database.reader() as session:
        assert keys_repo.count_keys(session) == 0


def test_production_refuses_an_active_development_key(database: Database) -> None:
    settings = Settings(**PRODUCTION, database_url="postgresql+psycopg://h/db")  # type: ignore[arg-type]
    key = ensure_development_key(database, Settings())
    assert key is not None
    with pytest.raises(RuntimeError, match="development admin key"):
        refuse_development_key_in_production(database, settings)
    revoke_key(database, authenticate(database, key).key_id, actor=None)
    refuse_development_key_in_production(database, settings)
    with database.reader() as session:
        assert [k.label for k in keys_repo.list_keys(session)] == [DEVELOPMENT_KEY_LABEL]
