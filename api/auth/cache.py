"""A short-lived in-process memory of verified keys, so a hot API path skips the database.

A key revoked in this process is forgotten at once; one revoked elsewhere (the CLI,
another replica) stops working within ``TTL_SECONDS``. Only successes are remembered,
and only a SHA-256 of the presented key is held, never the key.
"""

from __future__ import annotations

import hashlib
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from api.auth.principal import Principal

TTL_SECONDS = 30.0
MAX_ENTRIES = 10_000

_verified: dict[bytes, tuple[Principal, float]] = {}


def _digest(presented: str) -> bytes:
    return hashlib.sha256(presented.encode()).digest()


def recall(presented: str) -> Principal | None:
    """The principal of a key verified less than TTL_SECONDS ago, else None."""
    entry = _verified.get(_digest(presented))
    if entry is None or entry[1] < time.monotonic():
        return None
    return entry[0]


def remember(presented: str, principal: Principal) -> None:
    """Remember a successful verification for TTL_SECONDS."""
    if len(_verified) >= MAX_ENTRIES:
        _verified.clear()
    _verified[_digest(presented)] = (principal, time.monotonic() + TTL_SECONDS)


def forget_key(key_id: int) -> None:
    """Drop every remembered verification of a key (on revocation)."""
    for digest in [d for d, (p, _) in _verified.items() if p.key_id == key_id]:
        del _verified[digest]
