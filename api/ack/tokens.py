"""Acknowledgement tokens: 24 Crockford-base32 characters, random and HMAC-bound to one referral.

A token is 10 random bytes followed by 5 bytes of HMAC-SHA256 over (those bytes, the referral
id, the expiry second) under the service's secret. Only its sha256 is stored. Checking the
HMAC against the stored row's referral and expiry means a row edited to point at another
referral, or to live longer, no longer matches its token. 24 characters fit a short URL, a
QR code of version 3 and a line a PCP can type (shown in groups of four; case, spaces,
hyphens and the look-alikes O/I/L are forgiven).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
import uuid

NONCE_BYTES = 10
MAC_BYTES = 5
TOKEN_LENGTH = (NONCE_BYTES + MAC_BYTES) * 8 // 5  # 24 characters
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_TO_CROCKFORD = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", CROCKFORD)
_FROM_CROCKFORD = str.maketrans(CROCKFORD, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
_LOOK_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_CONTEXT = b"osteoref.ack.v1"


def _mac(secret: bytes, nonce: bytes, referral_id: uuid.UUID, expires_at: dt.datetime) -> bytes:
    message = b"|".join((_CONTEXT, nonce, referral_id.bytes, str(int(expires_at.timestamp())).encode()))
    return hmac.new(secret, message, hashlib.sha256).digest()[:MAC_BYTES]


def new_token(secret: bytes, referral_id: uuid.UUID, expires_at: dt.datetime) -> str:
    """A fresh token for ``referral_id`` that expires at ``expires_at`` (whole seconds)."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    raw = nonce + _mac(secret, nonce, referral_id, expires_at)
    return base64.b32encode(raw).decode().translate(_TO_CROCKFORD)


def normalise(text: str) -> str | None:
    """The canonical token in ``text`` (as typed or scanned), or None if it cannot be one."""
    cleaned = text.upper().replace("-", "").replace(" ", "").translate(_LOOK_ALIKES)
    if len(cleaned) != TOKEN_LENGTH or any(c not in CROCKFORD for c in cleaned):
        return None
    return cleaned


def token_hash(token: str) -> str:
    """What the database stores and looks up: sha256 of the canonical token (hex)."""
    return hashlib.sha256(token.encode()).hexdigest()


def signature_matches(secret: bytes, token: str, referral_id: uuid.UUID, expires_at: dt.datetime) -> bool:
    """Whether ``token`` was issued by this secret for this referral and expiry (constant time)."""
    raw = base64.b32decode(token.translate(_FROM_CROCKFORD))
    nonce, mac = raw[:NONCE_BYTES], raw[NONCE_BYTES:]
    return hmac.compare_digest(mac, _mac(secret, nonce, referral_id, expires_at))


def grouped(token: str) -> str:
    """The token as printed for typing: six groups of four."""
    return "-".join(token[i : i + 4] for i in range(0, len(token), 4))
