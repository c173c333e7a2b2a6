"""The acknowledgement tables: hashed single-use tokens and the PCP's recorded answers."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from api.db.base import Base


class AckToken(Base):
    """A token printed on one letter, scoped to one referral; only its sha256 is stored."""

    __tablename__ = "ack_tokens"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    referral_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("referrals.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    issued_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]
    delivery_id: Mapped[int | None] = mapped_column(ForeignKey("deliveries.id"))
    # The token whose answer issued this one ("received" hands the PCP a link for later news).
    follows_token_id: Mapped[int | None] = mapped_column(ForeignKey("ack_tokens.id"))


class PcpResponse(Base):
    """One answer the PCP gave through a token; the unique token_id makes every token single-use."""

    __tablename__ = "pcp_responses"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    referral_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("referrals.id"), index=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("ack_tokens.id"), unique=True)
    answer: Mapped[str] = mapped_column(String(30))
    drug_class: Mapped[str | None] = mapped_column(String(30))
    treatment_start_date: Mapped[dt.date | None] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[dt.datetime]
