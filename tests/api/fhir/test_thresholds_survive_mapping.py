"""A lab value on one side of a rule threshold stays there through the FHIR mapping.

The mapping once rounded converted labs to two decimals (8.497 mg/dL calcium became 8.5 and lost
HYPOCALCAEMIA), used 0.4006 for vitamin D where the contract says 1 ng/mL = 2.5 nmol/L, read a
censored ">60" as 60, counted a doNotPerform order as treatment and rounded 90 days of steroid
to 3.0 months. Each test pins both sides of the threshold, through the mapping and the rules.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from api.fhir.mapping import map_bundle
from api.fhir.terminology import RXNORM
from api.settings import DEFAULT_MODEL_PATH
from risk.assess import Assessor
from risk.contract import PatientRecord
from risk.rules.config import RuleConfig
from tests.api.fhir.factories import bundle, denosumab_resources, kyphoplasty, observation, patient

DAY = dt.date(2024, 3, 15)
LAB_DAY = "2024-02-25"


@pytest.fixture(scope="module")
def assessor() -> Assessor:
    return Assessor.load(DEFAULT_MODEL_PATH, RuleConfig())


def _record(*resources: dict[str, Any]) -> PatientRecord:
    result = map_bundle(bundle([patient(), kyphoplasty(), *resources]), assessment_date=DAY)
    assert result.record is not None
    return result.record


def _flags(assessor: Assessor, record: PatientRecord) -> set[str]:
    return {flag.code for flag in assessor.assess(record).flags}


@pytest.mark.parametrize(
    ("value", "unit", "mg_dl", "low"),
    [
        (2.12, "mmol/L", 2.12 * 4.008, True),  # 8.497 mg/dL: below 8.5 (two decimals made it 8.50)
        (2.13, "mmol/L", 2.13 * 4.008, False),
        (8.499, "mg/dL", 8.499, True),
        (8.5, "mg/dL", 8.5, False),
    ],
)
def test_adjusted_calcium_keeps_its_side_of_8_5(
    assessor: Assessor, value: float, unit: str, mg_dl: float, low: bool
) -> None:
    record = _record(observation("ca", "29265-6", value, unit, LAB_DAY))
    assert record.serum_calcium_mg_dl == pytest.approx(mg_dl, abs=1e-9)
    assert ("HYPOCALCAEMIA" in _flags(assessor, record)) is low


@pytest.mark.parametrize(
    ("nmol_l", "ng_ml", "deficient"),
    [(49.95, 19.98, True), (50.0, 20.0, False), (49.9, 19.96, True)],
)
def test_vitamin_d_uses_the_contracts_2_5_nmol_per_ng(
    assessor: Assessor, nmol_l: float, ng_ml: float, deficient: bool
) -> None:
    record = _record(observation("vitd", "62292-8", nmol_l, "nmol/L", LAB_DAY))
    assert record.vitamin_d_ng_ml == ng_ml  # exact: no binary residue left (50 x 0.4 = 20.000000000000004)
    assert ("VITAMIN_D_DEFICIENT" in _flags(assessor, record)) is deficient


@pytest.mark.parametrize(("comparator", "value"), [(">", 60), ("<", 15), (">=", 90), ("<=", 30)])
def test_censored_egfr_is_reported_not_read_as_exact(comparator: str, value: float) -> None:
    lab = observation("egfr", "98979-8", value, "mL/min/{1.73_m2}", LAB_DAY)
    lab["valueQuantity"]["comparator"] = comparator
    result = map_bundle(bundle([patient(), kyphoplasty(), lab]), assessment_date=DAY)
    assert result.record is not None and result.record.egfr is None
    assert "egfr" in result.report.missing
    reasons = {i.source: i.reason for i in result.report.ignored}
    assert reasons["Observation/egfr"] == f"censored result {comparator}{value}: not an exact value, not used"


def test_exact_egfr_beside_a_censored_one_is_used() -> None:
    censored = observation("egfr-old", "98979-8", 60, "mL/min/{1.73_m2}", "2024-03-01")
    censored["valueQuantity"]["comparator"] = ">"
    exact = observation("egfr", "98979-8", 33, "mL/min/{1.73_m2}", LAB_DAY)
    assert _record(censored, exact).egfr == 33


def _denosumab_order(do_not_perform: bool | None) -> list[dict[str, Any]]:
    request = denosumab_resources()[0]
    if do_not_perform is not None:
        request["doNotPerform"] = do_not_perform
    return [request]


@pytest.mark.parametrize(
    ("do_not_perform", "treatment"), [(True, "none"), (False, "denosumab"), (None, "denosumab")]
)
def test_do_not_perform_order_is_not_treatment(do_not_perform: bool | None, treatment: str) -> None:
    result = map_bundle(
        bundle([patient(), kyphoplasty(), *_denosumab_order(do_not_perform)]), assessment_date=DAY
    )
    assert result.record is not None and result.record.current_treatment == treatment
    reasons = {i.source: i.reason for i in result.report.ignored}
    assert ("doNotPerform" in reasons.get("MedicationRequest/mr-dmab", "")) is (do_not_perform is True)


def _prednisolone_since(start: dt.date, mg: float) -> list[dict[str, Any]]:
    return [
        {
            "resourceType": "Medication",
            "id": "pred",
            "code": {"coding": [{"system": RXNORM, "code": "8638"}]},
        },
        {
            "resourceType": "MedicationStatement",
            "id": "ms-pred",
            "status": "active",
            "medicationReference": {"reference": "Medication/pred"},
            "subject": {"reference": "Patient/pt-1"},
            "effectivePeriod": {"start": start.isoformat()},
            "dosage": [
                {
                    "route": {"text": "Oral"},
                    "doseAndRate": [{"doseQuantity": {"value": mg, "unit": "mg"}}],
                    "timing": {"repeat": {"frequency": 1, "period": 1, "periodUnit": "d"}},
                }
            ],
        },
    ]


@pytest.mark.parametrize(("days", "three_months"), [(90, False), (91, False), (92, True), (120, True)])
def test_steroid_months_are_not_rounded_up_to_three(
    assessor: Assessor, days: int, three_months: bool
) -> None:
    """VH_GLUCOCORTICOID needs >= 3 months at >= 7.5 mg/d; 3 months is 91.3 days."""
    record = _record(*_prednisolone_since(DAY - dt.timedelta(days=days), 10))
    assert record.glucocorticoid_months == pytest.approx(days / 30.4375, abs=1e-9)
    assert (record.glucocorticoid_months >= 3) is three_months
    criteria = {criterion.code for criterion in assessor.assess(record).criteria}
    assert ("VH_GLUCOCORTICOID" in criteria) is three_months
