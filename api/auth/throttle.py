"""Failed authentications, counted per source: past the limit a source gets 429, and the audit
log gets one row per source and window instead of one per failure.

A window opens at a source's first failure and lasts ``window_seconds``. That first failure is
audited at once (so a single wrong key is visible at once); the failures and refusals that
follow are summed and written as one ``authentication`` row per outcome when the window has
ended (``drain``, called on later failures, every few seconds by the app, and at shutdown).
Once a source has failed ``limit`` times in its window, requests from it without a key this
process has already verified are refused with 429 before any database work, until the window
ends. In-process: each replica counts its own sources.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from starlette.requests import HTTPConnection

from api.db import audit_repo
from api.db.engine import Database
from api.errors import TooManyRequests

SUMMARY_ACTION = "authentication"
OVERFLOW_SOURCE = "(too many sources)"  # every source beyond max_sources shares one window


@dataclass
class _Window:
    opened: float
    action: str
    failures: int = 0
    refused: int = 0


@dataclass(frozen=True, slots=True)
class AuditCount:
    """One audit row to write: ``count`` events of ``outcome`` from ``source``."""

    source: str
    action: str
    outcome: str
    count: int


class FailureLimiter:
    """Thread-safe fixed-window counter of failed authentications per source."""

    def __init__(
        self,
        limit: int,
        window_seconds: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_sources: int = 10_000,
    ) -> None:
        self.limit = limit
        self.window_seconds = window_seconds
        self._clock = clock
        self._max_sources = max_sources
        self._windows: dict[str, _Window] = {}
        self._ended: list[AuditCount] = []
        self._lock = threading.Lock()

    def check(self, source: str) -> None:
        """Raise TooManyRequests (and count the refusal) if ``source`` is over the limit."""
        with self._lock:
            window = self._current(source, self._clock())
            if window is None or window.failures < self.limit:
                return
            window.refused += 1
            retry = max(1, round(window.opened + self.window_seconds - self._clock()))
        raise TooManyRequests(
            f"too many failed authentications from this address; retry in {retry} s",
            retry_after_seconds=retry,
        )

    def record_failure(self, source: str, action: str) -> list[AuditCount]:
        """Count a failure; the audit rows now due (the window's first failure, ended windows)."""
        now = self._clock()
        with self._lock:
            self._end_windows(now)
            key = (
                source
                if source in self._windows or len(self._windows) < self._max_sources
                else OVERFLOW_SOURCE
            )
            window = self._windows.get(key)
            first = window is None
            if window is None:
                window = self._windows[key] = _Window(opened=now, action=action)
            window.failures += 1
            due = self._take_ended()
        return [AuditCount(key, action, "unauthenticated", 1), *due] if first else due

    def drain(self, *, everything: bool = False) -> list[AuditCount]:
        """The summary rows of windows that have ended (``everything``: of all windows, at shutdown)."""
        with self._lock:
            self._end_windows(float("inf") if everything else self._clock())
            return self._take_ended()

    def _current(self, source: str, now: float) -> _Window | None:
        window = self._windows.get(source) or self._windows.get(OVERFLOW_SOURCE)
        return window if window is not None and now - window.opened < self.window_seconds else None

    def _end_windows(self, now: float) -> None:
        for source in [s for s, w in self._windows.items() if now - w.opened >= self.window_seconds]:
            window = self._windows.pop(source)
            if window.failures > 1:
                self._ended.append(AuditCount(source, SUMMARY_ACTION, "unauthenticated", window.failures - 1))
            if window.refused:
                self._ended.append(AuditCount(source, SUMMARY_ACTION, "rate_limited", window.refused))

    def _take_ended(self) -> list[AuditCount]:
        ended, self._ended = self._ended, []
        return ended


def write_counts(database: Database, counts: list[AuditCount]) -> None:
    """Append the rows (one transaction); nothing to do for an empty list."""
    if not counts:
        return
    with database.transaction() as session:
        for c in counts:
            audit_repo.append(
                session,
                actor_key_id=None,
                role=None,
                action=c.action,
                outcome=c.outcome,
                source=c.source,
                count=c.count,
            )


def client_source(connection: HTTPConnection) -> str:
    """The caller's address as the server sees it (behind a proxy: run uvicorn with --proxy-headers)."""
    client = connection.scope.get("client")
    return str(client[0])[:64] if client else "(unknown)"
