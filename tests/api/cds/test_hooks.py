"""The two hooks end to end: cards per pathway, draft orders, prefetch completion, 412, spec checks."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from fhir.resources.R4B.servicerequest import ServiceRequest
from structlog.testing import capture_logs

from api.cds.services import ORDER_SIGN_ID, PATIENT_VIEW_ID, PREFETCH
from tests.api.cds import fhir_data as fd
from tests.api.cds.conftest import FakeRemote
from tests.api.cds.keys import BASE_URL, Signer
from tests.api.cds.spec_checks import check_discovery, check_response

FHIR = "https://fhir.example.org/r4"


def _call(client: TestClient, signer: Signer, service: str, body: dict[str, Any]) -> Any:
    path = f"/cds-services/{service}"
    return client.post(path, json=body, headers=signer.bearer(path))


def _indicator_of_priority(card: dict[str, Any]) -> str:
    priority = re.search(r"\*\*Priority:\*\* (\w+)", card["detail"])
    assert priority is not None
    return {"urgent": "critical", "soon": "warning", "routine": "info"}[priority.group(1)]


def _cards(client: TestClient, signer: Signer, service: str, body: dict[str, Any]) -> list[dict[str, Any]]:
    response = _call(client, signer, service, body)
    assert response.status_code == 200, response.text
    assert check_response(response.json()) == []
    cards: list[dict[str, Any]] = response.json()["cards"]
    return cards


def test_discovery_lists_both_services_and_passes_the_spec_checks(client: TestClient, ec: Signer) -> None:
    doc = client.get("/cds-services", headers=ec.bearer("/cds-services")).json()
    assert check_discovery(doc) == []
    assert {(s["id"], s["hook"]) for s in doc["services"]} == {
        (PATIENT_VIEW_ID, "patient-view"),
        (ORDER_SIGN_ID, "order-sign"),
    }
    for service in doc["services"]:
        assert service["prefetch"] == PREFETCH
        assert all("{{context.patientId}}" in q for q in service["prefetch"].values())


def test_patient_view_shows_the_risk_card(client: TestClient, ec: Signer) -> None:
    [card] = _cards(client, ec, PATIENT_VIEW_ID, fd.hook_body())
    assert card["indicator"] == _indicator_of_priority(card)
    assert "**Risk tier:** very high" in card["detail"]
    assert "at 12 months" in card["summary"]
    assert card["source"]["url"] == f"{BASE_URL}/model-card"
    assert "| Without treatment |" in card["detail"]
    assert "| With the recommended treatment |" in card["detail"]
    assert "`VH_RECENT_FRACTURE`" in card["detail"]
    assert {link["url"] for link in card["links"]} == {f"{BASE_URL}/web/assess", f"{BASE_URL}/model-card"}
    assert "suggestions" not in card


def test_patient_view_on_the_oncology_pathway_is_a_short_info_card(client: TestClient, ec: Signer) -> None:
    body = fd.hook_body(prefetch=fd.prefetch(conditions=(fd.myeloma(),)))
    [card] = _cards(client, ec, PATIENT_VIEW_ID, body)
    assert card["indicator"] == "info"
    assert "oncology" in card["summary"]
    assert "Without treatment" not in card["detail"]
    assert [link["url"] for link in card["links"]] == [f"{BASE_URL}/model-card"]


@pytest.mark.parametrize("days", [800, -5])
def test_no_card_without_a_procedure_in_the_look_back(client: TestClient, ec: Signer, days: int) -> None:
    prefetch = fd.prefetch(procedures=days)
    assert _cards(client, ec, PATIENT_VIEW_ID, fd.hook_body(prefetch=prefetch)) == []


def test_order_sign_without_therapy_suggests_the_referral(client: TestClient, ec: Signer) -> None:
    body = fd.hook_body("order-sign")
    body["context"]["draftOrders"] = fd.draft_orders(fd.paracetamol())
    [card] = _cards(client, ec, ORDER_SIGN_ID, body)
    assert card["selectionBehavior"] == "at-most-one"
    [suggestion] = card["suggestions"]
    assert suggestion["uuid"] and suggestion["isRecommended"] is True
    resource = suggestion["actions"][0]["resource"]
    request = ServiceRequest.model_validate(resource)
    assert (request.status, request.intent) == ("draft", "proposal")
    assert resource["category"][0]["coding"][0]["code"] == "3457005"
    assert resource["subject"] == {"reference": f"Patient/{fd.PATIENT_ID}"}
    assert "Recommended drug class" in card["detail"]
    assert all(r["display"] for r in card["overrideReasons"])


def test_order_sign_with_anti_osteoporosis_therapy_is_silent(client: TestClient, ec: Signer) -> None:
    body = fd.hook_body("order-sign")
    body["context"]["draftOrders"] = fd.draft_orders(fd.paracetamol(), fd.alendronate())
    assert _cards(client, ec, ORDER_SIGN_ID, body) == []


def test_order_sign_on_the_oncology_pathway_is_silent(client: TestClient, ec: Signer) -> None:
    body = fd.hook_body("order-sign", prefetch=fd.prefetch(conditions=(fd.myeloma(),)))
    assert _cards(client, ec, ORDER_SIGN_ID, body) == []


def test_order_sign_needs_draft_orders(client: TestClient, ec: Signer) -> None:
    body = fd.hook_body("order-sign")
    del body["context"]["draftOrders"]
    assert _call(client, ec, ORDER_SIGN_ID, body).status_code == 422


def test_a_hook_of_the_wrong_kind_is_refused(client: TestClient, ec: Signer) -> None:
    response = _call(client, ec, ORDER_SIGN_ID, fd.hook_body("patient-view"))
    assert response.status_code == 422
    assert _call(client, ec, "no-such-service", fd.hook_body()).status_code == 404


def test_missing_prefetch_without_a_fhir_server_answers_412(client: TestClient, ec: Signer) -> None:
    body = fd.hook_body()
    del body["prefetch"]["observations"]
    response = _call(client, ec, PATIENT_VIEW_ID, body)
    assert response.status_code == 412
    assert response.json()["error"]["code"] == "prefetch_unavailable"


def test_null_prefetch_means_no_data_not_missing(client: TestClient, ec: Signer) -> None:
    body = fd.hook_body()
    body["prefetch"]["observations"] = None
    assert len(_cards(client, ec, PATIENT_VIEW_ID, body)) == 1


def _serve_patient(remote: FakeRemote) -> None:
    q = {k: v.replace("{{context.patientId}}", fd.PATIENT_ID) for k, v in PREFETCH.items()}
    page2 = f"{FHIR}/Procedure?patient={fd.PATIENT_ID}&page=2"
    remote.pages |= {
        f"{FHIR}/{q['patient']}": fd.patient(),
        f"{FHIR}/{q['observations']}": fd.searchset(fd.t_score(-3.2)),
        f"{FHIR}/{q['conditions']}": fd.searchset(),
        f"{FHIR}/{q['procedures']}": fd.searchset() | {"link": [{"relation": "next", "url": page2}]},
        page2: fd.searchset(fd.kyphoplasty(30)),
        **{f"{FHIR}/{q[k]}": fd.searchset() for k in PREFETCH if k.startswith("medication")},
    }


def _fetching_body() -> dict[str, Any]:
    body = fd.hook_body(fhirServer=FHIR)
    body["fhirAuthorization"] = {"access_token": fd.SECRET_TOKEN, "token_type": "Bearer", "scope": "x"}
    del body["prefetch"]
    return body


def test_missing_prefetch_is_fetched_with_the_token_following_next_links(
    client: TestClient, ec: Signer, remote: FakeRemote
) -> None:
    _serve_patient(remote)
    [card] = _cards(client, ec, PATIENT_VIEW_ID, _fetching_body())
    assert "**Risk tier:** very high" in card["detail"]
    fhir_requests = [r for r in remote.seen if str(r.url).startswith(FHIR)]
    assert len(fhir_requests) == len(PREFETCH) + 1  # every search/read and the second page
    assert {r.headers["authorization"] for r in fhir_requests} == {f"Bearer {fd.SECRET_TOKEN}"}


def test_failed_fetch_answers_412(client: TestClient, ec: Signer, remote: FakeRemote) -> None:
    assert _call(client, ec, PATIENT_VIEW_ID, _fetching_body()).status_code == 412


def test_next_link_to_another_host_is_not_followed(
    client: TestClient, ec: Signer, remote: FakeRemote
) -> None:
    _serve_patient(remote)
    key = next(u for u in remote.pages if u.startswith(f"{FHIR}/Procedure"))
    remote.pages[key] = fd.searchset() | {"link": [{"relation": "next", "url": "https://evil.example.com/p"}]}
    assert _call(client, ec, PATIENT_VIEW_ID, _fetching_body()).status_code == 412
    assert not any("evil" in u for u in remote.urls())


def test_the_access_token_never_reaches_the_logs(client: TestClient, ec: Signer, remote: FakeRemote) -> None:
    _serve_patient(remote)
    with capture_logs() as logs:
        assert _call(client, ec, PATIENT_VIEW_ID, _fetching_body()).status_code == 200
        remote.pages.clear()
        assert _call(client, ec, PATIENT_VIEW_ID, _fetching_body()).status_code == 412
    assert logs
    assert fd.SECRET_TOKEN not in repr(logs)
    assert fd.PATIENT_ID not in repr(logs)


def test_a_hook_with_prefetch_answers_well_under_500_ms(client: TestClient, ec: Signer) -> None:
    _cards(client, ec, PATIENT_VIEW_ID, fd.hook_body())  # warm-up
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        _cards(client, ec, PATIENT_VIEW_ID, fd.hook_body())
        timings.append(time.perf_counter() - started)
    assert min(timings) < 0.5, timings
