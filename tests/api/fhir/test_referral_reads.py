"""GET /fhir/ServiceRequest/{id}, /fhir/ServiceRequest?patient=&status=, /fhir/DocumentReference?related=."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from functools import cache
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.db.engine import Database
from api.fhir import referral_routes
from api.fhir.bindings import validate_emitted
from tests.api.fhir.factories import SHARED_FHIR_SAMPLES
from tests.api.referrals.factories import bearer, referral_body
from tests.api.referrals.fakes import BASE_URL, FakeScorer, build_app

SCHEMA = SHARED_FHIR_SAMPLES / "schema" / "fhir.schema.json"
FHIR_JSON = "application/fhir+json"


@pytest.fixture
def client(database: Database) -> Iterator[TestClient]:
    app = build_app(database, FakeScorer())
    app.include_router(referral_routes.router)
    with TestClient(app) as test_client:
        yield test_client


def _create(client: TestClient, key: str, patient_id: str = "P-001") -> str:
    response = client.post("/v1/referrals", json=referral_body(patient_id), headers=bearer(key))
    assert response.status_code == 201, response.text
    referral_id: str = response.json()["id"]
    return referral_id


@cache
def _schema() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return data


def _valid(resource: dict[str, Any]) -> None:
    validate_emitted(resource)
    jsonschema = pytest.importorskip("jsonschema")
    if SCHEMA.exists():
        schema = {
            "$ref": f"#/definitions/{resource['resourceType']}",
            "definitions": _schema()["definitions"],
        }
        assert [e.message for e in jsonschema.Draft6Validator(schema).iter_errors(resource)] == []


def test_service_request_by_id(client: TestClient, keys: dict[str, str]) -> None:
    rid = _create(client, keys["clinician"])
    response = client.get(f"/fhir/ServiceRequest/{rid}", headers=bearer(keys["coordinator"]))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(FHIR_JSON)
    assert response.headers["cache-control"] == "no-store"
    resource = response.json()
    _valid(resource)
    assert (resource["id"], resource["status"], resource["intent"]) == (rid, "draft", "proposal")
    assert resource["subject"]["identifier"] == {
        "system": f"{BASE_URL}/fhir/sid/patient-id",
        "value": "P-001",
    }
    assert {c["id"] for c in resource["contained"]} == {"pcp", "referrer"}


def test_sent_referral_is_an_active_order(client: TestClient, keys: dict[str, str]) -> None:
    rid = _create(client, keys["clinician"])
    moved = client.post(
        f"/v1/referrals/{rid}/transitions", json={"to": "sent"}, headers=bearer(keys["clinician"])
    )
    assert moved.status_code == 200
    resource = client.get(f"/fhir/ServiceRequest/{rid}", headers=bearer(keys["clinician"])).json()
    assert (resource["status"], resource["intent"]) == ("active", "order")


def test_roles_and_missing_referrals(client: TestClient, keys: dict[str, str]) -> None:
    rid = _create(client, keys["clinician"])
    assert client.get(f"/fhir/ServiceRequest/{rid}").status_code == 401
    assert client.get(f"/fhir/ServiceRequest/{rid}", headers=bearer(keys["analyst"])).status_code == 403
    missing = "00000000-0000-4000-8000-000000000000"
    assert client.get(f"/fhir/ServiceRequest/{missing}", headers=bearer(keys["clinician"])).status_code == 404
    letters = client.get(
        f"/fhir/DocumentReference?related=ServiceRequest/{rid}", headers=bearer(keys["analyst"])
    )
    assert letters.status_code == 403
    search = client.get("/fhir/ServiceRequest?patient=P-001", headers=bearer(keys["analyst"]))
    assert search.status_code == 403


def test_letter_as_document_reference_with_the_pdf(client: TestClient, keys: dict[str, str]) -> None:
    rid = _create(client, keys["clinician"])
    response = client.get(
        f"/fhir/DocumentReference?related=ServiceRequest/{rid}", headers=bearer(keys["coordinator"])
    )
    assert response.status_code == 200
    bundle = response.json()
    _valid(bundle)
    [entry] = bundle["entry"]
    document = entry["resource"]
    _valid(document)
    attachment = document["content"][0]["attachment"]
    assert base64.b64decode(attachment["data"]).startswith(b"%PDF")
    assert document["context"]["related"] == [{"reference": f"{BASE_URL}/fhir/ServiceRequest/{rid}"}]


@pytest.mark.parametrize("related", ["Patient/1", "ServiceRequest/not-a-uuid"])
def test_related_must_name_a_service_request(client: TestClient, keys: dict[str, str], related: str) -> None:
    response = client.get(f"/fhir/DocumentReference?related={related}", headers=bearer(keys["clinician"]))
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "related"


def test_search_by_patient_and_status(client: TestClient, keys: dict[str, str]) -> None:
    first = _create(client, keys["clinician"], "P-001")
    _create(client, keys["clinician"], "P-002")
    client.post(f"/v1/referrals/{first}/transitions", json={"to": "sent"}, headers=bearer(keys["clinician"]))
    headers = bearer(keys["clinician"])
    both = client.get("/fhir/ServiceRequest?patient=Patient/P-001", headers=headers).json()
    _valid(both)
    assert [e["resource"]["id"] for e in both["entry"]] == [first]
    assert both["entry"][0]["fullUrl"] == f"{BASE_URL}/fhir/ServiceRequest/{first}"
    active = client.get("/fhir/ServiceRequest?patient=P-001&status=active", headers=headers).json()
    assert active["total"] == 1
    drafts = client.get("/fhir/ServiceRequest?patient=P-001&status=draft", headers=headers).json()
    assert drafts["total"] == 0 and "entry" not in drafts
    _valid(drafts)
    bad = client.get("/fhir/ServiceRequest?patient=P-001&status=sent", headers=headers)
    assert bad.status_code == 422 and bad.json()["error"]["details"][0]["field"] == "status"
