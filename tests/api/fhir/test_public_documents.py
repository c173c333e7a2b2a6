"""Public FHIR documents written by others (tests/api/fhir/public/SOURCES.md) through the real mapping."""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from pathlib import Path
from typing import Any

from api.fhir.bindings import validate_emitted
from api.fhir.emit.assessment import assessment_bundle
from api.fhir.mapping import map_bundle
from api.fhir.terminology import CPT
from api.settings import DEFAULT_MODEL_PATH
from risk.assess import Assessor

PUBLIC = Path(__file__).parent / "public"
JSON = dict[str, Any]


@cache
def _load(name: str) -> str:
    return (PUBLIC / name).read_text(encoding="utf-8")


def _doc(name: str) -> JSON:
    data: JSON = json.loads(_load(name))
    return data


def _kyphoplasty(subject: str, date: str) -> JSON:
    return {
        "resourceType": "Procedure", "id": "kp", "status": "completed", "subject": {"reference": subject},
        "code": {"coding": [{"system": CPT, "code": "22513"}]}, "performedDateTime": date,
        "bodySite": [{"coding": [{"system": "http://snomed.info/sct", "code": "23215003"}]}],
    }  # fmt: skip


def test_ips_document_bundle_is_read_and_not_applicable_without_a_procedure() -> None:
    result = map_bundle(_doc("ips-bundle-minimal.json"), assessment_date=dt.date(2021, 1, 1))
    assert result.report.not_applicable
    assert result.report.found_field("sex")[0].value == "female"
    reasons = {i.source.split("/")[0]: i.reason for i in result.report.ignored}
    assert reasons["Composition"] == "resource type Composition is not read by the mapping"
    assert reasons["AllergyIntolerance"] == "resource type AllergyIntolerance is not read by the mapping"
    # The anastrozole statement's Medication is another entry of the document: resolved, and not ours.
    assert (
        reasons["MedicationStatement"].startswith("unknown medication")
        and "L02BG03" in reasons["MedicationStatement"]
    )


def test_ips_document_with_a_kyphoplasty_gives_a_record() -> None:
    data = _doc("ips-bundle-minimal.json")
    patient = next(e["resource"]["id"] for e in data["entry"] if e["resource"]["resourceType"] == "Patient")
    data["entry"].append({"fullUrl": "urn:uuid:0f0e0d0c-0000-4000-8000-000000000001",
                          "resource": _kyphoplasty(f"Patient/{patient}", "2020-12-01")})  # fmt: skip
    result = map_bundle(data, assessment_date=dt.date(2020, 12, 11))
    assert result.record is not None, result.report.problems
    assert (result.record.sex, result.record.treated_levels, result.record.current_treatment) == (
        "female",
        ["T12"],
        "none",
    )
    output = assessment_bundle(
        Assessor.load(DEFAULT_MODEL_PATH).assess(result.record), result, "http://o.test"
    )
    for entry in output["entry"]:
        validate_emitted(entry["resource"])


US_CORE = (
    "patient-example", "dxa-femur-l-t-score-bmd", "dxa-hip-l-t-score-bmd", "medicationdispense-example",
    "medicationrequest-contained-oral-axid", "medicationrequest-referenced-oral-axid",
    "observation-serum-calcium", "weight",
)  # fmt: skip


def _us_core_bundle() -> JSON:
    resources = [_doc(f"us-core/{name}.json") for name in US_CORE] + [
        _kyphoplasty("Patient/example", "2021-11-01")
    ]
    base = "https://example.org/fhir"
    entries = [{"fullUrl": f"{base}/{r['resourceType']}/{r['id']}", "resource": r} for r in resources]
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


def test_us_core_patient_without_gender_takes_the_individual_sex_extension() -> None:
    result = map_bundle(_us_core_bundle(), assessment_date=dt.date(2021, 12, 1))
    assert result.record is not None, result.report.problems
    assert result.record.sex == "female"
    assert result.report.found_field("sex_from_us_core_individual_sex")[0].value == "248152002"


def test_us_core_examples_give_the_clinical_answer_they_should() -> None:
    result = map_bundle(_us_core_bundle(), assessment_date=dt.date(2021, 12, 1))
    record, reasons = result.record, {i.source: i.reason for i in result.report.ignored}
    assert record is not None
    # Left femur and left hip on the same day: the lower (worse) T-score is the hip value.
    assert record.t_score_total_hip == -1.62 and record.t_score_femoral_neck is None
    # The femur code names no site: where its T-score went is said, not silently assumed.
    assumed = {a.source: a.note for a in result.report.assumed}
    assert assumed["Observation/dxa-femur-l-t-score-bmd"] == (
        "femur T-score 80948-3 names no site: read as the total-hip T-score"
    )
    assert "Observation/dxa-hip-l-t-score-bmd" not in assumed
    # A total calcium is not albumin-adjusted, and it is older than the look-back anyway.
    assert record.serum_calcium_mg_dl is None
    assert "outside the 24-month look-back" in reasons["Observation/serum-calcium"]
    # Nizatidine is no anti-osteoporosis drug; the referenced Medication is not in the bundle.
    assert record.current_treatment == "none"
    assert reasons["MedicationRequest/medicationrequest-referenced-oral-axid"] == (
        "medicationReference 'Medication/uscore-med2' is not in the bundle"
    )
    assert reasons["MedicationRequest/medicationrequest-contained-oral-axid"].startswith("unknown medication")
