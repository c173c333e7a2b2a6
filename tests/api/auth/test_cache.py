"""The verified-key memory: hits skip the database, revocation is honoured at once, TTL expires."""

from __future__ import annotations

import pytest

from api.auth import cache
from api.auth.principal import Principal, authenticate, create_key, revoke_key
from api.db.engine import Database
from risk.errors import NotAuthenticated


def test_a_verified_key_is_recalled_and_forgotten_on_revocation(database: Database) -> None:
    key = create_key(database, "clinician", "cache", None)
    principal = authenticate(database, key)
    assert cache.recall(key) == principal
    revoke_key(database, principal.key_id, None)
    assert cache.recall(key) is None
    with pytest.raises(NotAuthenticated):
        authenticate(database, key)


def test_remembered_keys_expire(monkeypatch: pytest.MonkeyPatch) -> None:
    principal = Principal(key_id=-1, role="analyst")
    cache.remember("osr_x_y", principal)
    assert cache.recall("osr_x_y") == principal
    monkeypatch.setattr(cache, "TTL_SECONDS", -1.0)
    cache.remember("osr_x_y", principal)
    assert cache.recall("osr_x_y") is None


def test_unknown_keys_are_never_remembered(database: Database) -> None:
    with pytest.raises(NotAuthenticated):
        authenticate(database, "osr_deadbeef_nope")
    assert cache.recall("osr_deadbeef_nope") is None
