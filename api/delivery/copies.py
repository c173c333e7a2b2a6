"""A copy of a referral letter as it leaves: the stored letter plus a freshly issued slip."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from api.ack.issuer import IssuedToken, TokenIssuer
from api.db.models import Referral
from reports.acknowledgement import AckSlip, with_acknowledgement
from reports.models import Recipient


def reference_of(referral_id: uuid.UUID) -> str:
    """The referral's short reference for subjects and cover sheets (not a patient identifier)."""
    return "R-" + referral_id.hex[:8].upper()


@dataclass(frozen=True, slots=True)
class LetterCopy:
    """The HTML that goes out and the token printed on it."""

    referral_id: uuid.UUID
    recipient: Recipient
    html: str
    token: IssuedToken

    @property
    def reference(self) -> str:
        """The short reference of the referral."""
        return reference_of(self.referral_id)


def letter_copy(
    session: Session, issuer: TokenIssuer, referral: Referral, delivery_id: int, now: dt.datetime
) -> LetterCopy:
    """Issue a token for this delivery (in the session's transaction) and attach its slip."""
    token = issuer.issue(session, referral.id, now, delivery_id=delivery_id)
    slip = AckSlip(url=token.url, code=token.code, expires_on=token.expires_at.date())
    recipient = Recipient.model_validate(referral.pcp_json)
    return LetterCopy(referral.id, recipient, with_acknowledgement(referral.letter_html, slip), token)
