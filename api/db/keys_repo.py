"""Repository functions for API keys (rows only; the key format lives in api.auth.keys)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.db.models import ApiKey
from api.db.types import utcnow


def add_key(session: Session, *, prefix: str, hash_: str, role: str, label: str | None) -> ApiKey:
    """Insert a key row and return it with its id."""
    row = ApiKey(prefix=prefix, hash=hash_, role=role, label=label)
    session.add(row)
    session.flush()
    return row


def active_key_by_prefix(session: Session, prefix: str) -> ApiKey | None:
    """The unrevoked key with ``prefix``, if any."""
    query = select(ApiKey).where(ApiKey.prefix == prefix, ApiKey.revoked_at.is_(None))
    return session.scalars(query).one_or_none()


def count_keys(session: Session) -> int:
    """How many keys exist, revoked ones included."""
    return session.scalar(select(func.count()).select_from(ApiKey)) or 0


def list_keys(session: Session) -> Sequence[ApiKey]:
    """Every key, oldest first."""
    return session.scalars(select(ApiKey).order_by(ApiKey.id)).all()


def revoke_key(session: Session, key_id: int) -> ApiKey | None:
    """Mark the key revoked (kept for the audit trail); None if there is no such key."""
    row = session.get(ApiKey, key_id)
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
    return row
