"""Repository functions for job leases (one runner at a time) and worklist escalations."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.db.engine import Database
from api.db.job_models import Escalation, JobLease


def acquire_lease(database: Database, name: str, owner: str, now: dt.datetime, until: dt.datetime) -> bool:
    """Take the job's lease if it is free or expired (its own transaction); False if held."""
    with database.transaction() as session:
        taken = session.execute(
            update(JobLease)
            .where(JobLease.name == name, JobLease.expires_at < now)
            .values(owner=owner, expires_at=until)
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount == 1:  # type: ignore[attr-defined]
            return True
        if session.get(JobLease, name) is not None:
            return False
    try:
        with database.transaction() as session:
            session.add(JobLease(name=name, owner=owner, expires_at=until))
    except IntegrityError:
        return False  # another runner created the row first
    return True


def release_lease(database: Database, name: str, owner: str) -> None:
    """Give the lease back (only if still ours)."""
    with database.transaction() as session:
        row = session.get(JobLease, name)
        if row is not None and row.owner == owner:
            session.delete(row)


def escalate(session: Session, referral_id: uuid.UUID, reason: str, now: dt.datetime) -> bool:
    """Put the referral on the worklist for ``reason`` unless it already is; True if new."""
    query = select(Escalation).where(Escalation.referral_id == referral_id, Escalation.reason == reason)
    if session.scalars(query).one_or_none() is not None:
        return False
    with session.begin_nested():  # a concurrent insert of the same pair loses only this savepoint
        try:
            session.add(Escalation(referral_id=referral_id, reason=reason, escalated_at=now))
            session.flush()
        except IntegrityError:
            return False
    return True


def open_escalations(session: Session, limit: int) -> Sequence[Escalation]:
    """Unresolved escalations, oldest first."""
    query = select(Escalation).where(Escalation.resolved_at.is_(None)).order_by(Escalation.escalated_at)
    return session.scalars(query.limit(limit)).all()


def resolve(session: Session, referral_id: uuid.UUID, reason: str, now: dt.datetime, by_key_id: int) -> bool:
    """Mark an open escalation handled; False if there is none."""
    result = session.execute(
        update(Escalation)
        .where(
            Escalation.referral_id == referral_id,
            Escalation.reason == reason,
            Escalation.resolved_at.is_(None),
        )
        .values(resolved_at=now, resolved_by=by_key_id)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]
