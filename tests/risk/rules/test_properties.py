"""Invariants: the model can add a flag and raise a priority, never lower a tier or remove a flag."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from risk.contract import PatientRecord
from risk.facts import facts_from_record
from risk.rules.config import RuleConfig
from risk.rules.engine import evaluate
from tests.risk.strategies import patient_records

PRIORITY_RANK = {"routine": 0, "soon": 1, "urgent": 2}


@settings(max_examples=300, deadline=None)
@given(record=patient_records(), risk=st.floats(0, 1, allow_nan=False))
def test_model_risk_never_lowers_tier_flags_or_priority(record: PatientRecord, risk: float) -> None:
    facts = facts_from_record(record)
    without = evaluate(facts, math.nan, RuleConfig())
    with_model = evaluate(facts, risk, RuleConfig())
    assert with_model.pathway == without.pathway
    assert with_model.risk_tier == without.risk_tier
    fired_without = {code for code, value in without.fired.items() if value}
    fired_with = {code for code, value in with_model.fired.items() if value}
    assert fired_without <= fired_with
    assert fired_with - fired_without <= {"HIGH_MODEL_RISK"}
    assert PRIORITY_RANK[with_model.priority] >= PRIORITY_RANK[without.priority]
    assert with_model.refer_to_pcp == without.refer_to_pcp
    assert with_model.refer_to_specialist >= without.refer_to_specialist


@settings(max_examples=200, deadline=None)
@given(record=patient_records())
def test_every_osteoporosis_patient_is_at_least_high_and_referred(record: PatientRecord) -> None:
    outcome = evaluate(facts_from_record(record), math.nan, RuleConfig())
    fired = {code for code, value in outcome.fired.items() if value}
    assert not {"EGFR_BELOW_30", "EGFR_BELOW_35"} <= fired
    if outcome.pathway == "osteoporosis":
        assert outcome.risk_tier in {"high", "very_high"}
        assert outcome.refer_to_pcp is True
        assert fired & {"FRAGILITY_VERTEBRAL_FRACTURE", "OSTEOPOROSIS_BY_BMD"}
    else:
        assert outcome.risk_tier is None
        assert outcome.refer_to_pcp is False
