"""recommended_therapy precedence, refer_to_specialist and priority (rules.md §4)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.risk.factories import days_before
from tests.risk.rules.test_engine import OLD_FRACTURE, rules_for

MULTIPLE: dict[str, Any] = {"treated_levels": ["L1", "L2"]}


@pytest.mark.parametrize(
    ("overrides", "therapy"),
    [
        # step 1 beats step 2: eGFR < 30 on denosumab
        ({"egfr": 25, "current_treatment": "denosumab", "last_dose_date": days_before(30)},
         "specialist_decision"),
        # step 2 beats step 3: on an anabolic with multiple vertebral fractures
        ({**MULTIPLE, "current_treatment": "teriparatide"}, "continue_current"),
        ({**MULTIPLE, "current_treatment": "romosozumab"}, "continue_current"),
        ({"current_treatment": "abaloparatide"}, "continue_current"),
        # step 3 beats step 4: bisphosphonate but multiple fractures or very low BMD
        ({**MULTIPLE, "current_treatment": "oral_bisphosphonate"}, "anabolic_first"),
        ({"t_score_total_hip": -3.5, "current_treatment": "zoledronic_acid"}, "anabolic_first"),
        # step 4
        ({"current_treatment": "oral_bisphosphonate"}, "continue_current"),
        ({"current_treatment": "zoledronic_acid"}, "continue_current"),
        # step 5
        ({}, "antiresorptive_first"),
        ({"current_treatment": "raloxifene"}, "antiresorptive_first"),
        ({"current_treatment": "hormone_therapy"}, "antiresorptive_first"),
    ],
)  # fmt: skip
def test_recommended_therapy_precedence(overrides: dict[str, Any], therapy: str) -> None:
    assert rules_for(**overrides).recommended_therapy == therapy


def test_anabolic_first_means_specialist_referral() -> None:
    outcome = rules_for(**OLD_FRACTURE, **MULTIPLE)
    assert outcome.recommended_therapy == "anabolic_first"
    assert outcome.refer_to_specialist is True
    assert outcome.priority == "soon"


@pytest.mark.parametrize(
    ("overrides", "priority"),
    [
        ({**OLD_FRACTURE}, "routine"),
        ({}, "soon"),  # recent fracture → very high
        ({**OLD_FRACTURE, "egfr": 20}, "soon"),  # specialist flag only
        ({**OLD_FRACTURE, "current_treatment": "denosumab", "last_dose_date": days_before(250)},
         "urgent"),
        ({**OLD_FRACTURE, "vitamin_d_ng_ml": 10}, "routine"),  # warning flags alone keep routine
    ],
)  # fmt: skip
def test_priority(overrides: dict[str, Any], priority: str) -> None:
    assert rules_for(**overrides).priority == priority
