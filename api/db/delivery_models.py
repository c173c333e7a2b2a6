"""The delivery tables: one row per referral, channel and purpose, its attempts, print batches and
the Communications published on the FHIR channel."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from api.db.base import Base
from api.db.types import utcnow

DELIVERY_KEY_CONSTRAINT = "uq_deliveries_referral_channel_purpose"


class Delivery(Base):
    """A letter to send once on one channel for one purpose (the first letter, or reminder n).

    (referral, channel, purpose) is unique, so asking twice never sends twice.
    """

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("referral_id", "channel", "purpose", name=DELIVERY_KEY_CONSTRAINT),
        Index("ix_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    referral_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("referrals.id"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    purpose: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime | None]
    lease_until: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[dt.datetime | None]
    created_by: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    print_batch_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("print_batches.id"))


class DeliveryAttempt(Base):
    """One try at a delivery: when, the outcome, and an error code and text free of patient data."""

    __tablename__ = "delivery_attempts"
    __table_args__ = (UniqueConstraint("delivery_id", "number", name="uq_delivery_attempts_delivery_number"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("deliveries.id"), index=True)
    number: Mapped[int]
    started_at: Mapped[dt.datetime]
    finished_at: Mapped[dt.datetime]
    outcome: Mapped[str] = mapped_column(String(20))
    error_code: Mapped[str | None] = mapped_column(String(40))
    error_text: Mapped[str | None] = mapped_column(String(300))


class PrintBatch(Base):
    """One PDF of letters to post, made once (its acknowledgement tokens are never stored in clear).

    ``requeued_at`` is set when someone reported the batch not printed and its letters went back
    to the queue (``requeued_letters`` of them; who did it is in the audit log).
    """

    __tablename__ = "print_batches"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    letters: Mapped[int]
    created_by: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    requeued_at: Mapped[dt.datetime | None]
    requeued_letters: Mapped[int | None]


class FhirCommunication(Base):
    """A letter published on the FHIR channel: the R4 Communication the receiving EHR reads.

    (referral, purpose) is unique: one Communication for the letter and one per reminder, however
    often a delivery is retried or dispatched again.
    """

    __tablename__ = "fhir_communications"
    __table_args__ = (
        UniqueConstraint("referral_id", "purpose", name="uq_fhir_communications_referral_purpose"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    referral_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("referrals.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(20))
    sent_at: Mapped[dt.datetime]
