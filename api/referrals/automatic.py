"""Status moves the service makes itself (a letter went out, the PCP answered).

They follow the same table (``check_transition``), the same compare-and-set and the same
event rows as a clinician's move; the event has no key, and the audit row names the role
that acted: ``system`` for delivery, ``pcp`` for an answer through an acknowledgement link.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from sqlalchemy.orm import Session

from api.db import audit_repo, referrals_repo
from api.referrals.states import Status, check_transition
from risk.errors import Conflict

ServiceRole = Literal["system", "pcp"]
TARGET = "referral"


def move_along(
    session: Session,
    referral_id: uuid.UUID,
    current: str,
    path: tuple[Status, ...],
    *,
    reason: str | None,
    role: ServiceRole,
    at: dt.datetime,
) -> str:
    """Move through each status of ``path`` in turn (each move checked and recorded); the last."""
    for target in path:
        check_transition(current, target, reason)
        moved = referrals_repo.move_status(
            session, referral_id, from_status=current, to_status=target, reason=reason, by_key_id=None, at=at
        )
        if not moved:
            raise Conflict(f"referral {referral_id} changed status concurrently; retry")
        audit(session, role, f"referrals:transition:{target}", referral_id, "ok")
        current = target
    return current


def unsend(session: Session, referral_id: uuid.UUID, *, reason: str, at: dt.datetime) -> None:
    """``sent → draft``: the letter whose delivery made the referral sent never left.

    The one move outside the table on purpose: nobody may choose it (``check_transition``
    refuses it); the service takes back only its own ``draft → sent`` when that letter's
    print batch is reported not printed. ``sent_at`` is cleared with it.
    """
    moved = referrals_repo.move_status(
        session, referral_id, from_status="sent", to_status="draft", reason=reason, by_key_id=None, at=at
    )
    if not moved:
        raise Conflict(f"referral {referral_id} changed status concurrently; retry")
    audit(session, "system", "referrals:transition:draft", referral_id, "ok")


def audit(session: Session, role: ServiceRole, action: str, referral_id: uuid.UUID, outcome: str) -> None:
    """One audit row for the service's own action on a referral (no key, no free text)."""
    audit_repo.append(
        session,
        actor_key_id=None,
        role=role,
        action=action,
        target_type=TARGET,
        target_id=str(referral_id),
        outcome=outcome,
    )
