"""Asking for a delivery (idempotent per referral, channel and purpose) and reading the history."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.auth.principal import Principal
from api.db import audit_repo, delivery_repo, referrals_repo
from api.db.delivery_models import Delivery
from api.db.engine import Database
from api.db.models import Referral
from api.db.types import utcnow
from api.delivery.channels import Registry
from api.delivery.dispatcher import DELIVERABLE
from api.delivery.schemas import DeliveryOut, delivery_view
from reports.models import Recipient
from risk.errors import Conflict, FieldError, InvalidInput, NotFound

TARGET = "referral"


@dataclass(frozen=True)
class DeliveryService:
    """The referral's deliveries as a clinician or coordinator sees and asks for them."""

    database: Database
    channels: Registry

    def request(
        self, actor: Principal | None, referral_id: uuid.UUID, channel: str, purpose: str = "letter"
    ) -> tuple[DeliveryOut, bool]:
        """Queue the letter on ``channel``; (the delivery, True) if new, (the existing one, False)."""
        self._check_channel(channel)
        try:
            with self.database.transaction() as session:
                referral = self._deliverable(session, referral_id, channel)
                existing = delivery_repo.find(session, referral_id, channel, purpose)
                if existing is not None:
                    _audit(session, actor, referral_id, "replayed")
                    return delivery_view(existing, []), False
                now = utcnow()
                row = Delivery(
                    referral_id=referral.id, channel=channel, purpose=purpose, status="queued",
                    attempts=0, created_at=now, updated_at=now, created_by=actor.key_id if actor else None,
                )  # fmt: skip
                delivery_repo.add(session, row)
                _audit(session, actor, referral_id, "queued")
                return delivery_view(row, []), True
        except IntegrityError:  # a concurrent request for the same delivery won
            return self.request(actor, referral_id, channel, purpose)

    def history(self, actor: Principal, referral_id: uuid.UUID) -> list[DeliveryOut]:
        """Every delivery of the referral with its attempts."""
        with self.database.transaction() as session:
            if referrals_repo.get_referral(session, referral_id) is None:
                raise NotFound(f"no referral with id {referral_id}")
            audit_repo.append(
                session, actor_key_id=actor.key_id, role=actor.role, action="delivery:read",
                target_type=TARGET, target_id=str(referral_id), outcome="ok",
            )  # fmt: skip
            return [delivery_view(d, a) for d, a in delivery_repo.of_referral(session, referral_id)]

    def _check_channel(self, channel: str) -> None:
        if channel not in self.channels:
            known = ", ".join(sorted(self.channels))
            raise InvalidInput(
                f"unknown channel {channel!r}", [FieldError("channel", channel, f"one of {known}")]
            )

    def _deliverable(self, session: Session, referral_id: uuid.UUID, channel: str) -> Referral:
        referral = referrals_repo.get_referral(session, referral_id)
        if referral is None:
            raise NotFound(f"no referral with id {referral_id}")
        if referral.status not in DELIVERABLE:
            raise Conflict(f"a {referral.status} referral gets no more letters")
        reason = self.channels[channel].unreachable(Recipient.model_validate(referral.pcp_json))
        if reason is not None:
            raise InvalidInput(
                f"cannot deliver by {channel}: {reason}", [FieldError("channel", channel, reason)]
            )
        return referral


def _audit(session: Session, actor: Principal | None, referral_id: uuid.UUID, outcome: str) -> None:
    audit_repo.append(
        session,
        actor_key_id=actor.key_id if actor else None,
        role=actor.role if actor else "system",
        action="delivery:request",
        target_type=TARGET,
        target_id=str(referral_id),
        outcome=outcome,
    )
