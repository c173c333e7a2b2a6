"""API key format, generation, hashing and verification.

A key is ``osr_<prefix>_<secret>``: the prefix (8 hex chars) finds the row, the secret
(32 random bytes) is stored only as sha256(salt ‖ secret) with a per-key salt. A slow
password hash (scrypt) buys nothing for 256-bit random secrets and would cost tens of
milliseconds on every request.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

KEY_SCHEME = "osr"
HASH_SCHEME = "sha256"


@dataclass(frozen=True, slots=True)
class NewKey:
    """A freshly generated key: ``plaintext`` is shown once, the rest is stored."""

    plaintext: str
    prefix: str
    hash: str


def generate_key() -> NewKey:
    """A new random key with its lookup prefix and salted hash."""
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    return NewKey(f"{KEY_SCHEME}_{prefix}_{secret}", prefix, hash_secret(secret))


def hash_secret(secret: str, salt: bytes | None = None) -> str:
    """``sha256$<salt hex>$<digest hex>`` of the secret."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.sha256(salt + secret.encode()).hexdigest()
    return f"{HASH_SCHEME}${salt.hex()}${digest}"


def split_key(plaintext: str) -> tuple[str, str] | None:
    """(prefix, secret) of a well-formed key, else None."""
    parts = plaintext.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_SCHEME or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


def verify_secret(secret: str, stored: str) -> bool:
    """Whether ``secret`` matches the stored hash (constant-time comparison)."""
    try:
        scheme, salt_hex, _digest = stored.split("$")
        salt = bytes.fromhex(salt_hex)
    except ValueError:
        return False
    return scheme == HASH_SCHEME and hmac.compare_digest(hash_secret(secret, salt), stored)
