"""Repository functions for referrals and their status events (no workflow rules here)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import ColumnElement, UnaryExpression, func, select, update
from sqlalchemy.orm import Session

from api.db.models import Referral, ReferralEvent
from api.db.types import utcnow

Order = Literal["newest", "longest_unacknowledged", "procedure_date"]
ORDERINGS: dict[Order, tuple[UnaryExpression[Any], ...]] = {
    "newest": (Referral.created_at.desc(), Referral.id.desc()),
    "longest_unacknowledged": (Referral.sent_at.asc(), Referral.id.asc()),
    "procedure_date": (Referral.procedure_date.asc(), Referral.id.asc()),
}


@dataclass(frozen=True, slots=True)
class ReferralFilter:
    """Optional filters, combined with AND; ``*_to`` bounds are exclusive."""

    status: str | None = None
    statuses: tuple[str, ...] | None = None
    patient_id: str | None = None
    priority: str | None = None
    created_from: dt.datetime | None = None
    created_to: dt.datetime | None = None
    sent_before: dt.datetime | None = None
    procedure_from: dt.date | None = None
    procedure_to: dt.date | None = None


def add_referral(session: Session, referral: Referral, *, by_key_id: int | None) -> None:
    """Insert a referral and its creation event (from_status NULL) in the session's transaction."""
    session.add(referral)
    session.flush()  # the unique idempotency key is checked here, inside the transaction
    session.add(
        ReferralEvent(
            referral_id=referral.id,
            from_status=None,
            to_status=referral.status,
            at=referral.created_at,
            by_key_id=by_key_id,
        )
    )


def get_referral(session: Session, referral_id: uuid.UUID) -> Referral | None:
    """The referral with ``referral_id``, if any."""
    return session.get(Referral, referral_id)


def referral_by_idempotency_key(session: Session, created_by: int, key: str) -> Referral | None:
    """The referral the API key ``created_by`` created under ``key``, if any (keys are per caller)."""
    query = select(Referral).where(Referral.created_by == created_by, Referral.idempotency_key == key)
    return session.scalars(query).one_or_none()


def events_of(session: Session, referral_id: uuid.UUID) -> Sequence[ReferralEvent]:
    """The referral's events, oldest first."""
    query = select(ReferralEvent).where(ReferralEvent.referral_id == referral_id)
    return session.scalars(query.order_by(ReferralEvent.id)).all()


def move_status(
    session: Session,
    referral_id: uuid.UUID,
    *,
    from_status: str,
    to_status: str,
    reason: str | None,
    by_key_id: int | None,
    at: dt.datetime | None = None,
) -> bool:
    """Compare-and-set the status and record the event; False if the status was not ``from_status``.

    The conditional UPDATE makes two concurrent moves from the same status safe on both
    backends: exactly one matches the row, the other sees zero rows and reports a conflict.
    """
    now = at or utcnow()  # ``at``: the time of a move the service makes on its own clock
    values: dict[str, object] = {"status": to_status, "updated_at": now}
    if to_status == "sent":
        values["sent_at"] = now
    elif to_status == "draft":
        values["sent_at"] = None  # back to draft: the letter that made it sent never left
    result = session.execute(
        update(Referral)
        .where(Referral.id == referral_id, Referral.status == from_status)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False
    session.add(
        ReferralEvent(
            referral_id=referral_id,
            from_status=from_status,
            to_status=to_status,
            reason=reason,
            at=now,
            by_key_id=by_key_id,
        )
    )
    return True


def _conditions(f: ReferralFilter) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    if f.status is not None:
        found.append(Referral.status == f.status)
    if f.statuses is not None:
        found.append(Referral.status.in_(f.statuses))
    if f.patient_id is not None:
        found.append(Referral.patient_id == f.patient_id)
    if f.priority is not None:
        found.append(Referral.priority == f.priority)
    if f.created_from is not None:
        found.append(Referral.created_at >= f.created_from)
    if f.created_to is not None:
        found.append(Referral.created_at < f.created_to)
    if f.sent_before is not None:
        found.append(Referral.sent_at <= f.sent_before)
    if f.procedure_from is not None:
        found.append(Referral.procedure_date >= f.procedure_from)
    if f.procedure_to is not None:
        found.append(Referral.procedure_date < f.procedure_to)
    return found


def list_referrals(
    session: Session, f: ReferralFilter, *, limit: int, offset: int, order: Order = "newest"
) -> tuple[Sequence[Referral], int]:
    """One page of matching referrals and the total count."""
    base = select(Referral).where(*_conditions(f))
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    page = base.order_by(*ORDERINGS[order]).limit(limit).offset(offset)
    return session.scalars(page).all(), total
