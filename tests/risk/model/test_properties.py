"""Invariants of the scorer for any valid record (hypothesis)."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from risk.contract.patient import PatientRecord
from risk.facts import facts_from_record
from risk.model.scorer import RefractureModel

_MODEL = RefractureModel.load("models/refracture.json")
_optional_t = st.none() | st.floats(-7.0, 4.0)

records = st.fixed_dictionaries(
    {
        "sex": st.sampled_from(["female", "male"]),
        "age_years": st.floats(18, 110),
        "treated_levels": st.lists(
            st.sampled_from(["T8", "T12", "L1", "L3"]), min_size=1, max_size=4, unique=True
        ),
        "weight_kg": st.none() | st.floats(25, 250),
        "height_cm": st.none() | st.floats(120, 220),
        "t_score_femoral_neck": _optional_t,
        "t_score_total_hip": _optional_t,
        "ct_hu": st.none() | st.floats(-200, 1000),
        "cement_leakage": st.sampled_from(["none", "intradiscal", "other", "unknown"]),
        "intravertebral_cleft": st.none() | st.booleans(),
        "prior_fragility_fractures": st.integers(0, 19),
        "falls_last_12_months": st.integers(0, 49),
        "glucocorticoid_mg_per_day": st.floats(0, 200),
        "glucocorticoid_months": st.floats(0, 600),
        "vitamin_d_ng_ml": st.none() | st.floats(1, 200),
        "current_smoker": st.booleans(),
        "diabetes": st.sampled_from(["none", "type1", "type2"]),
    }
)


def _risk(fields: dict[str, Any]) -> tuple[float, float]:
    record = PatientRecord(
        patient_id="H-1",
        procedure_date=dt.date(2025, 1, 10),
        assessment_date=dt.date(2025, 2, 1),
        **fields,
    )
    out = _MODEL.predict(facts_from_record(record))
    return out.risk_12m, out.risk_24m


@settings(max_examples=150, deadline=None)
@given(records)
def test_risk_is_a_finite_probability(fields: dict[str, Any]) -> None:
    r12, r24 = _risk(fields)
    assert math.isfinite(r12) and math.isfinite(r24)
    assert 0.0 <= r12 <= r24 <= 1.0


@settings(max_examples=75, deadline=None)
@given(records)
def test_more_prior_fractures_never_lower_risk(fields: dict[str, Any]) -> None:
    more = {**fields, "prior_fragility_fractures": fields["prior_fragility_fractures"] + 1}
    assert _risk(more)[0] >= _risk(fields)[0]
    assert _risk(more)[1] >= _risk(fields)[1]


@settings(max_examples=75, deadline=None)
@given(records)
def test_more_falls_never_lower_risk(fields: dict[str, Any]) -> None:
    more = {**fields, "falls_last_12_months": fields["falls_last_12_months"] + 1}
    assert _risk(more)[0] >= _risk(fields)[0]
    assert _risk(more)[1] >= _risk(fields)[1]


@settings(max_examples=75, deadline=None)
@given(records, st.floats(0.1, 3.0))
def test_lower_t_score_never_lowers_risk(fields: dict[str, Any], drop: float) -> None:
    fields = {
        **fields,
        "t_score_total_hip": 1.0 if fields["t_score_total_hip"] is None else fields["t_score_total_hip"],
    }
    lower = {**fields, "t_score_total_hip": max(fields["t_score_total_hip"] - drop, -7.0)}
    assert _risk(lower)[0] >= _risk(fields)[0]
    assert _risk(lower)[1] >= _risk(fields)[1]
