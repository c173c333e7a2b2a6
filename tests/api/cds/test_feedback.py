"""Feedback: stored once per (card, outcome, time), free text truncated, no token; analyst summary."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from structlog.testing import capture_logs

from api.cds.services import ORDER_SIGN_ID, PATIENT_VIEW_ID
from api.db.cds_models import CdsFeedback
from api.db.engine import Database
from tests.api.cds import fhir_data as fd
from tests.api.cds.keys import EC_ISS, Signer
from tests.api.referrals.factories import bearer, role_keys

COMMENT = "Patient sees Dr Quartermaine privately; " * 40
WHEN = "2026-01-05T10:00:00+01:00"


def _post(client: TestClient, signer: Signer, service: str, items: list[dict[str, Any]]) -> Any:
    path = f"/cds-services/{service}/feedback"
    return client.post(path, json={"feedback": items}, headers=signer.bearer(path))


def _overridden(card: str = "card-1", code: str = "patient-declined") -> dict[str, Any]:
    return {
        "card": card,
        "outcome": "overridden",
        "overrideReason": {"reason": {"code": code, "display": "Patient declined"}, "userComment": COMMENT},
        "outcomeTimestamp": WHEN,
    }


def _accepted(card: str = "card-2") -> dict[str, Any]:
    return {
        "card": card,
        "outcome": "accepted",
        "acceptedSuggestions": [{"id": "s-1"}],
        "outcomeTimestamp": WHEN,
    }


def _rows(database: Database) -> list[CdsFeedback]:
    with database.reader() as session:
        return list(session.scalars(select(CdsFeedback).order_by(CdsFeedback.id)))


def test_feedback_is_stored_with_reason_and_truncated_comment(
    client: TestClient, ec: Signer, database: Database
) -> None:
    response = _post(client, ec, ORDER_SIGN_ID, [_overridden(), _accepted()])
    assert response.json() == {"received": 2, "stored": 2}
    overridden, accepted = _rows(database)
    assert (overridden.service_id, overridden.outcome, overridden.iss) == (
        ORDER_SIGN_ID,
        "overridden",
        EC_ISS,
    )
    assert overridden.override_reason_code == "patient-declined"
    assert overridden.user_comment is not None and len(overridden.user_comment) == 500
    assert overridden.outcome_timestamp.isoformat() == "2026-01-05T09:00:00+00:00"
    assert accepted.accepted_suggestions == ["s-1"]


def test_the_same_outcome_twice_is_one_row(client: TestClient, ec: Signer, database: Database) -> None:
    assert _post(client, ec, ORDER_SIGN_ID, [_overridden()]).json()["stored"] == 1
    assert _post(client, ec, ORDER_SIGN_ID, [_overridden(), _overridden()]).json()["stored"] == 0
    assert len(_rows(database)) == 1


def test_feedback_for_an_unknown_service_is_404(client: TestClient, ec: Signer) -> None:
    assert _post(client, ec, "nope", [_accepted()]).status_code == 404


def test_free_text_and_tokens_are_neither_logged_nor_stored(
    client: TestClient, ec: Signer, database: Database
) -> None:
    hook = fd.hook_body()
    hook["fhirServer"] = "https://fhir.example.org/r4"
    hook["fhirAuthorization"] = {"access_token": fd.SECRET_TOKEN, "token_type": "Bearer"}
    path = f"/cds-services/{PATIENT_VIEW_ID}"
    with capture_logs() as logs:
        assert client.post(path, json=hook, headers=ec.bearer(path)).status_code == 200
        _post(client, ec, PATIENT_VIEW_ID, [_overridden()])
    assert "Quartermaine" not in repr(logs)
    assert fd.SECRET_TOKEN not in repr(logs)
    stored = repr([vars(row) for row in _rows(database)])
    assert fd.SECRET_TOKEN not in stored
    assert fd.PATIENT_ID not in stored


def test_summary_gives_rates_and_reasons_per_service(
    client: TestClient, ec: Signer, database: Database
) -> None:
    _post(client, ec, ORDER_SIGN_ID, [_overridden("a"), _overridden("b", "already-treated"), _accepted("c")])
    _post(client, ec, PATIENT_VIEW_ID, [_accepted("d")])
    keys = role_keys(database)
    body = client.get("/v1/cds/feedback-summary", headers=bearer(keys["analyst"])).json()
    by_id = {s["service_id"]: s for s in body["services"]}
    order_sign = by_id[ORDER_SIGN_ID]
    assert (order_sign["total"], order_sign["accepted"], order_sign["overridden"]) == (3, 1, 2)
    assert order_sign["acceptance_rate"] == 1 / 3
    assert order_sign["override_rate"] == 2 / 3
    assert {(r["code"], r["count"]) for r in order_sign["override_reasons"]} == {
        ("patient-declined", 1),
        ("already-treated", 1),
    }
    assert by_id[PATIENT_VIEW_ID]["acceptance_rate"] == 1.0


def test_summary_is_for_analysts_and_admins_only(client: TestClient, database: Database) -> None:
    keys = role_keys(database)
    path = "/v1/cds/feedback-summary"
    assert client.get(path, headers=bearer(keys["admin"])).status_code == 200
    assert client.get(path, headers=bearer(keys["clinician"])).status_code == 403
    assert client.get(path, headers=bearer(keys["coordinator"])).status_code == 403
    assert client.get(path).status_code == 401
