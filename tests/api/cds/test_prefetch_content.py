"""What the prefetch asks for: every fact the mapping reads, the four medication types, their Medications."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fastapi.testclient import TestClient

from api.cds.fhir_adapter import ACCEPTED_OBSERVATION_CODES, READ_FIELDS
from api.cds.orders import has_anti_osteoporosis_therapy
from api.cds.services import ORDER_SIGN_ID, PATIENT_VIEW_ID, PREFETCH
from api.fhir.mapping.bundle import READ_TYPES, REFERENCED_TYPES
from tests.api.cds import fhir_data as fd
from tests.api.cds.conftest import FakeRemote
from tests.api.cds.keys import Signer
from tests.api.cds.spec_checks import check_response

FHIR = "https://fhir.example.org/r4"


def _types_delivered() -> set[str]:
    types = set()
    for template in PREFETCH.values():
        path, _, query = template.partition("?")
        types.add(path.split("/")[0])
        types |= {v.split(":")[0] and "Medication" for v in parse_qs(query).get("_include", [])}
    return types


def test_every_resource_type_the_mapping_reads_has_a_template() -> None:
    assert set(READ_FIELDS) == READ_TYPES | REFERENCED_TYPES  # the mapping's own tables agree
    assert set(READ_FIELDS) <= _types_delivered()


def test_the_observation_template_asks_for_every_code_the_mapping_accepts() -> None:
    [template] = [t for t in PREFETCH.values() if t.startswith("Observation?")]
    asked = set(parse_qs(urlsplit("x?" + template.split("?", 1)[1]).query)["code"][0].split(","))
    assert {f"{system}|{code}" for system, code in ACCEPTED_OBSERVATION_CODES} == asked


def test_templates_filter_nothing_else_the_mapping_reads() -> None:
    # Conditions and procedures are filtered by the mapping's code tables, not by the query.
    for key in ("conditions", "procedures"):
        assert PREFETCH[key] == f"{key[:-1].capitalize()}?patient={{{{context.patientId}}}}"


def _call(client: TestClient, signer: Signer, service: str, body: dict[str, Any]) -> list[dict[str, Any]]:
    path = f"/cds-services/{service}"
    response = client.post(path, json=body, headers=signer.bearer(path))
    assert response.status_code == 200, response.text
    assert check_response(response.json()) == []
    cards: list[dict[str, Any]] = response.json()["cards"]
    return cards


def test_denosumab_nine_months_overdue_recorded_as_administration_is_critical(
    client: TestClient, ec: Signer
) -> None:
    order, given, medication = fd.denosumab_given(days=270)
    body = fd.hook_body()
    body["prefetch"]["medicationrequests"] = fd.searchset(order, medication)
    body["prefetch"]["medicationadministrations"] = fd.searchset(given)
    [card] = _call(client, ec, PATIENT_VIEW_ID, body)
    assert card["indicator"] == "critical"
    assert "`DENOSUMAB_OVERDUE (urgent)`" in card["detail"]


def test_a_medication_the_client_did_not_include_is_read_from_the_fhir_server(
    client: TestClient, ec: Signer, remote: FakeRemote
) -> None:
    order, given, medication = fd.denosumab_given(days=270)
    remote.pages[f"{FHIR}/Medication/prolia"] = medication
    body = fd.hook_body(fhirServer=FHIR)
    body["fhirAuthorization"] = {"access_token": fd.SECRET_TOKEN, "token_type": "Bearer", "scope": "x"}
    body["prefetch"]["medicationrequests"] = fd.searchset(order)  # _include ignored by this EHR
    given["medicationReference"] = {"reference": "Medication/prolia"}
    del given["medicationCodeableConcept"]
    body["prefetch"]["medicationadministrations"] = fd.searchset(given)
    [card] = _call(client, ec, PATIENT_VIEW_ID, body)
    assert "`DENOSUMAB_OVERDUE (urgent)`" in card["detail"]
    assert f"{FHIR}/Medication/prolia" in remote.urls()


def _order_sign(*drafts: dict[str, Any]) -> dict[str, Any]:
    body = fd.hook_body("order-sign")
    body["context"]["draftOrders"] = fd.draft_orders(*drafts)
    return body


def _draft(**medication: Any) -> dict[str, Any]:
    return {"resourceType": "MedicationRequest", "id": "d1", "status": "draft", "intent": "order",
            "subject": {"reference": f"Patient/{fd.PATIENT_ID}"}, **medication}  # fmt: skip


PROLIA = {"coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "993456"}]}


def test_order_sign_sees_a_contained_medication(client: TestClient, ec: Signer) -> None:
    draft = _draft(medicationReference={"reference": "#m"})
    draft["contained"] = [{"resourceType": "Medication", "id": "m", "code": PROLIA}]
    assert _call(client, ec, ORDER_SIGN_ID, _order_sign(draft)) == []


def test_order_sign_sees_a_medication_entry_of_the_draft_orders(client: TestClient, ec: Signer) -> None:
    draft = _draft(medicationReference={"reference": "Medication/m"})
    medication = {"resourceType": "Medication", "id": "m", "code": PROLIA}
    assert _call(client, ec, ORDER_SIGN_ID, _order_sign(draft, medication)) == []


def test_order_sign_sees_a_brand_name(client: TestClient, ec: Signer) -> None:
    assert (
        _call(
            client,
            ec,
            ORDER_SIGN_ID,
            _order_sign(_draft(medicationCodeableConcept={"text": "EVENITY 105 MG/1.17ML"})),
        )
        == []
    )


def test_order_sign_does_not_count_vaginal_oestrogen_as_bone_therapy(client: TestClient, ec: Signer) -> None:
    draft = _draft(medicationCodeableConcept={"text": "Estradiol 10 mcg vaginal tablet"})
    [card] = _call(client, ec, ORDER_SIGN_ID, _order_sign(draft))
    assert card["suggestions"]


SPEC_EXAMPLE = Path(__file__).parent / "public" / "cds-hooks-order-sign-example.json"


def test_the_specifications_order_sign_example_is_no_bone_therapy(client: TestClient, ec: Signer) -> None:
    context = json.loads(SPEC_EXAMPLE.read_text(encoding="utf-8"))["context"]
    assert not has_anti_osteoporosis_therapy(context["draftOrders"])
    body = fd.hook_body("order-sign")
    body["context"] = context  # its draftOrders Bundle has no "type" and holds a NutritionOrder
    [card] = _call(client, ec, ORDER_SIGN_ID, body)
    assert card["suggestions"][0]["actions"][0]["resource"]["subject"] == {"reference": "Patient/1288992"}
