"""The coordinator's loop queue: escalated referrals with their delivery history, and the loop KPIs."""

from __future__ import annotations

import datetime as dt
import uuid

from pydantic import BaseModel, ConfigDict

from api.analytics import loop_tables
from api.auth.principal import Principal
from api.db import audit_repo, delivery_repo, job_repo
from api.db.engine import Database
from api.db.models import Referral
from api.delivery.schemas import DeliveryOut, delivery_view
from reports.cohort.models import LoopKpis
from risk.errors import NotFound

# An escalation stays on the worklist while the referral is still in the state that raised it.
STILL_RELEVANT: dict[str, tuple[str, ...]] = {
    "unacknowledged": ("sent",),
    "delivery_failed": ("draft", "sent"),
    "not_registered": ("not_registered",),
}
MAX_ITEMS = 100


class EscalatedOut(BaseModel):
    """One referral that needs the coordinator, why, and every delivery attempt so far."""

    model_config = ConfigDict(frozen=True)

    referral_id: uuid.UUID
    patient_id: str
    priority: str
    status: str
    sent_at: dt.datetime | None
    reason: str
    escalated_at: dt.datetime
    deliveries: list[DeliveryOut]


class LoopWorklist(BaseModel):
    """``GET /v1/worklist/loop``: the escalations and the loop KPIs of the whole service."""

    model_config = ConfigDict(frozen=True)

    escalated: list[EscalatedOut]
    kpis: LoopKpis


def escalated(database: Database, limit: int = MAX_ITEMS) -> list[EscalatedOut]:
    """Open escalations still relevant to their referral's status, oldest first."""
    found: list[EscalatedOut] = []
    with database.reader() as session:
        for row in job_repo.open_escalations(session, limit * 2):
            referral = session.get(Referral, row.referral_id)
            if referral is None or referral.status not in STILL_RELEVANT.get(row.reason, ()):
                continue
            history = [delivery_view(d, a) for d, a in delivery_repo.of_referral(session, referral.id)]
            found.append(
                EscalatedOut(
                    referral_id=referral.id,
                    patient_id=referral.patient_id,
                    priority=referral.priority,
                    status=referral.status,
                    sent_at=referral.sent_at,
                    reason=row.reason,
                    escalated_at=row.escalated_at,
                    deliveries=history,
                )
            )
    return found[:limit]


def loop_worklist(database: Database, actor: Principal, now: dt.datetime) -> LoopWorklist:
    """The queue and the KPIs, audited as one worklist read."""
    worklist = LoopWorklist(escalated=escalated(database), kpis=loop_tables(database).kpis(now))
    with database.transaction() as session:
        audit_repo.append(
            session, actor_key_id=actor.key_id, role=actor.role, action="worklist:loop", outcome="ok"
        )
    return worklist


def resolve(
    database: Database, actor: Principal, referral_id: uuid.UUID, reason: str, now: dt.datetime
) -> None:
    """Mark the referral's escalation for ``reason`` handled (NotFound if none is open)."""
    with database.transaction() as session:
        if not job_repo.resolve(session, referral_id, reason, now, actor.key_id):
            raise NotFound(f"no open {reason!r} escalation for referral {referral_id}")
        audit_repo.append(
            session, actor_key_id=actor.key_id, role=actor.role, action="worklist:resolve",
            target_type="referral", target_id=str(referral_id), outcome=reason,
        )  # fmt: skip
