"""The ``jti`` replay cache: in-process, one entry per token until it expires, strictly bounded.

Entries are 32-byte digests of (iss, jti), so a long ``jti`` costs no memory, and at most
``max_entries`` are held: when full, expired entries are dropped; if it is still full, the call
is refused with 429 (fail closed: forgetting an unexpired token would let it be replayed).
With lifetimes capped at five minutes (api/cds/verify.py), 100,000 entries allow ~300 calls a
second.

One process only: several replicas behind a load balancer each keep their own cache, so a
token replayed to another replica is not caught — such deployments need a shared cache
(e.g. Redis ``SET key NX EXAT exp``) behind the same ``seen_before`` call.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable

from api.errors import TooManyRequests

RETRY_WHEN_FULL_SECONDS = 5


class ReplayCache:
    """Remembers (iss, jti) until the token's ``exp``; ``seen_before`` checks and records at once."""

    def __init__(self, clock: Callable[[], float] = time.time, max_entries: int = 100_000) -> None:
        self._clock = clock
        self._max_entries = max_entries
        self._expiry: dict[bytes, float] = {}
        self._lock = threading.Lock()

    def seen_before(self, iss: str, jti: str, exp: float) -> bool:
        """True if this (iss, jti) was recorded and has not expired; otherwise record it."""
        now = self._clock()
        key = hashlib.sha256(f"{iss}\x00{jti}".encode()).digest()
        with self._lock:
            known = self._expiry.get(key)
            if known is not None and known >= now:
                return True
            if len(self._expiry) >= self._max_entries:
                self._purge(now)
            if len(self._expiry) >= self._max_entries:
                raise TooManyRequests(
                    "too many CDS calls in flight to check for replay; retry shortly",
                    retry_after_seconds=RETRY_WHEN_FULL_SECONDS,
                )
            self._expiry[key] = exp
            return False

    def _purge(self, now: float) -> None:
        self._expiry = {k: v for k, v in self._expiry.items() if v >= now}

    def __len__(self) -> int:
        return len(self._expiry)
