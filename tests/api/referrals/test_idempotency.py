"""Idempotency-Key: a retry returns the same referral, a different body is 409, races make one row."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.db.engine import Database
from api.db.models import Referral, ReferralEvent
from tests.api.referrals.factories import bearer, referral_body
from tests.api.referrals.fakes import FakeScorer

RACERS = 8


def _post(client: TestClient, key: str, body: dict[str, Any], idem: str | None) -> Any:
    headers = bearer(key) | ({"Idempotency-Key": idem} if idem else {})
    return client.post("/v1/referrals", json=body, headers=headers)


def _count(database: Database, model: type[Referral] | type[ReferralEvent]) -> int:
    with database.reader() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_retry_with_the_same_key_returns_the_same_referral(
    client: TestClient, keys: dict[str, str], database: Database
) -> None:
    first = _post(client, keys["clinician"], referral_body(), "retry-1")
    second = _post(client, keys["clinician"], referral_body(), "retry-1")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json() == second.json()
    assert _count(database, Referral) == 1


def test_same_key_with_a_different_body_is_409(
    client: TestClient, keys: dict[str, str], database: Database
) -> None:
    assert _post(client, keys["clinician"], referral_body("P-1"), "k").status_code == 201
    conflict = _post(client, keys["clinician"], referral_body("P-2"), "k")
    assert conflict.status_code == 409
    assert conflict.json()["error"]["code"] == "conflict"
    assert _count(database, Referral) == 1


def test_without_a_key_every_post_creates_a_referral(
    client: TestClient, keys: dict[str, str], database: Database
) -> None:
    ids = {_post(client, keys["clinician"], referral_body(), None).json()["id"] for _ in range(3)}
    assert len(ids) == 3


def test_a_replay_does_not_score_again(client: TestClient, keys: dict[str, str], scorer: FakeScorer) -> None:
    for _ in range(3):
        _post(client, keys["clinician"], referral_body(), "once")
    assert scorer.calls == 1


@pytest.mark.parametrize("bad", ["", "x" * 256, "with space"])
def test_malformed_key_is_422(client: TestClient, keys: dict[str, str], bad: str) -> None:
    headers = bearer(keys["clinician"]) | {"Idempotency-Key": bad}
    response = client.post("/v1/referrals", json=referral_body(), headers=headers)
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "Idempotency-Key"


@pytest.mark.slow
def test_concurrent_retries_make_exactly_one_referral(
    client: TestClient, keys: dict[str, str], database: Database, scorer: FakeScorer
) -> None:
    # Every racer passes the replay check before any inserts: the barrier sits in the scorer.
    scorer.barrier = threading.Barrier(RACERS)
    with ThreadPoolExecutor(RACERS) as pool:
        responses = list(
            pool.map(lambda _: _post(client, keys["clinician"], referral_body(), "race"), range(RACERS))
        )
    codes = sorted(r.status_code for r in responses)
    assert codes == [200] * (RACERS - 1) + [201]
    assert len({r.json()["id"] for r in responses}) == 1
    assert _count(database, Referral) == 1
    assert _count(database, ReferralEvent) == 1
    assert scorer.calls == RACERS
