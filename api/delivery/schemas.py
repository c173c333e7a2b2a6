"""Request and response models of the delivery API (never ORM objects on the wire)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict

from api.db.delivery_models import Delivery, DeliveryAttempt


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class DeliveryRequest(BaseModel):
    """Body of ``POST /v1/referrals/{id}/deliveries``."""

    model_config = ConfigDict(extra="forbid")

    channel: str


class AttemptOut(_Out):
    """One try: when, how it ended, and our error code and text (no patient data)."""

    number: int
    started_at: dt.datetime
    finished_at: dt.datetime
    outcome: str
    error_code: str | None
    error_text: str | None


class DeliveryOut(_Out):
    """A delivery of the referral's letter on one channel, with every attempt."""

    id: int
    channel: str
    purpose: str
    status: str
    attempts: list[AttemptOut]
    next_attempt_at: dt.datetime | None
    delivered_at: dt.datetime | None
    created_at: dt.datetime


def delivery_view(row: Delivery, attempts: list[DeliveryAttempt]) -> DeliveryOut:
    """A stored delivery as the API shows it."""
    return DeliveryOut(
        id=row.id,
        channel=row.channel,
        purpose=row.purpose,
        status=row.status,
        attempts=[AttemptOut.model_validate(a, from_attributes=True) for a in attempts],
        next_attempt_at=row.next_attempt_at,
        delivered_at=row.delivered_at,
        created_at=row.created_at,
    )
