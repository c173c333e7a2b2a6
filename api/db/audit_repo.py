"""Repository functions for the append-only audit log (insert and query; never update)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from api.db.models import AuditEntry


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """Optional filters of an audit query."""

    action: str | None = None
    actor_key_id: int | None = None
    target_id: str | None = None
    at_from: dt.datetime | None = None
    at_to: dt.datetime | None = None


def append(
    session: Session,
    *,
    actor_key_id: int | None,
    role: str | None,
    action: str,
    outcome: str,
    target_type: str | None = None,
    target_id: str | None = None,
    source: str | None = None,
    count: int = 1,
) -> None:
    """Add one audit entry (``count`` like events, e.g. failed sign-ins) to the session's transaction."""
    session.add(
        AuditEntry(
            actor_key_id=actor_key_id,
            role=role,
            action=action,
            target_type=target_type,
            target_id=target_id,
            outcome=outcome,
            source=source,
            count=count,
        )
    )


def _filtered(query: Select[AuditEntry], f: AuditFilter) -> Select[AuditEntry]:
    if f.action is not None:
        query = query.where(AuditEntry.action == f.action)
    if f.actor_key_id is not None:
        query = query.where(AuditEntry.actor_key_id == f.actor_key_id)
    if f.target_id is not None:
        query = query.where(AuditEntry.target_id == f.target_id)
    if f.at_from is not None:
        query = query.where(AuditEntry.at >= f.at_from)
    if f.at_to is not None:
        query = query.where(AuditEntry.at < f.at_to)
    return query


def query(session: Session, f: AuditFilter, *, limit: int, offset: int) -> tuple[Sequence[AuditEntry], int]:
    """One page of matching entries, newest first, and the total count."""
    base = _filtered(select(AuditEntry), f)
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    page = base.order_by(AuditEntry.id.desc()).limit(limit).offset(offset)
    return session.scalars(page).all(), total
