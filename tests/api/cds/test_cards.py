"""Cards from the real Assessor on every sample patient: summary length, indicator, no empty fields."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.cds.cards import INDICATOR, CardSite, clip, info_card, risk_card
from api.cds.orders import referral_card
from api.cds.prune import prune, response_body
from api.settings import DEFAULT_MODEL_PATH, PROJECT_ROOT
from risk.assess import Assessor
from risk.contract import PatientRecord
from tests.api.cds.spec_checks import check_response

SAMPLES = sorted((PROJECT_ROOT / "data" / "sample" / "patients").glob("*.json"))
SITE = CardSite("osteoref", "https://o.test/model-card", "https://o.test/web/assess")


@pytest.fixture(scope="module")
def assessor() -> Assessor:
    return Assessor.load(DEFAULT_MODEL_PATH)


@pytest.mark.parametrize("path", SAMPLES, ids=[p.stem for p in SAMPLES])
def test_every_sample_gives_spec_valid_cards(assessor: Assessor, path: Path) -> None:
    record = PatientRecord.model_validate_json(path.read_text(encoding="utf-8"))
    assessment = assessor.assess(record)
    maker = risk_card if assessment.pathway == "osteoporosis" else info_card
    cards = [maker(assessment, SITE), referral_card(assessment, SITE, "p-1", "Practitioner/1")]
    assert check_response(response_body(cards)) == []
    if assessment.pathway == "osteoporosis":
        assert cards[0]["indicator"] == INDICATOR[assessment.priority]
    else:
        assert cards[0]["indicator"] == "info"
        assert "Without treatment" not in cards[0]["detail"]


def test_trauma_pathway_is_an_info_card(assessor: Assessor) -> None:
    record = PatientRecord.model_validate_json(SAMPLES[8].read_text(encoding="utf-8"))
    assessment = assessor.assess(record)
    assert assessment.pathway == "trauma_review"
    assert "High-energy" in info_card(assessment, SITE)["summary"]


def test_indicator_follows_priority() -> None:
    assert INDICATOR == {"urgent": "critical", "soon": "warning", "routine": "info"}


@given(st.text(min_size=0, max_size=400))
def test_clip_keeps_summaries_under_140(text: str) -> None:
    assert len(clip(text)) < 140


def test_prune_removes_empty_values_but_keeps_zero_and_false() -> None:
    assert prune({"a": None, "b": "", "c": [], "d": {}, "e": [{"f": None}], "g": 0, "h": False}) == {
        "g": 0,
        "h": False,
    }
    assert response_body([]) == {"cards": []}
