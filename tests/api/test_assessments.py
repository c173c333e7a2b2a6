"""POST /v1/assessments and /batch: assessments, and 422s naming field, value and rule."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from structlog.testing import capture_logs

from api.settings import Settings
from tests.conftest import clinician_client


def test_health_is_always_ok(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "ok"}


def test_ready_names_the_loaded_model(client: TestClient) -> None:
    response = client.get("/ready")
    assert response.status_code == 200
    assert response.json()["model_version"]


def test_without_model_ready_and_scoring_answer_503(settings: Settings, record: dict[str, Any]) -> None:
    settings = settings.model_copy(update={"model_path": settings.model_path.parent / "missing.json"})
    with clinician_client(settings) as client:
        assert client.get("/health").status_code == 200
        ready = client.get("/ready")
        scored = client.post("/v1/assessments", json=record)
    assert ready.status_code == 503
    assert ready.json()["error"]["code"] == "model_not_loaded"
    assert scored.status_code == 503


def test_valid_record_is_assessed(client: TestClient, record: dict[str, Any]) -> None:
    response = client.post("/v1/assessments", json=record)
    assert response.status_code == 200
    body = response.json()
    assert body["patient_id"] == "P-0001"
    assert body["assessment_date"] == "2024-03-15"
    assert body["pathway"] in {"osteoporosis", "oncology", "trauma_review"}


CASES = [
    ("bool for number", {"weight_kg": True}, "weight_kg", True, "number"),
    ("string for number", {"weight_kg": "70"}, "weight_kg", "70", "number"),
    ("number for bool", {"current_smoker": 1}, "current_smoker", 1, "boolean"),
    ("out of range", {"weight_kg": 251}, "weight_kg", 251, "less than or equal to 250"),
    ("bad enum", {"sex": "f"}, "sex", "f", "'female' or 'male'"),
    ("unknown key", {"shoe_size": 9}, "shoe_size", 9, "unknown field"),
    ("duplicate levels", {"treated_levels": ["L1", "L1"]}, "treated_levels", ["L1", "L1"], "repeat"),
    (
        "fracture after procedure",
        {"fracture_date": "2024-03-02"},
        "fracture_date",
        "2024-03-02",
        "fracture_date must not be after procedure_date",
    ),
    ("no birth date nor age", {"birth_date": None}, "birth_date", None, "one of birth_date"),
    (
        "birth in the future, assessment later still",  # assessment_date has no upper bound
        {
            "birth_date": "2090-01-01",
            "procedure_date": "2120-01-01",
            "assessment_date": "2120-06-01",
            "fracture_date": "2120-01-01",
            "dxa_date": None,
            "last_dose_date": None,
        },
        "birth_date",
        "2090-01-01",
        "birth_date must not be in the future",
    ),
]


@pytest.mark.parametrize(
    ("change", "field", "value", "rule"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_record_gets_422_naming_field_value_rule(
    client: TestClient, record: dict[str, Any], change: dict[str, Any], field: str, value: Any, rule: str
) -> None:
    response = client.post("/v1/assessments", json=record | change)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_input"
    matching = [d for d in error["details"] if d["field"] == field]
    assert matching, error
    assert matching[0]["value"] == value
    assert rule in matching[0]["rule"]


def test_malformed_json_is_400(client: TestClient) -> None:
    response = client.post(
        "/v1/assessments", content=b'{"patient_id": ', headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_json"


def test_batch_keeps_order_and_isolates_bad_records(client: TestClient, record: dict[str, Any]) -> None:
    records = [record, record | {"sex": "x"}, 42, record | {"patient_id": "P-3"}]
    response = client.post("/v1/assessments/batch", json={"records": records})
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["index"] for r in results] == [0, 1, 2, 3]
    assert [("assessment" in r) for r in results] == [True, False, False, True]
    assert results[1]["errors"][0]["field"] == "sex"
    assert results[3]["assessment"]["patient_id"] == "P-3"


def test_batch_limit_is_inclusive(client: TestClient, record: dict[str, Any]) -> None:
    at_limit = client.post("/v1/assessments/batch", json={"records": [record] * 1000})
    over = client.post("/v1/assessments/batch", json={"records": [record] * 1001})
    assert at_limit.status_code == 200
    assert over.status_code == 422
    assert over.json()["error"]["details"][0]["field"] == "records"


def test_batch_body_shape_errors_are_422(client: TestClient) -> None:
    response = client.post("/v1/assessments/batch", json={"rows": []})
    assert response.status_code == 422
    assert {d["field"] for d in response.json()["error"]["details"]} == {"records", "rows"}


def test_logs_carry_codes_and_model_version_but_never_patient_identity(
    client: TestClient, record: dict[str, Any]
) -> None:
    with capture_logs() as events:
        client.post("/v1/assessments", json=record)
        client.post("/v1/assessments", json=record | {"weight_kg": "x"})
        client.post("/v1/assessments/batch", json={"records": [record]})
    text = repr(events)
    for secret in ("P-0001", "Ada", "Lovelace", "1948-05-17"):
        assert secret not in text
    assessed = next(e for e in events if e["event"] == "request" and "criteria" in e)
    assert assessed["model_version"] and isinstance(assessed["criteria"], list)
    assert assessed["pathway"] in {"osteoporosis", "oncology", "trauma_review"}
    requests = [e for e in events if e["event"] == "request"]
    assert [r["status"] for r in requests] == [200, 422, 200]
    assert all(r["path"].startswith("/v1/assessments") and "latency_ms" in r for r in requests)
