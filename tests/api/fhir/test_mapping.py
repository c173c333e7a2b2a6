"""map_bundle on hand-made bundles: the exact PatientRecord and report, for every Bundle type."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from api.fhir.mapping import map_bundle
from risk.contract import PatientRecord
from risk.errors import InvalidInput
from tests.api.fhir.factories import bundle, condition, full_patient, kyphoplasty, observation, patient

DAY = dt.date(2024, 3, 15)
EXPECTED = PatientRecord(
    patient_id="pt-1",
    given_name="Ada",
    family_name="Lovelace",
    birth_date=dt.date(1948, 5, 17),
    sex="female",
    weight_kg=62.0,
    height_cm=160.0,
    assessment_date=DAY,
    fracture_date=dt.date(2024, 2, 20),
    fracture_cause="low_energy",
    procedure_type="kyphoplasty",
    procedure_date=dt.date(2024, 3, 1),
    treated_levels=["T12", "L1"],
    t_score_femoral_neck=-2.8,
    t_score_lumbar_spine=-3.1,
    dxa_date=dt.date(2023, 10, 1),
    myeloma=True,
    egfr=55.0,
    serum_calcium_mg_dl=9.4188,  # 2.35 mmol/L x 4.008, every digit kept
    vitamin_d_ng_ml=20.0,  # 50 nmol/L at the contract's 2.5 nmol/L per ng/mL
    current_treatment="denosumab",
    treatment_start_date=dt.date(2022, 3, 15),
    last_dose_date=dt.date(2023, 9, 15),
)


@pytest.mark.parametrize("kind", ["collection", "searchset", "transaction"])
def test_full_patient_maps_to_the_exact_record(kind: str) -> None:
    result = map_bundle(bundle(full_patient(), kind), assessment_date=DAY)
    assert result.report.problems == []
    assert result.record == EXPECTED


def test_full_patient_report_names_sources_and_dates() -> None:
    report = map_bundle(bundle(full_patient()), assessment_date=DAY).report
    found = {(f.field, f.source) for f in report.found}
    assert ("t_score_femoral_neck", "Observation/dxa-neck") in found
    assert ("vitamin_d_ng_ml", "Observation/vitd") in found
    assert ("last_dose_date", "MedicationAdministration/ma-dmab") in found
    assert ("treatment_start_date", "MedicationRequest/mr-dmab") in found
    assert ("myeloma", "Condition/myeloma") in found
    assert report.found_field("procedure_date")[0].date == dt.date(2024, 3, 1)
    assert report.found_field("given_name")[0].value == "(recorded)"


def test_full_patient_report_ignores_with_reasons() -> None:
    ignored = {
        i.source: i.reason for i in map_bundle(bundle(full_patient()), assessment_date=DAY).report.ignored
    }
    assert ignored["Condition/ra-refuted"] == "verificationStatus 'refuted'"
    assert "entered-in-error" in ignored["Observation/weight-eie"]
    assert "outside the 24-month look-back" in ignored["Observation/alp-old"]
    assert "forearm (radius/ulna) T-score" in ignored["Observation/dxa-generic"]
    assert "Condition/fx-1" not in ignored


def test_full_patient_report_lists_missing_fields() -> None:
    missing = map_bundle(bundle(full_patient()), assessment_date=DAY).report.missing
    assert {"alkaline_phosphatase_u_l", "t_score_total_hip", "glucocorticoid_mg_per_day"} <= set(missing)
    assert "egfr" not in missing
    assert "patient_id" not in missing


def test_lookback_is_configurable_on_both_sides() -> None:
    lab = [patient(), kyphoplasty(), observation("alp", "6768-6", 90, "U/L", "2022-03-15")]
    inside = map_bundle(bundle(lab), assessment_date=DAY, lookback_months=24)
    outside = map_bundle(bundle(lab), assessment_date=DAY, lookback_months=23)
    assert inside.record is not None and inside.record.alkaline_phosphatase_u_l == 90.0
    assert outside.record is not None and outside.record.alkaline_phosphatase_u_l is None


def test_without_augmentation_procedure_the_patient_is_not_applicable() -> None:
    result = map_bundle(
        bundle([patient(), observation("w", "29463-7", 60, "kg", "2024-01-01")]), assessment_date=DAY
    )
    assert result.record is None
    assert result.report.not_applicable
    assert result.report.problems[0].startswith("no completed kyphoplasty or vertebroplasty")
    assert result.report.found_field("weight_kg")[0].value == 60.0


@pytest.mark.parametrize("gender", ["other", "unknown"])
def test_gender_other_or_unknown_cannot_build(gender: str) -> None:
    result = map_bundle(bundle([patient(gender), kyphoplasty()]), assessment_date=DAY)
    assert result.record is None
    assert not result.report.not_applicable
    assert any("cannot give the sex" in p for p in result.report.problems)


def test_invalid_gender_code_is_a_problem() -> None:
    result = map_bundle(bundle([patient("femalex"), kyphoplasty()]), assessment_date=DAY)
    assert result.record is None
    assert any("Patient.gender 'femalex'" in p for p in result.report.problems)


def test_procedure_not_completed_is_ignored() -> None:
    result = map_bundle(bundle([patient(), kyphoplasty(status="in-progress")]), assessment_date=DAY)
    assert result.record is None
    assert "status 'in-progress'" in result.report.ignored[0].reason


def test_observation_with_invalid_status_code_is_ignored() -> None:
    bad = observation("w", "29463-7", 60, "kg", "2024-01-01", status="finalx")
    result = map_bundle(bundle([patient(), kyphoplasty(), bad]), assessment_date=DAY)
    assert result.record is not None and result.record.weight_kg is None
    assert result.report.ignored[0].reason.startswith("invalid code: Observation.status 'finalx'")


def test_inactive_and_remission_statuses() -> None:
    resources = [
        patient(),
        kyphoplasty(),
        condition("ra", "http://snomed.info/sct", "69896004", "2010-01-01", clinical="remission"),
        condition("ca", "http://hl7.org/fhir/sid/icd-10-cm", "C50.9", "2010-01-01", clinical="remission"),
        condition("dm", "http://hl7.org/fhir/sid/icd-10-cm", "E11.9", "2010-01-01", clinical="resolved"),
    ]
    result = map_bundle(bundle(resources), assessment_date=DAY)
    assert result.record is not None
    assert result.record.rheumatoid_arthritis is True
    assert result.record.active_malignancy is False
    assert result.record.diabetes == "none"


def test_unit_not_convertible_is_ignored() -> None:
    result = map_bundle(
        bundle([patient(), kyphoplasty(), observation("vd", "62292-8", 20, "mg/dL", "2024-01-01")]),
        assessment_date=DAY,
    )
    assert result.record is not None and result.record.vitamin_d_ng_ml is None
    assert "unit 'mg/dL' not convertible" in result.report.ignored[0].reason


def test_value_breaking_the_contract_is_dropped_and_reported() -> None:
    result = map_bundle(
        bundle([patient(), kyphoplasty(), observation("w", "29463-7", 400, "kg", "2024-01-01")]),
        assessment_date=DAY,
    )
    assert result.record is not None and result.record.weight_kg is None
    assert "weight_kg = 400.0 breaks the contract" in result.report.ignored[-1].reason


def test_procedure_without_levels_cannot_build() -> None:
    proc = kyphoplasty()
    del proc["bodySite"]
    result = map_bundle(bundle([patient(), proc]), assessment_date=DAY)
    assert result.record is None
    assert any("treated_levels" in p for p in result.report.problems)


def test_other_patients_resources_are_ignored() -> None:
    other = observation("w", "29463-7", 60, "kg", "2024-01-01", subject={"reference": "Patient/someone-else"})
    result = map_bundle(bundle([patient(), kyphoplasty(), other]), assessment_date=DAY)
    assert result.report.ignored[0].reason == "subject is not the bundle's Patient"


@pytest.mark.parametrize(
    "body",
    [
        {"resourceType": "Patient"},
        {"resourceType": "Bundle", "type": "history"},
        {"resourceType": "Bundle", "type": "message"},
        {"resourceType": "Bundle", "type": "collection", "entry": {"resource": {}}},
    ],
)
def test_not_a_readable_bundle_is_invalid_input(body: dict[str, object]) -> None:
    with pytest.raises(InvalidInput):
        map_bundle(body, assessment_date=DAY)


@pytest.mark.parametrize("kind", ["document", "collection", "searchset", "transaction", "batch"])
def test_every_bundle_type_that_carries_a_record_is_read(kind: str) -> None:
    data = bundle(full_patient(), "transaction" if kind == "batch" else kind)
    data["type"] = kind
    result = map_bundle(data, assessment_date=DAY)
    assert result.record == EXPECTED


def test_unknown_and_unread_resource_types_are_listed_not_refused() -> None:
    extra: list[dict[str, Any]] = [
        {"resourceType": "Nope", "id": "x"},
        {"resourceType": "DiagnosticReport", "id": "dr", "status": "final", "code": {"text": "x"},
         "effectiveDateTime": "2020-02-30"},
    ]  # fmt: skip
    result = map_bundle(bundle([*full_patient(), *extra]), assessment_date=DAY)
    assert result.record == EXPECTED
    reasons = {i.source: i.reason for i in result.report.ignored}
    assert reasons["DiagnosticReport/dr"] == "resource type DiagnosticReport is not read by the mapping"
    assert reasons["Nope/x"] == "resource type Nope is not read by the mapping"


def test_a_malformed_field_the_mapping_does_not_read_is_tolerated() -> None:
    weight = observation("w2", "29463-7", 63, "kg", "2024-02-02", interpretation="not-a-list")
    result = map_bundle(bundle([*full_patient(), weight]), assessment_date=DAY)
    assert result.record is not None and result.record.weight_kg == 63.0
    assert any(i.reason == "Observation.interpretation is malformed but not read by the mapping"
               for i in result.report.ignored)  # fmt: skip


@pytest.mark.parametrize(
    ("field", "value"),
    [("effectiveDateTime", "2024-02-30"), ("valueQuantity", {"value": "sixty"}), ("status", 7)],
)
def test_a_malformed_field_the_mapping_reads_is_a_field_level_error(field: str, value: object) -> None:
    weight = observation("w2", "29463-7", 63, "kg", "2024-02-02") | {field: value}
    resources = [*full_patient(), weight]
    with pytest.raises(InvalidInput) as caught:
        map_bundle(bundle(resources), assessment_date=DAY)
    index = len(resources) - 1
    assert caught.value.errors[0].field.startswith(f"entry.{index}.resource.{field}")


@pytest.mark.parametrize(
    ("site", "levels", "outside"), [("L5,L6", ["L5"], "L6"), ("C7-T2", ["T1", "T2"], "C7")]
)
def test_levels_outside_the_contract_are_reported_not_silently_lost(
    site: str, levels: list[str], outside: str
) -> None:
    proc = kyphoplasty() | {"bodySite": [{"text": site}]}
    result = map_bundle(bundle([patient(), proc]), assessment_date=DAY)
    assert result.record is not None and result.record.treated_levels == levels
    reasons = [i.reason for i in result.report.ignored if i.source == "Procedure/proc-1"]
    assert reasons == [f"bodySite names {outside}: not a level of the contract (T1–T12, L1–L5), not counted"]


def test_levels_inside_the_contract_leave_no_report_line() -> None:
    result = map_bundle(bundle([patient(), kyphoplasty()]), assessment_date=DAY)
    assert not [i for i in result.report.ignored if i.source == "Procedure/proc-1"]
