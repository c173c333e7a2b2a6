"""Failed authentications per source: 429 past the limit (not before), and aggregated audit rows."""

from __future__ import annotations

import contextlib

from fastapi.testclient import TestClient
from sqlalchemy import select

from api.auth.throttle import SUMMARY_ACTION, AuditCount, FailureLimiter
from api.db.engine import Database
from api.db.models import AuditEntry
from api.errors import TooManyRequests
from tests.api.referrals.factories import bearer


def _limiter(now: list[float]) -> FailureLimiter:
    return FailureLimiter(limit=3, window_seconds=60, clock=lambda: now[0])


def test_a_source_is_refused_only_past_the_limit_and_only_for_its_window() -> None:
    now = [0.0]
    limiter = _limiter(now)
    for _ in range(3):
        limiter.check("10.0.0.1")  # 0, 1, 2 failures so far: allowed
        limiter.record_failure("10.0.0.1", "referrals:read")
    try:
        limiter.check("10.0.0.1")
        raise AssertionError("the fourth attempt should be refused")
    except TooManyRequests as refused:
        assert refused.retry_after_seconds == 60
    limiter.check("10.0.0.2")  # another source is not affected
    now[0] = 60.0
    limiter.check("10.0.0.1")  # the window has ended


def test_a_flood_becomes_two_rows_per_source_and_window() -> None:
    now = [0.0]
    limiter = _limiter(now)
    first = limiter.record_failure("s", "referrals:read")
    assert first == [AuditCount("s", "referrals:read", "unauthenticated", 1)]
    for _ in range(99):
        assert limiter.record_failure("s", "referrals:read") == []
    for _ in range(5):
        with contextlib.suppress(TooManyRequests):
            limiter.check("s")
    assert limiter.drain() == []  # the window is still open
    now[0] = 61.0
    assert limiter.drain() == [
        AuditCount("s", SUMMARY_ACTION, "unauthenticated", 99),
        AuditCount("s", SUMMARY_ACTION, "rate_limited", 5),
    ]


def test_sources_beyond_the_bound_share_one_window() -> None:
    limiter = FailureLimiter(limit=1, window_seconds=60, clock=lambda: 0.0, max_sources=2)
    for source in ("a", "b", "c", "d"):
        limiter.record_failure(source, "x")
    try:
        limiter.check("e")  # the shared overflow window is over its limit
        raise AssertionError("expected 429")
    except TooManyRequests:
        pass


def test_401_flood_over_http_answers_429_and_writes_few_audit_rows(
    client: TestClient, keys: dict[str, str], database: Database
) -> None:
    statuses = [
        client.get("/v1/referrals", headers=bearer("osr_00000000_wrong")).status_code for _ in range(40)
    ]
    assert statuses[:30] == [401] * 30
    assert statuses[30:] == [429] * 10
    refused = client.get("/v1/referrals", headers=bearer("osr_00000000_wrong"))
    assert int(refused.headers["Retry-After"]) >= 1
    assert (
        client.get("/v1/referrals", headers=bearer(keys["clinician"])).status_code == 429
    )  # not yet verified here
    with database.reader() as session:
        rows = session.scalars(select(AuditEntry).where(AuditEntry.outcome != "ok")).all()
    assert [(r.action, r.outcome, r.count) for r in rows] == [("referrals:read", "unauthenticated", 1)]
    assert rows[0].source == "testclient"
