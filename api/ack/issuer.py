"""Issue acknowledgement tokens: a random signed token, its hash stored, its link built once."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from api.ack import tokens
from api.db import ack_repo
from api.db.ack_models import AckToken

ACK_PATH = "/a/"  # short: the whole URL must fit a QR code of version 3 and a typed line


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A token as it goes on one letter (never stored: only ``tokens.token_hash`` of it is)."""

    token_id: int
    token: str
    url: str
    code: str
    expires_at: dt.datetime


@dataclass(frozen=True, slots=True)
class TokenIssuer:
    """Makes tokens for one service: its secret, token lifetime and public base URL."""

    secret: bytes
    lifetime: dt.timedelta
    base_url: str

    def url_of(self, token: str) -> str:
        """The short acknowledgement URL of ``token``."""
        return f"{self.base_url.rstrip('/')}{ACK_PATH}{token}"

    def issue(
        self,
        session: Session,
        referral_id: uuid.UUID,
        now: dt.datetime,
        *,
        delivery_id: int | None = None,
        follows_token_id: int | None = None,
    ) -> IssuedToken:
        """Store a new token's hash for ``referral_id`` in the session's transaction; the token."""
        expires_at = (now + self.lifetime).replace(microsecond=0)
        token = tokens.new_token(self.secret, referral_id, expires_at)
        row = AckToken(
            referral_id=referral_id,
            token_hash=tokens.token_hash(token),
            issued_at=now,
            expires_at=expires_at,
            delivery_id=delivery_id,
            follows_token_id=follows_token_id,
        )
        ack_repo.add_token(session, row)
        return IssuedToken(row.id, token, self.url_of(token), tokens.grouped(token), expires_at)
