"""When to try a failed delivery again: the configured waits, one per failed attempt."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence


def next_attempt_at(
    failed_attempts: int, finished_at: dt.datetime, waits_minutes: Sequence[int]
) -> dt.datetime | None:
    """When attempt ``failed_attempts + 1`` is due, or None when every wait is used up (give up)."""
    if failed_attempts < 1:
        raise ValueError("next_attempt_at is asked after at least one failed attempt")
    if failed_attempts > len(waits_minutes):
        return None
    return finished_at + dt.timedelta(minutes=waits_minutes[failed_attempts - 1])
