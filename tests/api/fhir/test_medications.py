"""Medications: glucocorticoid dose from a MedicationStatement, medicationReference, not-current drugs."""

from __future__ import annotations

import datetime as dt

import pytest

from api.fhir.mapping import map_bundle
from api.fhir.terminology import RXNORM
from tests.api.fhir.factories import bundle, kyphoplasty, patient

DAY = dt.date(2024, 3, 15)
PREDNISOLONE = {"coding": [{"system": RXNORM, "code": "8638"}]}


def _statement(dosage: dict[str, object], status: str = "active") -> dict[str, object]:
    return {
        "resourceType": "MedicationStatement",
        "id": "ms-pred",
        "status": status,
        "medicationReference": {"reference": "Medication/pred"},
        "subject": {"reference": "Patient/pt-1"},
        "effectivePeriod": {"start": "2023-09-15"},
        "dosage": [dosage],
    }


MEDICATION: dict[str, object] = {"resourceType": "Medication", "id": "pred", "code": PREDNISOLONE}
DAILY_7_5: dict[str, object] = {
    "route": {"text": "Oral"},
    "doseAndRate": [{"doseQuantity": {"value": 7.5, "unit": "mg"}}],
    "timing": {"repeat": {"frequency": 1, "period": 1, "periodUnit": "d"}},
}


def test_current_prednisolone_gives_dose_and_months() -> None:
    result = map_bundle(
        bundle([patient(), kyphoplasty(), MEDICATION, _statement(DAILY_7_5)]), assessment_date=DAY
    )
    assert result.record is not None
    assert result.record.glucocorticoid_mg_per_day == 7.5
    assert result.record.glucocorticoid_months == pytest.approx(182 / 30.4375)  # not rounded
    assert result.record.current_treatment == "none"


def test_dose_not_derivable_is_reported_missing() -> None:
    resources = [patient(), kyphoplasty(), MEDICATION, _statement({"text": "by mouth as directed"})]
    result = map_bundle(bundle(resources), assessment_date=DAY)
    assert result.record is not None and result.record.glucocorticoid_mg_per_day == 0
    assert "glucocorticoid_mg_per_day" in result.report.missing
    assert any("dose not derivable" in i.reason for i in result.report.ignored)


def test_stopped_glucocorticoid_is_not_current() -> None:
    resources = [patient(), kyphoplasty(), MEDICATION, _statement(DAILY_7_5, status="stopped")]
    result = map_bundle(bundle(resources), assessment_date=DAY)
    assert result.record is not None and result.record.glucocorticoid_mg_per_day == 0
    assert any("not current" in i.reason for i in result.report.ignored)


def test_proposed_medication_request_is_not_a_prescription() -> None:
    request = {
        "resourceType": "MedicationRequest",
        "id": "mr-1",
        "status": "active",
        "intent": "proposal",
        "medicationCodeableConcept": {"coding": [{"system": RXNORM, "code": "904419"}]},
        "subject": {"reference": "Patient/pt-1"},
        "authoredOn": "2024-01-01",
    }
    result = map_bundle(bundle([patient(), kyphoplasty(), request]), assessment_date=DAY)
    assert result.record is not None and result.record.current_treatment == "none"
    assert result.report.ignored[0].reason == "intent 'proposal': not a prescription"


def test_prednisolone_without_a_route_may_be_eye_drops_and_is_not_counted() -> None:
    dosage = {k: v for k, v in DAILY_7_5.items() if k != "route"}
    result = map_bundle(
        bundle([patient(), kyphoplasty(), MEDICATION, _statement(dosage)]), assessment_date=DAY
    )
    assert result.record is not None and result.record.glucocorticoid_mg_per_day == 0
    assert any("prednisolone: no route or dose form stated" in i.reason for i in result.report.ignored)


def test_prednisolone_eye_drops_are_local() -> None:
    dosage = DAILY_7_5 | {"route": {"text": "Ophthalmic"}}
    result = map_bundle(
        bundle([patient(), kyphoplasty(), MEDICATION, _statement(dosage)]), assessment_date=DAY
    )
    assert result.record is not None and result.record.glucocorticoid_mg_per_day == 0
    assert any("a local (non-systemic) form" in i.reason for i in result.report.ignored)


def _prednisolone(mg: float, start: str) -> list[dict[str, object]]:
    dosage = DAILY_7_5 | {"doseAndRate": [{"doseQuantity": {"value": mg, "unit": "mg"}}]}
    return [MEDICATION, _statement(dosage) | {"effectivePeriod": {"start": start}}]


@pytest.mark.parametrize(
    ("mg", "start", "problem"),
    [
        (375, "2023-09-15", "glucocorticoid_mg_per_day = 375.0: Input should be less than or equal to 200"),
        (10, "1960-01-01", "glucocorticoid_months = "),
    ],
)
def test_steroid_beyond_the_contract_is_refused_not_read_as_none(mg: float, start: str, problem: str) -> None:
    """Dropping the value would have left the default: a patient on steroids assessed as on none."""
    result = map_bundle(bundle([patient(), kyphoplasty(), *_prednisolone(mg, start)]), assessment_date=DAY)
    assert result.record is None
    refused = [p for p in result.report.problems if p.startswith(problem)]
    assert refused and "its default (0) would contradict" in refused[0]


# 1974-03-20 is 599.8 months before DAY.
@pytest.mark.parametrize(("mg", "start"), [(200, "2023-09-15"), (10, "1974-03-20")])
def test_steroid_at_the_contract_limits_is_read(mg: float, start: str) -> None:
    result = map_bundle(bundle([patient(), kyphoplasty(), *_prednisolone(mg, start)]), assessment_date=DAY)
    assert result.record is not None and result.record.glucocorticoid_mg_per_day == mg
    assert result.record.glucocorticoid_months <= 600
