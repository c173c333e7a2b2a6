"""The rule layer of rules.md, each threshold at both sides, through both engine paths."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from risk.facts import facts_from_frame, facts_from_record
from risk.rules.config import RuleConfig
from risk.rules.engine import RuleOutcome, evaluate
from tests.risk.factories import days_before, make_record, records_to_frame

CONFIG = RuleConfig()


def rules_for(model_risk_12m: float = math.nan, **overrides: Any) -> RuleOutcome:
    """Evaluate one record, and check the cohort path agrees on it."""
    record = make_record(**overrides)
    outcome = evaluate(facts_from_record(record), model_risk_12m, CONFIG)
    frame_outcome = evaluate(facts_from_frame(records_to_frame([record])), np.array([model_risk_12m]), CONFIG)
    assert frame_outcome.pathway[0] == outcome.pathway
    assert frame_outcome.risk_tier[0] == outcome.risk_tier
    assert frame_outcome.recommended_therapy[0] == outcome.recommended_therapy
    assert frame_outcome.priority[0] == outcome.priority
    assert bool(frame_outcome.refer_to_specialist[0]) == outcome.refer_to_specialist
    assert {c for c, v in frame_outcome.fired.items() if v[0]} == fired(outcome)
    return outcome


def fired(outcome: RuleOutcome) -> set[str]:
    return {code for code, value in outcome.fired.items() if value}


# --- pathways -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "overrides",
    [{"biopsy_result": "malignant"}, {"myeloma": True}, {"fracture_cause": "malignancy"}],
)
def test_oncology_pathway_routes_away_from_osteoporosis_letter(overrides: dict[str, Any]) -> None:
    outcome = rules_for(model_risk_12m=0.5, **overrides)
    assert outcome.pathway == "oncology"
    assert outcome.risk_tier is None
    assert outcome.refer_to_pcp is False
    assert outcome.refer_to_specialist is True
    assert outcome.recommended_therapy == "oncology_management"
    assert "PATHOLOGICAL_FRACTURE" in fired(outcome)
    assert "HIGH_MODEL_RISK" not in fired(outcome)
    assert outcome.priority == "urgent"


@pytest.mark.parametrize("hip", [None, -2.4, 1.0])
def test_high_energy_trauma_without_osteoporotic_bmd_is_trauma_review(hip: float | None) -> None:
    outcome = rules_for(fracture_cause="high_energy_trauma", t_score_total_hip=hip)
    assert outcome.pathway == "trauma_review"
    assert outcome.risk_tier is None
    assert outcome.refer_to_pcp is False
    assert outcome.recommended_therapy == "none"
    assert "NOT_FRAGILITY_FRACTURE" in fired(outcome)
    assert not {"VH_RECENT_FRACTURE", "FRAGILITY_VERTEBRAL_FRACTURE"} & fired(outcome)


def test_high_energy_trauma_with_t_score_at_minus_2_5_is_osteoporosis_by_bmd() -> None:
    outcome = rules_for(fracture_cause="high_energy_trauma", t_score_total_hip=-2.5)
    assert outcome.pathway == "osteoporosis"
    assert outcome.refer_to_pcp is True
    assert "OSTEOPOROSIS_BY_BMD" in fired(outcome)
    assert "FRAGILITY_VERTEBRAL_FRACTURE" not in fired(outcome)


@pytest.mark.parametrize(("evaluable", "pathway"), [(1, "trauma_review"), (2, "osteoporosis")])
def test_spine_t_score_counts_only_with_two_evaluable_vertebrae(evaluable: int, pathway: str) -> None:
    outcome = rules_for(
        fracture_cause="high_energy_trauma",
        t_score_total_hip=None,
        t_score_lumbar_spine=-3.2,
        lumbar_vertebrae_evaluable=evaluable,
    )
    assert outcome.pathway == pathway


def test_low_energy_fracture_is_osteoporosis_whatever_the_bmd() -> None:
    outcome = rules_for(t_score_total_hip=1.5)
    assert outcome.pathway == "osteoporosis"
    assert "FRAGILITY_VERTEBRAL_FRACTURE" in fired(outcome)
    assert outcome.risk_tier in {"high", "very_high"}


@pytest.mark.parametrize(("age", "expected"), [(49, False), (50, True)])
def test_trauma_review_recommends_dxa_from_age_50(age: int, expected: bool) -> None:
    outcome = rules_for(fracture_cause="high_energy_trauma", t_score_total_hip=None, age_years=age)
    assert ("DXA_RECOMMENDED" in fired(outcome)) is expected


# --- very-high criteria ---------------------------------------------------------------

OLD_FRACTURE: dict[str, Any] = {"fracture_date": days_before(800), "procedure_date": days_before(790)}


def test_old_single_fracture_without_other_criteria_is_high_and_routine() -> None:
    outcome = rules_for(**OLD_FRACTURE, fracture_cause="low_energy", treated_levels=["L4"])
    assert outcome.risk_tier == "high"
    assert outcome.priority == "routine"
    assert outcome.recommended_therapy == "antiresorptive_first"


@pytest.mark.parametrize(("days", "expected"), [(730, True), (731, False)])
def test_recent_fracture_within_730_days(days: int, expected: bool) -> None:
    outcome = rules_for(fracture_date=days_before(days), procedure_date=days_before(days - 5))
    assert ("VH_RECENT_FRACTURE" in fired(outcome)) is expected


@pytest.mark.parametrize(
    ("levels", "prior", "expected"),
    [(["L4"], 0, False), (["L4", "L5"], 0, True), (["L4"], 1, True)],
)
def test_multiple_vertebral_fractures_count_levels_and_prior(
    levels: list[str], prior: int, expected: bool
) -> None:
    outcome = rules_for(
        **OLD_FRACTURE,
        treated_levels=levels,
        prior_vertebral_fractures=prior,
        prior_fragility_fractures=prior,
    )
    assert ("VH_MULTIPLE_VERTEBRAL" in fired(outcome)) is expected
    assert (outcome.risk_tier == "very_high") is expected


@pytest.mark.parametrize(("t_score", "expected"), [(-3.0, False), (-3.1, True)])
def test_very_low_bmd_below_minus_3(t_score: float, expected: bool) -> None:
    outcome = rules_for(**OLD_FRACTURE, t_score_femoral_neck=t_score)
    assert ("VH_VERY_LOW_BMD" in fired(outcome)) is expected


@pytest.mark.parametrize(
    ("dose", "months", "expected"),
    [
        (7.5, 3, True),
        (7.4, 3, False),
        (7.5, 2.9, False),
        (30, 1, True),
        (29.9, 1, False),
        (30, 0.9, False),
    ],
)
def test_glucocorticoid_dose_and_duration(dose: float, months: float, expected: bool) -> None:
    outcome = rules_for(**OLD_FRACTURE, glucocorticoid_mg_per_day=dose, glucocorticoid_months=months)
    assert ("VH_GLUCOCORTICOID" in fired(outcome)) is expected
    assert ("HIGH_DOSE_GLUCOCORTICOID" in fired(outcome)) is expected


@pytest.mark.parametrize(
    ("treatment", "start_days_before_fracture", "expected"),
    [
        ("oral_bisphosphonate", 365, True),
        ("oral_bisphosphonate", 364, False),
        ("none", 900, False),
        ("raloxifene", None, False),
    ],
)
def test_fracture_on_therapy_after_365_days(
    treatment: str, start_days_before_fracture: int | None, expected: bool
) -> None:
    start = None
    if start_days_before_fracture is not None:
        start = days_before(start_days_before_fracture + 800)
    outcome = rules_for(**OLD_FRACTURE, current_treatment=treatment, treatment_start_date=start)
    assert ("VH_FRACTURE_ON_THERAPY" in fired(outcome)) is expected
    assert ("FRACTURE_ON_THERAPY" in fired(outcome)) is expected
    if expected:
        assert outcome.recommended_therapy == "specialist_decision"
        assert outcome.refer_to_specialist is True


@pytest.mark.parametrize(("falls", "expected"), [(1, False), (2, True)])
def test_two_falls_mean_very_high_and_fall_flag(falls: int, expected: bool) -> None:
    outcome = rules_for(**OLD_FRACTURE, falls_last_12_months=falls)
    assert ("VH_FALLS" in fired(outcome)) is expected
    assert ("HIGH_FALL_RISK" in fired(outcome)) is expected
    assert (outcome.risk_tier == "very_high") is expected
