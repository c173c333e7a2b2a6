"""A missing optional field never breaks scoring; it is imputed and named in missing_inputs."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pytest

from risk.contract.patient import PatientRecord
from risk.facts import facts_from_record
from risk.model.scorer import RefractureModel

REQUIRED: dict[str, Any] = {
    "patient_id": "T-1",
    "sex": "female",
    "age_years": 74.0,
    "procedure_date": dt.date(2025, 3, 1),
    "assessment_date": dt.date(2025, 3, 15),
    "treated_levels": ["L1"],
}
COMPLETE: dict[str, Any] = {
    **REQUIRED,
    "weight_kg": 60.0,
    "height_cm": 160.0,
    "cement_leakage": "none",
    "intravertebral_cleft": False,
    "t_score_total_hip": -2.8,
    "ct_hu": 70.0,
    "vitamin_d_ng_ml": 25.0,
}


def _score(model: RefractureModel, **fields: Any) -> Any:
    return model.predict(facts_from_record(PatientRecord(**fields)))


def test_a_complete_record_imputes_nothing(shipped: RefractureModel) -> None:
    assert _score(shipped, **COMPLETE).missing_inputs == ()


def test_a_minimal_record_scores_and_lists_every_gap(shipped: RefractureModel) -> None:
    out = _score(shipped, **REQUIRED)
    assert 0 < out.risk_12m <= out.risk_24m < 1
    assert set(out.missing_inputs) == {
        "weight_kg",
        "height_cm",
        "t_score_femoral_neck",
        "t_score_total_hip",
        "t_score_lumbar_spine",
        "ct_hu",
        "cement_leakage",
        "intravertebral_cleft",
        "vitamin_d_ng_ml",
    }
    assert {c.feature for c in out.contributions if c.value is None} >= {"bmi", "ct_hu"}


@pytest.mark.parametrize(
    ("field", "listed"),
    [
        ("weight_kg", ["weight_kg"]),
        ("ct_hu", ["ct_hu"]),
        ("vitamin_d_ng_ml", ["vitamin_d_ng_ml"]),
        ("intravertebral_cleft", ["intravertebral_cleft"]),
        ("t_score_total_hip", ["t_score_femoral_neck", "t_score_total_hip", "t_score_lumbar_spine"]),
    ],
)
def test_each_missing_field_is_named(shipped: RefractureModel, field: str, listed: list[str]) -> None:
    fields = {k: v for k, v in COMPLETE.items() if k != field}
    assert list(_score(shipped, **fields).missing_inputs) == listed


def test_unknown_leakage_counts_as_missing(shipped: RefractureModel) -> None:
    out = _score(shipped, **{**COMPLETE, "cement_leakage": "unknown"})
    assert out.missing_inputs == ("cement_leakage",)


def test_spine_t_score_needs_two_evaluable_vertebrae(shipped: RefractureModel) -> None:
    base = {k: v for k, v in COMPLETE.items() if k != "t_score_total_hip"}
    one = _score(shipped, **base, t_score_lumbar_spine=-3.5, lumbar_vertebrae_evaluable=1)
    two = _score(shipped, **base, t_score_lumbar_spine=-3.5, lumbar_vertebrae_evaluable=2)
    assert "t_score_femoral_neck" in one.missing_inputs
    assert two.missing_inputs == ()


def test_t_score_is_imputed_from_hu_when_only_hu_is_known(shipped: RefractureModel) -> None:
    base = {k: v for k, v in COMPLETE.items() if k != "t_score_total_hip"}
    dense = _score(shipped, **{**base, "ct_hu": 150.0})
    porous = _score(shipped, **{**base, "ct_hu": 30.0})
    lowest_t = {c.feature: c.effect for c in porous.contributions}["lowest_t"]
    assert porous.risk_12m > dense.risk_12m
    assert lowest_t > {c.feature: c.effect for c in dense.contributions}["lowest_t"]


def test_a_record_with_only_required_fields_scores(shipped: RefractureModel) -> None:
    record = PatientRecord.model_validate(REQUIRED, strict=False)
    out = shipped.predict(facts_from_record(record))
    assert math.isfinite(out.risk_12m)
    assert {"t_score_total_hip", "ct_hu", "weight_kg", "vitamin_d_ng_ml"} <= set(out.missing_inputs)
