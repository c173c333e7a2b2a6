"""Request and response models of the delivery API (never ORM objects on the wire)."""

from __future__ import annotations

import datetime as dt
import uuid

from pydantic import BaseModel, ConfigDict

from api.db.delivery_models import Delivery, DeliveryAttempt
from api.delivery.print_batches import BatchSummary, RequeuedBatch


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


class SkippedLetterOut(_Out):
    """A letter of the batch left as delivered: its ``R-…`` reference and why (the referral's
    status when it has moved on, or ``answered`` when an answer came through that letter's slip)."""

    reference: str
    reason: str


class RequeuedBatchOut(_Out):
    """What putting a print batch back in the queue did (no patient data)."""

    batch_id: uuid.UUID
    reference: str
    requeued: int
    skipped: list[SkippedLetterOut]
    back_to_draft: int


def requeued_view(batch: RequeuedBatch) -> RequeuedBatchOut:
    """A requeued batch as the API shows it."""
    return RequeuedBatchOut(
        batch_id=batch.id,
        reference=batch.reference,
        requeued=batch.requeued,
        skipped=[SkippedLetterOut(reference=s.reference, reason=s.reason) for s in batch.skipped],
        back_to_draft=batch.back_to_draft,
    )


class PrintBatchOut(_Out):
    """A print batch as listed (no patient data): its id, reference, when, how many letters,
    and when it was put back in the queue (with how many letters), if it was."""

    id: uuid.UUID
    reference: str
    created_at: dt.datetime
    letters: int
    requeued_at: dt.datetime | None
    requeued_letters: int | None


def batch_view(batch: BatchSummary) -> PrintBatchOut:
    """A listed batch as the API shows it (the same fields, read off the summary)."""
    return PrintBatchOut.model_validate(batch, from_attributes=True)
