"""Tables of the scheduled jobs: a lease per job (no two runs at once) and the escalations they raise."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from api.db.base import Base


class JobLease(Base):
    """Who runs a job until when; a run takes the row only when it is free or its lease expired."""

    __tablename__ = "job_leases"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    owner: Mapped[str] = mapped_column(String(100))
    expires_at: Mapped[dt.datetime]


class Escalation(Base):
    """A referral put on the coordinator's worklist, once per reason (a code, never free text)."""

    __tablename__ = "referral_escalations"
    __table_args__ = (
        UniqueConstraint("referral_id", "reason", name="uq_referral_escalations_referral_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    referral_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("referrals.id"), index=True)
    reason: Mapped[str] = mapped_column(String(30))
    escalated_at: Mapped[dt.datetime]
    resolved_at: Mapped[dt.datetime | None]
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
