"""Every endpoint: 401 without a key, 401 with a wrong key, 403 for a wrong role, 2xx for a right one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.auth.permissions import ROLES
from api.db.engine import Database
from tests.api.referrals.factories import bearer, referral_body


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # {id} is replaced by an existing referral id
    allowed: frozenset[str]
    success: int
    body: dict[str, Any] | None = None


READERS = frozenset({"clinician", "coordinator", "admin"})
ENDPOINTS = [
    Endpoint("POST", "/v1/referrals", frozenset({"clinician", "admin"}), 201, referral_body()),
    Endpoint("GET", "/v1/referrals", READERS, 200),
    Endpoint("GET", "/v1/referrals/{id}", READERS, 200),
    Endpoint("POST", "/v1/referrals/{id}/transitions", READERS, 200, {"to": "sent"}),
    Endpoint("GET", "/v1/referrals/{id}/letter.html", READERS, 200),
    Endpoint("GET", "/v1/referrals/{id}/letter.pdf", READERS, 200),
    Endpoint("GET", "/v1/referrals/{id}/patient-letter.html", READERS, 200),
    Endpoint("GET", "/v1/referrals/{id}/patient-letter.pdf", READERS, 200),
    Endpoint("GET", "/v1/worklist", frozenset({"coordinator", "admin"}), 200),
    Endpoint("GET", "/v1/audit", frozenset({"admin"}), 200),
]
IDS = [f"{e.method} {e.path}" for e in ENDPOINTS]
WRONG_KEYS = [
    "osr_00000000_not-a-real-secret",
    "garbage",
    "osr__",
]


def _call(client: TestClient, endpoint: Endpoint, rid: str, headers: dict[str, str]) -> Any:
    path = endpoint.path.replace("{id}", rid)
    return client.request(endpoint.method, path, json=endpoint.body, headers=headers)


@pytest.fixture
def rid(client: TestClient, keys: dict[str, str]) -> str:
    response = client.post("/v1/referrals", json=referral_body(), headers=bearer(keys["clinician"]))
    return str(response.json()["id"])


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=IDS)
def test_missing_key_is_401(client: TestClient, rid: str, endpoint: Endpoint) -> None:
    response = _call(client, endpoint, rid, {})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=IDS)
@pytest.mark.parametrize("wrong", WRONG_KEYS)
def test_wrong_key_is_401(client: TestClient, rid: str, endpoint: Endpoint, wrong: str) -> None:
    assert _call(client, endpoint, rid, bearer(wrong)).status_code == 401


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=IDS)
def test_right_prefix_wrong_secret_is_401(
    client: TestClient, keys: dict[str, str], rid: str, endpoint: Endpoint
) -> None:
    forged = keys["admin"][:13] + "x" * 43
    assert _call(client, endpoint, rid, bearer(forged)).status_code == 401


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=IDS)
def test_wrong_role_is_403(client: TestClient, keys: dict[str, str], rid: str, endpoint: Endpoint) -> None:
    for role in sorted(set(ROLES) - endpoint.allowed):
        response = _call(client, endpoint, rid, bearer(keys[role]))
        assert response.status_code == 403, role
        assert response.json()["error"]["code"] == "permission_denied"


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=IDS)
def test_right_role_succeeds(
    client: TestClient, keys: dict[str, str], database: Database, endpoint: Endpoint
) -> None:
    for role in sorted(endpoint.allowed):
        fresh = client.post("/v1/referrals", json=referral_body(), headers=bearer(keys["clinician"])).json()[
            "id"
        ]
        response = _call(client, endpoint, str(fresh), bearer(keys[role]))
        assert response.status_code == endpoint.success, (role, response.text)


def test_basic_scheme_is_401(client: TestClient, keys: dict[str, str]) -> None:
    headers = {"Authorization": f"Basic {keys['admin']}"}
    assert client.get("/v1/referrals", headers=headers).status_code == 401


def test_auth_is_checked_before_the_body(client: TestClient) -> None:
    assert client.post("/v1/referrals", content=b"not json").status_code == 401
