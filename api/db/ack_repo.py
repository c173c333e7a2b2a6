"""Repository functions for acknowledgement tokens and the PCP's answers."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from api.db.ack_models import AckToken, PcpResponse


def add_token(session: Session, token: AckToken) -> None:
    """Insert a token row (its hash is unique)."""
    session.add(token)
    session.flush()


def token_by_hash(session: Session, token_hash: str) -> AckToken | None:
    """The token row with ``token_hash``, if any."""
    return session.scalars(select(AckToken).where(AckToken.token_hash == token_hash)).one_or_none()


def use_token(session: Session, token_id: int, now: dt.datetime) -> bool:
    """Mark the token used (compare-and-set on a live token); False if it was used, revoked or expired."""
    result = session.execute(
        update(AckToken)
        .where(
            AckToken.id == token_id,
            AckToken.used_at.is_(None),
            AckToken.revoked_at.is_(None),
            AckToken.expires_at > now,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def revoke_tokens(
    session: Session, referral_id: uuid.UUID, now: dt.datetime, *, delivery_id: int | None = None
) -> int:
    """Revoke the referral's unused live tokens (only one delivery's, if given); how many."""
    query = update(AckToken).where(
        AckToken.referral_id == referral_id, AckToken.used_at.is_(None), AckToken.revoked_at.is_(None)
    )
    if delivery_id is not None:
        query = query.where(AckToken.delivery_id == delivery_id)
    result = session.execute(query.values(revoked_at=now).execution_options(synchronize_session=False))
    return int(result.rowcount)  # type: ignore[attr-defined]


def answered_through(session: Session, delivery_id: int) -> bool:
    """Whether a token issued for the delivery has been used (an answer came through its slip)."""
    query = select(AckToken.id).where(AckToken.delivery_id == delivery_id, AckToken.used_at.is_not(None))
    return session.scalars(query.limit(1)).first() is not None


def add_response(session: Session, response: PcpResponse) -> None:
    """Record an answer (token_id is unique: a token answers once)."""
    session.add(response)
    session.flush()


def responses_of(session: Session, referral_id: uuid.UUID) -> Sequence[PcpResponse]:
    """The referral's answers, oldest first."""
    query = select(PcpResponse).where(PcpResponse.referral_id == referral_id).order_by(PcpResponse.id)
    return session.scalars(query).all()


def tokens_of(session: Session, referral_id: uuid.UUID) -> Sequence[AckToken]:
    """The referral's tokens, oldest first (hashes only)."""
    return session.scalars(
        select(AckToken).where(AckToken.referral_id == referral_id).order_by(AckToken.id)
    ).all()
