"""Rate limits of the public acknowledgement pages, per client address (``limits``, in memory).

Every request counts against the general limit; a request with an unknown, expired or used
token also counts against the stricter failure limit, which makes guessing tokens hopeless
on top of their 120 bits. The counters live in the process: with several workers each
has its own, so the effective limit is the configured one times the worker count.
"""

from __future__ import annotations

import time

from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from risk.errors import OsteorefError


class RateLimited(OsteorefError):
    """Too many acknowledgement requests from one address: answered 429 with Retry-After."""

    code = "rate_limited"

    def __init__(self, retry_after: int) -> None:
        super().__init__("Too many attempts from this address. Please wait a few minutes and try again.")
        self.retry_after = retry_after


class AckRateLimiter:
    """A moving-window limiter for all requests and one for failed token look-ups."""

    def __init__(self, every_request: str, failures: str) -> None:
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._requests = parse_many(every_request)
        self._failures = parse_many(failures)

    def _check(self, items: list[RateLimitItem], namespace: str, client: str, *, count: bool) -> None:
        for item in items:
            allowed = (
                self._limiter.hit(item, namespace, client)
                if count
                else self._limiter.test(item, namespace, client)
            )
            if not allowed:
                reset = self._limiter.get_window_stats(item, namespace, client).reset_time
                raise RateLimited(retry_after=max(1, int(reset - time.time())))

    def request(self, client: str) -> None:
        """Count one request; RateLimited when the client is over either limit."""
        self._check(self._failures, "ack-failure", client, count=False)
        self._check(self._requests, "ack", client, count=True)

    def failure(self, client: str) -> None:
        """Count one failed token look-up."""
        for item in self._failures:
            self._limiter.hit(item, "ack-failure", client)
