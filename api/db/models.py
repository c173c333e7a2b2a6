"""The tables of the referral service and the web sessions as typed SQLAlchemy 2 ORM models."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from api.db.base import Base
from api.db.types import utcnow


class ApiKey(Base):
    """A hashed API key with one role; revoked keys stay for the audit trail."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    label: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[dt.datetime | None]


class Referral(Base):
    """One PCP referral: the scored record, its assessment, the letters and the status."""

    __tablename__ = "referrals"
    __table_args__ = (
        Index("ix_referrals_created_at_id", "created_at", "id"),
        # An Idempotency-Key belongs to the API key that sent it: two callers never share one.
        UniqueConstraint("created_by", "idempotency_key", name="uq_referrals_created_by_idempotency_key"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    patient_id: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    priority: Mapped[str] = mapped_column(String(10), index=True)
    pathway: Mapped[str] = mapped_column(String(20))
    procedure_date: Mapped[dt.date] = mapped_column(Date, index=True)
    record_json: Mapped[dict[str, Any]]
    assessment_json: Mapped[dict[str, Any]]
    model_name: Mapped[str] = mapped_column(String(100))
    model_version: Mapped[str] = mapped_column(String(100))
    ruleset_version: Mapped[str] = mapped_column(String(100))
    pcp_json: Mapped[dict[str, Any]]
    referrer_json: Mapped[dict[str, Any]]
    letter_html: Mapped[str] = mapped_column(Text)
    patient_letter_html: Mapped[str | None] = mapped_column(Text)  # no patient copy on some pathways
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    idempotency_key: Mapped[str | None] = mapped_column(String(255))
    input_hash: Mapped[str] = mapped_column(String(64))


class ReferralEvent(Base):
    """One status change of a referral (from_status NULL = the creation event)."""

    __tablename__ = "referral_events"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    referral_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("referrals.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    by_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))


class AuditEntry(Base):
    """Append-only access record: who did what to which target — never clinical text or names."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    actor_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    role: Mapped[str | None] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(50), index=True)
    target_type: Mapped[str | None] = mapped_column(String(30))
    target_id: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(20))
    # Where an unauthenticated request came from (client address), and how many like events
    # the row stands for: failed authentications are summed per source and window.
    source: Mapped[str | None] = mapped_column(String(64))
    count: Mapped[int] = mapped_column(default=1, server_default=text("1"))


class WebSession(Base):
    """A signed-in browser: the sha256 of its random cookie token, the key it signed in with.

    The cookie never holds the API key. Sign-out deletes the row; revoking the key ends the
    session at once, because every request joins the row to an unrevoked key.
    """

    __tablename__ = "web_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    key_id: Mapped[int] = mapped_column(ForeignKey("api_keys.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(index=True)
