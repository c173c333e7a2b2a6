"""Hypothesis strategies for valid PatientRecords spanning every rule's inputs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import strategies as st

from risk.contract import PatientRecord
from risk.contract.enums import (
    BIOPSY_RESULTS,
    CEMENT_LEAKAGE,
    CURRENT_TREATMENTS,
    DIABETES,
    FRACTURE_CAUSES,
    LEVELS,
    SEXES,
)

ASSESSMENT = dt.date(2026, 3, 2)


def _maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


def _t_score() -> st.SearchStrategy[float | None]:
    return _maybe(st.floats(-7.0, 4.0, allow_nan=False))


@st.composite
def patient_records(draw: st.DrawFn) -> PatientRecord:
    """A valid record; dates are placed so every cross-field rule holds."""
    procedure_days = draw(st.integers(0, 1500))
    procedure = ASSESSMENT - dt.timedelta(days=procedure_days)
    fracture = procedure - dt.timedelta(days=draw(st.integers(0, 90)))
    prior_fragility = draw(st.integers(0, 6))
    data: dict[str, Any] = {
        "patient_id": "p-1",
        "age_years": draw(st.floats(18, 110, allow_nan=False)),
        "sex": draw(st.sampled_from(SEXES)),
        "assessment_date": ASSESSMENT,
        "procedure_date": procedure,
        "fracture_date": fracture,
        "fracture_cause": draw(st.sampled_from(FRACTURE_CAUSES)),
        "treated_levels": draw(st.lists(st.sampled_from(LEVELS), min_size=1, max_size=4, unique=True)),
        "cement_leakage": draw(st.sampled_from(CEMENT_LEAKAGE)),
        "biopsy_result": draw(st.sampled_from(BIOPSY_RESULTS)),
        "t_score_femoral_neck": draw(_t_score()),
        "t_score_total_hip": draw(_t_score()),
        "t_score_lumbar_spine": draw(_t_score()),
        "lumbar_vertebrae_evaluable": draw(_maybe(st.integers(0, 4))),
        "ct_hu": draw(_maybe(st.floats(-200, 1000, allow_nan=False))),
        "prior_fragility_fractures": prior_fragility,
        "prior_vertebral_fractures": draw(st.integers(0, prior_fragility)),
        "falls_last_12_months": draw(st.integers(0, 6)),
        "diabetes": draw(st.sampled_from(DIABETES)),
        "glucocorticoid_mg_per_day": draw(st.sampled_from([0.0, 5.0, 7.5, 30.0])),
        "glucocorticoid_months": draw(st.sampled_from([0.0, 1.0, 3.0, 24.0])),
        "active_malignancy": draw(st.booleans()),
        "myeloma": draw(st.booleans()),
        "egfr": draw(_maybe(st.floats(1, 200, allow_nan=False))),
        "serum_calcium_mg_dl": draw(_maybe(st.floats(4, 16, allow_nan=False))),
        "vitamin_d_ng_ml": draw(_maybe(st.floats(1, 200, allow_nan=False))),
        "alkaline_phosphatase_u_l": draw(_maybe(st.floats(5, 3000, allow_nan=False))),
        "current_treatment": draw(st.sampled_from(CURRENT_TREATMENTS)),
        "treatment_start_date": draw(_maybe(st.just(fracture - dt.timedelta(days=400)))),
        "last_dose_date": draw(_maybe(st.just(ASSESSMENT - dt.timedelta(days=draw(st.integers(0, 400)))))),
        "history_atypical_femoral_fracture": draw(st.booleans()),
        "history_osteonecrosis_of_jaw": draw(st.booleans()),
        "weight_kg": draw(_maybe(st.floats(25, 250, allow_nan=False))),
        "height_cm": draw(_maybe(st.floats(120, 220, allow_nan=False))),
        "intravertebral_cleft": draw(_maybe(st.booleans())),
    }
    return PatientRecord.model_validate(data, strict=False)
