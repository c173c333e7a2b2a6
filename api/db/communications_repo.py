"""Repository functions for the Communications of the FHIR channel (no FHIR shapes here)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.db.delivery_models import FhirCommunication


def publish(
    session: Session, referral_id: uuid.UUID, purpose: str, sent_at: dt.datetime
) -> FhirCommunication:
    """The Communication of ``referral_id`` for ``purpose``, made now unless it already exists."""
    query = select(FhirCommunication).where(
        FhirCommunication.referral_id == referral_id, FhirCommunication.purpose == purpose
    )
    existing = session.scalars(query).one_or_none()
    if existing is not None:
        return existing  # a retried or repeated dispatch publishes nothing new
    row = FhirCommunication(referral_id=referral_id, purpose=purpose, sent_at=sent_at)
    session.add(row)
    session.flush()
    return row


def of_referral(session: Session, referral_id: uuid.UUID) -> list[FhirCommunication]:
    """The referral's Communications, oldest first."""
    query = select(FhirCommunication).where(FhirCommunication.referral_id == referral_id)
    return list(session.scalars(query.order_by(FhirCommunication.sent_at, FhirCommunication.id)))


def get(session: Session, communication_id: uuid.UUID) -> FhirCommunication | None:
    """One Communication by its id."""
    return session.get(FhirCommunication, communication_id)
