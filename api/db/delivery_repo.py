"""Repository functions for deliveries and their attempts (no sending, no workflow rules here)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from api.db.delivery_models import Delivery, DeliveryAttempt, PrintBatch

WAITING = ("queued", "retrying")  # statuses a dispatcher may pick up when due
SENDING = "sending"


def find(session: Session, referral_id: uuid.UUID, channel: str, purpose: str) -> Delivery | None:
    """The delivery of ``referral_id`` on ``channel`` for ``purpose``, if any."""
    query = select(Delivery).where(
        Delivery.referral_id == referral_id, Delivery.channel == channel, Delivery.purpose == purpose
    )
    return session.scalars(query).one_or_none()


def add(session: Session, delivery: Delivery) -> None:
    """Insert a delivery; the unique (referral, channel, purpose) is checked here."""
    session.add(delivery)
    session.flush()


def _due(now: dt.datetime) -> object:
    waiting = and_(
        Delivery.status.in_(WAITING), or_(Delivery.next_attempt_at.is_(None), Delivery.next_attempt_at <= now)
    )
    abandoned = and_(Delivery.status == SENDING, Delivery.lease_until < now)  # its runner died mid-send
    return or_(waiting, abandoned)


def due_ids(session: Session, now: dt.datetime, channels: Sequence[str], limit: int) -> list[int]:
    """Deliveries on ``channels`` that a runner should try now, oldest first."""
    query = select(Delivery.id).where(Delivery.channel.in_(channels), _due(now))  # type: ignore[arg-type]
    return list(session.scalars(query.order_by(Delivery.id).limit(limit)))


def claim(session: Session, delivery_id: int, now: dt.datetime, lease_until: dt.datetime) -> bool:
    """Take the delivery for one attempt (compare-and-set); False if another runner has it."""
    result = session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, _due(now))  # type: ignore[arg-type]
        .values(status=SENDING, lease_until=lease_until, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def add_attempt(session: Session, attempt: DeliveryAttempt) -> None:
    """Record one attempt (the number is unique per delivery)."""
    session.add(attempt)


def of_referral(session: Session, referral_id: uuid.UUID) -> list[tuple[Delivery, list[DeliveryAttempt]]]:
    """Every delivery of a referral, oldest first, each with its attempts in order."""
    deliveries = session.scalars(
        select(Delivery).where(Delivery.referral_id == referral_id).order_by(Delivery.id)
    ).all()
    ids = [d.id for d in deliveries]
    attempts = session.scalars(
        select(DeliveryAttempt).where(DeliveryAttempt.delivery_id.in_(ids)).order_by(DeliveryAttempt.id)
    ).all()
    return [(d, [a for a in attempts if a.delivery_id == d.id]) for d in deliveries]


def waiting_on(session: Session, channel: str, limit: int) -> Sequence[Delivery]:
    """Deliveries waiting on a batched channel (print), oldest first."""
    query = select(Delivery).where(Delivery.channel == channel, Delivery.status.in_(WAITING))
    return session.scalars(query.order_by(Delivery.id).limit(limit)).all()


def add_batch(session: Session, batch: PrintBatch) -> None:
    """Insert a print batch."""
    session.add(batch)
    session.flush()


def mark_batch_requeued(session: Session, batch_id: uuid.UUID, now: dt.datetime) -> bool:
    """Stamp the batch requeued (compare-and-set); False if unknown or requeued already.

    The row stays locked to the end of the transaction: a second requeue waits, then finds it stamped.
    """
    result = session.execute(
        update(PrintBatch)
        .where(PrintBatch.id == batch_id, PrintBatch.requeued_at.is_(None))
        .values(requeued_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def printed_in(session: Session, batch_id: uuid.UUID) -> Sequence[Delivery]:
    """The deliveries of the batch still recorded as delivered, oldest first."""
    query = select(Delivery).where(Delivery.print_batch_id == batch_id, Delivery.status == "delivered")
    return session.scalars(query.order_by(Delivery.id)).all()


def any_delivered(session: Session, referral_id: uuid.UUID) -> bool:
    """Whether any copy of the referral (letter or reminder, any channel) is recorded as delivered."""
    query = select(Delivery.id).where(Delivery.referral_id == referral_id, Delivery.status == "delivered")
    return session.scalars(query.limit(1)).first() is not None


def recent_batches(session: Session, limit: int) -> Sequence[PrintBatch]:
    """The last ``limit`` batches made, newest first."""
    query = select(PrintBatch).order_by(PrintBatch.created_at.desc(), PrintBatch.id)
    return session.scalars(query.limit(limit)).all()
