"""What the acknowledgement pages do: check a token, show no more than it allows, record an answer.

Before the PCP confirms the practice, a token shows only the patient's initials and birth
year; after, the name and the letter. An answer uses the token up (compare-and-set on the
token row, plus the unique token id on the answer) in the same transaction as the status
moves and the audit row, so it cannot be replayed, and a token only ever reaches its own
referral.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from api.ack import tokens
from api.ack.answers import FOLLOW_UP, PcpAnswerIn, event_reason, moves_for
from api.ack.issuer import IssuedToken, TokenIssuer
from api.db import ack_repo, audit_repo, job_repo
from api.db.ack_models import AckToken, PcpResponse
from api.db.engine import Database
from api.db.models import Referral
from api.db.types import utcnow
from api.delivery.dispatcher import Clock
from api.referrals.automatic import audit, move_along
from risk.errors import Conflict, NotFound

CONFIRM_SALT = "osteoref.ack.confirm.v1"
NOT_REGISTERED_ESCALATION = "not_registered"
INVALID = "This link is not valid. Check the code on the letter, or phone the sender."


class LinkUsed(Conflict):
    """The token has already been used for an answer, or the referral is closed."""


@dataclass(frozen=True, slots=True)
class Opened:
    """A live token and its referral, as loaded for one request."""

    token: AckToken
    referral: Referral

    @property
    def pcp(self) -> dict[str, object]:
        """The PCP the letter was addressed to."""
        return dict(self.referral.pcp_json)


@dataclass(frozen=True, slots=True)
class Recorded:
    """An answer stored: the referral's status after it, and a follow-up link when one was issued."""

    answer: str
    status: str
    follow_up: IssuedToken | None


@dataclass(frozen=True)
class AckService:
    """Token checks, the confirmation stamp and answers."""

    database: Database
    issuer: TokenIssuer
    confirm_minutes: int
    clock: Clock = utcnow

    def open(self, raw: str) -> Opened:
        """The live token ``raw`` and its referral; NotFound (invalid, expired) or LinkUsed."""
        with self.database.reader() as session:
            return self._live(session, raw, self.clock())

    def confirmation(self, opened: Opened) -> str:
        """A stamp that the PCP confirmed the practice for this token (valid ``confirm_minutes``)."""
        return self._serializer().dumps(opened.token.id)

    def confirmed(self, raw: str, stamp: str) -> Opened:
        """The token, if ``stamp`` confirms it and is fresh; NotFound otherwise."""
        opened = self.open(raw)
        try:
            token_id = self._serializer().loads(stamp, max_age=self.confirm_minutes * 60)
        except BadSignature:  # also SignatureExpired
            raise NotFound("Please confirm your practice again: this form has expired.") from None
        if token_id != opened.token.id:
            raise NotFound("Please confirm your practice again: this form belongs to another link.")
        return opened

    def answer(self, raw: str, answer: PcpAnswerIn) -> Recorded:
        """Record ``answer`` through token ``raw``: use it up, move the referral, audit, all at once."""
        now = self.clock()
        with self.database.transaction() as session:
            opened = self._live(session, raw, now)
            referral = opened.referral
            path = moves_for(answer.answer, referral.status)
            if path is None:
                closed = referral.status.replace("_", " ")
                raise LinkUsed(
                    f"This referral is closed ({closed}), so nothing was recorded. "
                    "If something has changed, please phone the sender of the letter."
                )
            if not ack_repo.use_token(session, opened.token.id, now):
                raise LinkUsed("This link has already been used. Thank you — your answer was recorded.")
            ack_repo.add_response(session, _response(opened.token, answer, now))
            status = move_along(
                session, referral.id, referral.status, path, reason=event_reason(answer), role="pcp", at=now
            )
            audit(session, "pcp", f"ack:{answer.answer}", referral.id, "ok")
            if answer.answer == "not_registered":
                job_repo.escalate(session, referral.id, NOT_REGISTERED_ESCALATION, now)
            follow_up = None
            if answer.answer in FOLLOW_UP:
                follow_up = self.issuer.issue(session, referral.id, now, follows_token_id=opened.token.id)
            return Recorded(answer.answer, status, follow_up)

    def revoke(self, referral_id: uuid.UUID, actor_key_id: int, role: str) -> int:
        """Revoke every unused token of the referral (audited); how many."""
        with self.database.transaction() as session:
            if session.get(Referral, referral_id) is None:
                raise NotFound(f"no referral with id {referral_id}")
            count = ack_repo.revoke_tokens(session, referral_id, self.clock())
            audit_repo.append(
                session, actor_key_id=actor_key_id, role=role, action="ack:revoke",
                target_type="referral", target_id=str(referral_id), outcome=f"revoked_{count}",
            )  # fmt: skip
            return count

    def _live(self, session: Session, raw: str, now: dt.datetime) -> Opened:
        token = tokens.normalise(raw)
        row = ack_repo.token_by_hash(session, tokens.token_hash(token)) if token else None
        referral = session.get(Referral, row.referral_id) if row else None
        if token is None or row is None or referral is None:
            raise NotFound(INVALID)
        if not tokens.signature_matches(self.issuer.secret, token, row.referral_id, row.expires_at):
            raise NotFound(INVALID)  # the row no longer matches what was signed
        if row.revoked_at is not None or row.expires_at <= now:
            raise NotFound("This link has expired or was withdrawn. Please phone the sender of the letter.")
        if row.used_at is not None:
            raise LinkUsed("This link has already been used. Thank you — your answer was recorded.")
        return Opened(row, referral)

    def _serializer(self) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(self.issuer.secret, salt=CONFIRM_SALT)


def _response(token: AckToken, answer: PcpAnswerIn, now: dt.datetime) -> PcpResponse:
    return PcpResponse(
        referral_id=token.referral_id,
        token_id=token.id,
        answer=answer.answer,
        drug_class=answer.drug_class if answer.answer == "treatment_started" else None,
        treatment_start_date=answer.treatment_start_date if answer.answer == "treatment_started" else None,
        reason=answer.reason if answer.answer == "declined" else None,
        answered_at=now,
    )
