"""The clinical decisions other layers ask for, made once in risk.rules: both sides of each.

Model eligibility (training) is the pathway table's P1, "has a model risk" is what the
assessor and the batch output show, and the letter an assessment warrants is what the
reports, the web page and the referral workflow write.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from api.settings import DEFAULT_MODEL_PATH
from risk.assess import Assessor
from risk.facts import facts_from_frame
from risk.model.train import eligible
from risk.rules.letter import letter_for
from risk.rules.pathway import has_model_risk, model_eligible
from tests.risk.factories import make_record, records_to_frame

ONCOLOGY: list[dict[str, Any]] = [
    {"biopsy_result": "malignant"},
    {"myeloma": True},
    {"fracture_cause": "malignancy"},
]


@pytest.fixture(scope="module")
def assessor() -> Assessor:
    """The shipped model with the default rule configuration."""
    return Assessor.load(DEFAULT_MODEL_PATH)


NOT_ONCOLOGY: list[dict[str, Any]] = [
    {},
    {"biopsy_result": "benign"},
    {"fracture_cause": "high_energy_trauma", "t_score_total_hip": -1.0},  # P2, still modelled
]


@pytest.mark.parametrize("overrides", ONCOLOGY)
def test_a_p1_patient_is_not_model_eligible_and_shows_no_model_risk(
    overrides: dict[str, Any], assessor: Assessor
) -> None:
    record = make_record(**overrides)
    assert model_eligible(record.facts) is False
    assert has_model_risk(assessor.assess(record).pathway) is False
    assert assessor.assess_payload(record)["risk"] is None


@pytest.mark.parametrize("overrides", NOT_ONCOLOGY)
def test_any_other_patient_is_model_eligible_and_shows_a_model_risk(
    overrides: dict[str, Any], assessor: Assessor
) -> None:
    record = make_record(**overrides)
    assert model_eligible(record.facts) is True
    assert has_model_risk(assessor.assess(record).pathway) is True
    assert assessor.assess_payload(record)["risk"] is not None


def test_training_eligibility_and_the_batch_risk_follow_the_same_rule(assessor: Assessor) -> None:
    records = [make_record(**overrides) for overrides in [*ONCOLOGY, *NOT_ONCOLOGY]]
    frame = records_to_frame(records)
    facts = facts_from_frame(frame)
    expected = np.array([False] * len(ONCOLOGY) + [True] * len(NOT_ONCOLOGY))
    assert np.array_equal(eligible(facts), expected)
    flat = assessor.assess_frame(frame)
    assert np.array_equal(has_model_risk(flat["pathway"].to_numpy()), expected)
    assert np.array_equal(flat["new_vertebral_fracture_12m"].notna().to_numpy(), expected)


@pytest.mark.parametrize(
    ("pathway", "refer_to_pcp", "letter"),
    [
        ("osteoporosis", True, "pcp_letter"),
        ("osteoporosis", False, None),
        ("oncology", False, "oncology_notification"),
        ("oncology", True, "oncology_notification"),
        ("trauma_review", False, "trauma_dxa_note"),
        ("trauma_review", True, "trauma_dxa_note"),
    ],
)
def test_the_letter_an_assessment_warrants(pathway: str, refer_to_pcp: bool, letter: str | None) -> None:
    assert letter_for(pathway, refer_to_pcp) == letter
