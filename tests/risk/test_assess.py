"""The Assessor: one record and a whole cohort give identical assessments; treated risk rules."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from risk.assess import Assessor
from risk.cohort import read_cohort_chunks, validate_frame
from risk.cohort.records import record_from_row
from risk.contract import Assessment, PatientRecord
from risk.contract.assessment import RiskEstimate
from risk.flatten import FLAT_COLUMNS
from risk.rules.decisions import number_needed_to_treat
from tests.risk.factories import make_record

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_COHORT = ROOT / "data" / "sample" / "cohort.csv"
SAMPLE_PATIENTS = sorted((ROOT / "data" / "sample" / "patients").glob("*.json"))


@pytest.fixture(scope="module")
def assessor() -> Assessor:
    return Assessor.load(ROOT / "models" / "refracture.json")


@pytest.fixture(scope="module")
def sample_frame() -> pd.DataFrame:
    chunks = [validate_frame(raw, first_row=1).valid for raw in read_cohort_chunks(SAMPLE_COHORT)]
    return pd.concat(chunks)


def _codes(items: list[str]) -> str:
    return ";".join(items)


def _same_number(left: object, right: object) -> bool:
    if left is None or left is pd.NA or (isinstance(left, float) and math.isnan(left)):
        return right is None or right is pd.NA or (isinstance(right, float) and math.isnan(right))
    return math.isclose(float(left), float(right), rel_tol=0, abs_tol=1e-12)  # type: ignore[arg-type]


def test_record_and_cohort_paths_agree_on_the_sample_cohort(
    assessor: Assessor, sample_frame: pd.DataFrame
) -> None:
    flat = assessor.assess_frame(sample_frame)
    assert list(flat.columns) == list(FLAT_COLUMNS)
    assert len(flat) == len(sample_frame) == 5000
    for row, expected in zip(sample_frame.to_dict("records"), flat.to_dict("records"), strict=True):
        one = assessor.assess(record_from_row(row))
        assert (one.pathway, one.risk_tier, one.priority, one.recommended_therapy) == (
            expected["pathway"],
            None if pd.isna(expected["risk_tier"]) else expected["risk_tier"],
            expected["priority"],
            expected["recommended_therapy"],
        )
        assert (one.refer_to_pcp, one.refer_to_specialist) == (
            expected["refer_to_pcp"],
            expected["refer_to_specialist"],
        )
        assert _codes([c.code for c in one.criteria]) == expected["criteria"]
        assert _codes([f.code for f in one.flags]) == expected["flags"]
        assert _codes(one.missing_inputs) == expected["missing_inputs"]
        risk = one.risk.model_dump() if one.risk else {}
        for key in ("new_vertebral_fracture_12m", "with_treatment_24m", "number_needed_to_treat_12m"):
            assert _same_number(risk.get(key), expected[key]), key


def _assess(assessor: Assessor, **overrides: object) -> Assessment:
    return assessor.assess(make_record(**overrides))


@pytest.mark.parametrize(
    ("overrides", "relative_risk"),
    [
        ({}, 0.40),  # antiresorptive_first
        ({"treated_levels": ["L3", "L4"]}, 0.25),  # anabolic_first
        ({"current_treatment": "oral_bisphosphonate"}, 0.40),  # continue_current, antiresorptive
        ({"current_treatment": "teriparatide"}, 0.25),  # continue_current, anabolic
        ({"current_treatment": "denosumab", "last_dose_date": "2026-01-02"}, 0.40),
    ],
)
def test_with_treatment_risk_uses_the_class_relative_risk(
    assessor: Assessor, overrides: dict[str, object], relative_risk: float
) -> None:
    risk = _assess(assessor, **overrides).risk
    assert risk is not None
    assert risk.with_treatment_12m is not None
    assert risk.absolute_reduction_12m is not None
    assert risk.with_treatment_12m == pytest.approx(risk.new_vertebral_fracture_12m * relative_risk)
    assert risk.with_treatment_24m == pytest.approx(risk.new_vertebral_fracture_24m * relative_risk)
    assert risk.absolute_reduction_12m == pytest.approx(
        risk.new_vertebral_fracture_12m - risk.with_treatment_12m
    )
    assert risk.number_needed_to_treat_12m == math.ceil(round(1 / risk.absolute_reduction_12m, 9))


@pytest.mark.parametrize(
    "overrides", [{"egfr": 20}, {"fracture_cause": "high_energy_trauma", "t_score_total_hip": None}]
)
def test_no_treated_risk_without_a_drug_class(assessor: Assessor, overrides: dict[str, object]) -> None:
    assessment = _assess(assessor, **overrides)
    assert assessment.recommended_therapy in {"specialist_decision", "none"}
    assert assessment.risk is not None
    assert assessment.risk.with_treatment_12m is None
    assert assessment.risk.number_needed_to_treat_12m is None


def test_oncology_pathway_has_no_risk(assessor: Assessor) -> None:
    assessment = _assess(assessor, myeloma=True)
    assert assessment.risk is None
    assert assessment.contributions == []


@pytest.mark.parametrize(("reduction", "nnt"), [(0.1, 10), (0.3, 4), (0.5, 2), (0.0999, 11)])
def test_number_needed_to_treat_rounds_up_without_float_noise(reduction: float, nnt: int) -> None:
    assert number_needed_to_treat(reduction) == nnt
    assert list(number_needed_to_treat(np.array([reduction, 0.0]))[:1]) == [nnt]
    assert np.isnan(number_needed_to_treat(np.array([0.0]))[0])


def test_contributions_are_largest_first_and_name_the_model(assessor: Assessor) -> None:
    assessment = _assess(assessor)
    effects = [abs(c.effect) for c in assessment.contributions]
    assert effects == sorted(effects, reverse=True)
    assert assessment.model.name == assessor.model_info.name


@pytest.mark.parametrize("path", SAMPLE_PATIENTS, ids=lambda p: p.name)
def test_sample_patients_score(assessor: Assessor, path: Path) -> None:
    record = PatientRecord.model_validate_json(path.read_text())
    assessment = assessor.assess(record)
    expected_pathway = path.name.split("-")[1]
    pathway = {"trauma": "trauma_review"}.get(expected_pathway, expected_pathway)
    assert assessment.pathway == pathway


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"egfr": 20},
        {"fracture_cause": "high_energy_trauma", "t_score_total_hip": None},
        {"myeloma": True},
    ],
    ids=["drug class", "specialist decision", "trauma review", "oncology"],
)
def test_the_api_payload_is_the_complete_contract_assessment(
    assessor: Assessor, overrides: dict[str, object]
) -> None:
    """The API serves assess_payload unvalidated: it must already carry every §2 key, nulls included."""
    record = make_record(**overrides)
    payload = assessor.assess_payload(record)
    assert payload == assessor.assess(record).model_dump()
    if payload["risk"] is not None:
        assert set(payload["risk"]) == set(RiskEstimate.model_fields)


@pytest.mark.parametrize("path", SAMPLE_PATIENTS, ids=[p.stem for p in SAMPLE_PATIENTS])
def test_every_sample_patient_payload_equals_its_validated_assessment(assessor: Assessor, path: Path) -> None:
    record = PatientRecord.model_validate_json(path.read_text(encoding="utf-8"))
    assert assessor.assess_payload(record) == assessor.assess(record).model_dump()


def test_an_updated_copy_of_a_record_is_assessed_on_its_own_values(assessor: Assessor) -> None:
    """pydantic's copy carried the cached facts over: a malignant biopsy and eGFR 20 were
    assessed as the benign, normal-kidney original (osteoporosis, no flags)."""
    original = make_record()
    updated = original.model_copy(update={"egfr": 20.0, "biopsy_result": "malignant"})
    fresh = make_record(egfr=20.0, biopsy_result="malignant")
    assert assessor.assess(original).pathway == "osteoporosis"
    assert assessor.assess(updated).model_dump() == assessor.assess(fresh).model_dump()
    assert assessor.assess(updated).pathway == "oncology"


def test_an_updated_copy_is_validated_and_its_derived_defaults_follow() -> None:
    original = make_record(procedure_date="2026-02-02")  # no fracture_date: it defaults to this
    moved = original.model_copy(update={"procedure_date": dt.date(2026, 2, 20)})
    assert moved.fracture_date == dt.date(2026, 2, 20)
    with pytest.raises(ValidationError, match="egfr"):
        original.model_copy(update={"egfr": -5.0})
    assert original.model_copy() == original
