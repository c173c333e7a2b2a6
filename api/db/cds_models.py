"""The cds_feedback table: one row per card outcome an EHR reported (never tokens or patient ids)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from api.db.base import Base
from api.db.types import JsonDocument, utcnow

FEEDBACK_KEY_CONSTRAINT = "uq_cds_feedback_card_outcome"


class CdsFeedback(Base):
    """A card outcome; (service, card, outcome, outcome time) is unique, so replays store nothing."""

    __tablename__ = "cds_feedback"
    __table_args__ = (
        UniqueConstraint(
            "service_id", "card_uuid", "outcome", "outcome_timestamp", name=FEEDBACK_KEY_CONSTRAINT
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    service_id: Mapped[str] = mapped_column(String(64), index=True)
    card_uuid: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(12))
    accepted_suggestions: Mapped[list[str]] = mapped_column(JsonDocument)
    override_reason_system: Mapped[str | None] = mapped_column(String(255))
    override_reason_code: Mapped[str | None] = mapped_column(String(100))
    override_reason_display: Mapped[str | None] = mapped_column(String(255))
    user_comment: Mapped[str | None] = mapped_column(String(500))
    outcome_timestamp: Mapped[dt.datetime]
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    iss: Mapped[str] = mapped_column(String(255))
