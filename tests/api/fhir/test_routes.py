"""POST /fhir/$assess: auth, FHIR JSON in and out, not-applicable answers, 400/422 errors."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from tests.api.fhir.factories import bundle, full_patient, patient
from tests.api.referrals.factories import bearer

URL = "/fhir/$assess?assessment_date=2024-03-15"
FHIR_JSON = "application/fhir+json"


def _post(client: TestClient, key: str, body: object, content_type: str = FHIR_JSON) -> object:
    return client.post(URL, content=json.dumps(body), headers=bearer(key) | {"Content-Type": content_type})


@pytest.mark.parametrize("content_type", [FHIR_JSON, "application/json"])
def test_assess_answers_a_fhir_bundle(client: TestClient, keys: dict[str, str], content_type: str) -> None:
    response = client.post(
        URL,
        content=json.dumps(bundle(full_patient(), "transaction")),
        headers=bearer(keys["clinician"]) | {"Content-Type": content_type},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(FHIR_JSON)
    body = response.json()
    assert body["resourceType"] == "Bundle" and body["type"] == "collection"
    types = [e["resource"]["resourceType"] for e in body["entry"]]
    assert types == ["RiskAssessment", "Device", "OperationOutcome"]
    assert body["entry"][0]["resource"]["occurrenceDateTime"] == "2024-03-15"


def test_not_applicable_answers_the_outcome_only(client: TestClient, keys: dict[str, str]) -> None:
    response = client.post(URL, json=bundle([patient()]), headers=bearer(keys["analyst"]))
    assert response.status_code == 200
    entries = response.json()["entry"]
    assert [e["resource"]["resourceType"] for e in entries] == ["OperationOutcome"]
    first = entries[0]["resource"]["issue"][0]
    assert first["details"]["text"].startswith("no completed kyphoplasty or vertebroplasty Procedure")


def test_without_key_401_and_coordinator_403(client: TestClient, keys: dict[str, str]) -> None:
    assert client.post(URL, json=bundle([patient()])).status_code == 401
    denied = client.post(URL, json=bundle([patient()]), headers=bearer(keys["coordinator"]))
    assert denied.status_code == 403
    assert denied.json()["error"]["code"] == "permission_denied"


def test_invalid_bundle_is_422_with_the_shared_error_shape(client: TestClient, keys: dict[str, str]) -> None:
    bad = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {
                "resource": {
                    "resourceType": "Observation",
                    "status": "final",
                    "code": {"text": "x"},
                    "effectiveDateTime": "2020-02-30",
                }
            }
        ],
    }
    response = client.post(URL, json=bad, headers=bearer(keys["clinician"]))
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_input"
    assert error["details"][0]["field"] == "entry.0.resource.effectiveDateTime"


def test_wrong_bundle_type_is_422(client: TestClient, keys: dict[str, str]) -> None:
    response = client.post(
        URL, json={"resourceType": "Bundle", "type": "history"}, headers=bearer(keys["clinician"])
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "type"


def test_malformed_json_is_400(client: TestClient, keys: dict[str, str]) -> None:
    response = client.post(
        URL, content=b"{nope", headers=bearer(keys["clinician"]) | {"Content-Type": FHIR_JSON}
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_json"
