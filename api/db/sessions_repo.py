"""Repository functions for server-side web sessions (rows keyed by the sha256 of the cookie token)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from api.db.models import ApiKey, WebSession
from api.db.types import utcnow


def add_session(session: Session, *, token_hash: str, key_id: int, expires_at: dt.datetime) -> None:
    """Store a new session (and drop every expired one: they can never be used again)."""
    session.execute(delete(WebSession).where(WebSession.expires_at <= utcnow()))
    session.add(WebSession(token_hash=token_hash, key_id=key_id, expires_at=expires_at))


def active_session_key(session: Session, token_hash: str) -> ApiKey | None:
    """The unrevoked key of an unexpired session, else None."""
    query = (
        select(ApiKey)
        .join(WebSession, WebSession.key_id == ApiKey.id)
        .where(WebSession.token_hash == token_hash, WebSession.expires_at > utcnow())
        .where(ApiKey.revoked_at.is_(None))
    )
    return session.scalars(query).one_or_none()


def delete_session(session: Session, token_hash: str) -> None:
    """End one session (sign-out)."""
    session.execute(delete(WebSession).where(WebSession.token_hash == token_hash))


def delete_sessions_of_key(session: Session, key_id: int) -> None:
    """End every session signed in with ``key_id`` (key revocation)."""
    session.execute(delete(WebSession).where(WebSession.key_id == key_id))
