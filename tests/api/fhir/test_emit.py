"""Emitted resources: R4B + binding checks, the official R4 JSON schema, and codes from terminology."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from functools import cache
from typing import Any

import pytest

from api.fhir.bindings import validate_emitted
from api.fhir.emit.assessment import assessment_bundle
from api.fhir.emit.referral import letter_communication, letter_document, service_request
from api.fhir.mapping import map_bundle
from api.fhir.terminology import (
    ASSESSMENT_CODE,
    COMMUNICATION_CATEGORIES,
    ELECTRONIC,
    EXACT,
    INPUT_ONLY_CODES,
    LOCAL_ASSESSMENT_PATH,
    LOCAL_MODEL_PATH,
    LOCAL_TIER_PATH,
    RISK_TIERS,
)
from api.settings import DEFAULT_MODEL_PATH
from risk.assess import Assessor
from tests.api.fhir.factories import SHARED_FHIR_SAMPLES, bundle, full_patient

SCHEMA = SHARED_FHIR_SAMPLES / "schema" / "fhir.schema.json"
BASE = "http://osteoref.test"
DAY = dt.date(2024, 3, 15)
PDF = b"%PDF-1.7\n% letter\n%%EOF\n"


@cache
def _schema() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return data


def _schema_errors(resource: dict[str, Any]) -> list[str]:
    jsonschema = pytest.importorskip("jsonschema")
    if not SCHEMA.exists():
        pytest.skip("official FHIR schema not present")
    schema = {"$ref": f"#/definitions/{resource['resourceType']}", "definitions": _schema()["definitions"]}
    return [e.message for e in jsonschema.Draft6Validator(schema).iter_errors(resource)]


def _output(without: tuple[str, ...] = ()) -> dict[str, Any]:
    resources = [r for r in full_patient() if r.get("id") not in without]
    mapping = map_bundle(bundle(resources), assessment_date=DAY)
    assert mapping.record is not None
    assessment = Assessor.load(DEFAULT_MODEL_PATH).assess(mapping.record)
    return assessment_bundle(assessment, mapping, BASE)


def _referral_resources() -> list[dict[str, Any]]:
    sr = service_request(
        subject_ref="Patient/pt-1",
        risk_assessment_ref="RiskAssessment/ra-1",
        requester_ref="Practitioner/surgeon",
        pcp_name="Dr P. Pemberton",
    )
    created = dt.datetime(2024, 3, 15, 10, 0, tzinfo=dt.UTC)
    doc = letter_document(
        PDF,
        subject_ref="Patient/pt-1",
        service_request_ref="ServiceRequest/sr-1",
        title="Referral letter",
        created=created,
    )
    com = letter_communication(
        subject_ref="Patient/pt-1",
        service_request_ref="ServiceRequest/sr-1",
        document_ref="DocumentReference/doc-1",
        recipient_refs=["Practitioner/pcp"],
        sender_ref="Practitioner/surgeon",
        sent=created,
        category=COMMUNICATION_CATEGORIES["letter"],
        medium=ELECTRONIC,
    )
    return [sr, doc, com]


def _emitted() -> list[dict[str, Any]]:
    out = _output(without=("myeloma",))
    return [e["resource"] for e in out["entry"]] + _referral_resources()


def test_osteoporosis_patient_gets_riskassessment_device_and_outcome() -> None:
    out = _output(without=("myeloma",))
    types = [e["resource"]["resourceType"] for e in out["entry"]]
    assert types == ["RiskAssessment", "Device", "OperationOutcome"]
    ra = out["entry"][0]["resource"]
    assert ra["status"] == "final"
    # The input entries had absolute fullUrls: the references use them.
    assert ra["subject"] == {"reference": "http://ehr.test/fhir/Patient/pt-1"}
    assert ra["performer"] == {"reference": out["entry"][1]["fullUrl"]}
    assert out["entry"][1]["fullUrl"].startswith("urn:uuid:")
    assert [p["whenPeriod"] for p in ra["prediction"]] == [
        {"start": "2024-03-15", "end": "2025-03-15"},
        {"start": "2024-03-15", "end": "2026-03-15"},
    ]
    assert all(0 <= p["probabilityDecimal"] <= 1 for p in ra["prediction"])
    for prediction in ra["prediction"]:
        [tier] = prediction["qualitativeRisk"]["coding"]
        assert (tier["system"], tier["code"]) == (BASE + LOCAL_TIER_PATH, "very-high")
    assert ra["code"]["coding"][0]["code"] == ASSESSMENT_CODE[0]
    assert ra["method"]["coding"][0]["system"] == BASE + LOCAL_MODEL_PATH
    assert {"reference": "http://ehr.test/fhir/Observation/dxa-neck"} in ra["basis"]


def test_every_reference_of_the_bundle_resolves_or_claims_no_address() -> None:
    mapping = map_bundle(bundle(full_patient(), "transaction"), assessment_date=DAY)
    assert mapping.record is not None
    out = assessment_bundle(Assessor.load(DEFAULT_MODEL_PATH).assess(mapping.record), mapping, BASE)
    urls = {e["fullUrl"] for e in out["entry"]}
    for reference in _references(out):
        assert "reference" not in reference or reference["reference"] in urls, reference
        assert "reference" in reference or reference.get("display"), reference


def _references(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        if "reference" in node or ("display" in node and "type" in node):
            yield node
        for key, value in node.items():
            if key != "reference":
                yield from _references(value)
    elif isinstance(node, list):
        for item in node:
            yield from _references(item)


def test_the_tier_of_the_risk_assessment_is_the_tier_of_the_card() -> None:
    from api.cds.cards import TIER  # noqa: PLC0415 - the card's wording, read only here

    mapping = map_bundle(bundle([r for r in full_patient() if r.get("id") != "myeloma"]), assessment_date=DAY)
    assert mapping.record is not None
    assessment = Assessor.load(DEFAULT_MODEL_PATH).assess(mapping.record)
    ra = assessment_bundle(assessment, mapping, BASE)["entry"][0]["resource"]
    tier_text = ra["prediction"][0]["qualitativeRisk"]["text"].lower()
    assert assessment.risk_tier is not None and TIER[assessment.risk_tier] in tier_text
    assert RISK_TIERS[assessment.risk_tier][1] == ra["prediction"][0]["qualitativeRisk"]["text"]


def test_oncology_patient_gets_no_prediction_but_a_rationale_note() -> None:
    ra = _output()["entry"][0]["resource"]
    assert "prediction" not in ra
    assert "oncology" in ra["note"][0]["text"]


def test_every_emitted_resource_passes_r4b_and_binding_checks() -> None:
    for resource in _emitted():
        validate_emitted(resource)
    validate_emitted(_output())


@pytest.mark.parametrize("index", range(6))
def test_emitted_resources_pass_the_official_json_schema(index: int) -> None:
    assert _schema_errors(_emitted()[index]) == []


def _codings(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        if "system" in node and "code" in node:
            yield node
        for value in node.values():
            yield from _codings(value)
    elif isinstance(node, list):
        for item in node:
            yield from _codings(item)


def test_every_emitted_code_is_in_the_terminology_module() -> None:
    local = {BASE + path for path in (LOCAL_TIER_PATH, LOCAL_ASSESSMENT_PATH, LOCAL_MODEL_PATH)}
    for coding in _codings(_emitted()):
        key = (coding["system"], coding["code"])
        assert key in EXACT or coding["system"] in local, key
        assert coding["code"] not in INPUT_ONLY_CODES


def test_letter_document_hash_and_size() -> None:
    attachment = _referral_resources()[1]["content"][0]["attachment"]
    assert attachment["size"] == len(PDF)
    assert attachment["hash"] == base64.b64encode(hashlib.sha1(PDF).digest()).decode()
    assert base64.b64decode(attachment["data"]) == PDF
    assert attachment["contentType"] == "application/pdf"


def test_referral_is_a_draft_proposal_until_sent() -> None:
    draft = _referral_resources()[0]
    sent = service_request(
        subject_ref="Patient/1",
        risk_assessment_ref="RiskAssessment/1",
        requester_ref="Practitioner/1",
        pcp_ref="Practitioner/pcp",
        sent=True,
    )
    assert (draft["status"], draft["intent"]) == ("draft", "proposal")
    assert (
        draft["performer"] == [{"reference": "#pcp"}]
        and draft["contained"][0]["resourceType"] == "Practitioner"
    )
    assert (sent["status"], sent["intent"]) == ("active", "order")
    validate_emitted(sent)
