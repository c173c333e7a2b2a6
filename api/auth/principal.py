"""Authenticate a bearer key against the database and create/revoke keys (with audit)."""

from __future__ import annotations

from dataclasses import dataclass

from api.auth import cache
from api.auth.keys import generate_key, split_key, verify_secret
from api.auth.permissions import ROLES
from api.db import audit_repo, keys_repo, sessions_repo
from api.db.engine import Database
from risk.errors import FieldError, InvalidInput, NotAuthenticated


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller: which key and which role."""

    key_id: int
    role: str


def authenticate(database: Database, presented: str | None) -> Principal:
    """The principal for a presented key; NotAuthenticated when missing, unknown or revoked."""
    if not presented:
        raise NotAuthenticated("missing API key: send 'Authorization: Bearer <key>'")
    parts = split_key(presented)
    if parts is None:
        raise NotAuthenticated("malformed API key")
    prefix, secret = parts
    with database.reader() as session:
        row = keys_repo.active_key_by_prefix(session, prefix)
        if row is None or not verify_secret(secret, row.hash):
            raise NotAuthenticated("unknown or revoked API key")
        principal = Principal(key_id=row.id, role=row.role)
    cache.remember(presented, principal)
    return principal


def create_key(database: Database, role: str, label: str | None, actor: Principal | None) -> str:
    """Store a new key with ``role`` and return its plaintext (shown once, never stored)."""
    if role not in ROLES:
        raise InvalidInput(
            f"unknown role {role!r}; allowed: {', '.join(ROLES)}",
            [FieldError("role", role, f"one of {', '.join(ROLES)}")],
        )
    new = generate_key()
    with database.transaction() as session:
        row = keys_repo.add_key(session, prefix=new.prefix, hash_=new.hash, role=role, label=label)
        audit_repo.append(
            session,
            actor_key_id=actor.key_id if actor else None,
            role=actor.role if actor else None,
            action="keys:create",
            target_type="api_key",
            target_id=str(row.id),
            outcome="ok",
        )
    return new.plaintext


def revoke_key(database: Database, key_id: int, actor: Principal | None) -> bool:
    """Revoke a key and end its web sessions; False if there is no such key.

    This process forgets the key at once. Other running processes may accept it for up to
    ``cache.TTL_SECONDS`` (30 s) from their verified-key cache; their web sessions end at once.
    """
    with database.transaction() as session:
        row = keys_repo.revoke_key(session, key_id)
        sessions_repo.delete_sessions_of_key(session, key_id)
        cache.forget_key(key_id)
        audit_repo.append(
            session,
            actor_key_id=actor.key_id if actor else None,
            role=actor.role if actor else None,
            action="keys:revoke",
            target_type="api_key",
            target_id=str(key_id),
            outcome="ok" if row else "not_found",
        )
    return row is not None
