"""Which documents an assessment produces, and the key action sentence."""

from __future__ import annotations

import pytest

from reports import DocumentKind, documents_for, key_action
from reports.wording import (
    ACTION_SENTENCE,
    ACTION_WEEKS,
    PATIENT_ASK,
    PCP_TASK,
    TREATMENT_DETAIL,
)
from risk.contract import PRIORITIES, RECOMMENDED_THERAPIES
from tests.reports.factories import (
    make_assessment,
    make_record,
    oncology_assessment,
    trauma_assessment,
)


def test_pcp_referral_gets_letter_and_patient_copy() -> None:
    assert documents_for(make_assessment()) == [
        DocumentKind.PCP_LETTER,
        DocumentKind.PATIENT_COPY,
    ]


def test_oncology_gets_only_a_notification() -> None:
    assert documents_for(oncology_assessment()) == [DocumentKind.ONCOLOGY_NOTIFICATION]


def test_trauma_review_gets_a_dxa_note() -> None:
    assert documents_for(trauma_assessment()) == [DocumentKind.TRAUMA_DXA_NOTE]


def test_osteoporosis_without_pcp_referral_gets_nothing() -> None:
    assert documents_for(make_assessment(refer_to_pcp=False)) == []


@pytest.mark.parametrize("table", [ACTION_SENTENCE, TREATMENT_DETAIL, PCP_TASK, PATIENT_ASK])
def test_every_therapy_has_wording(table: dict[str, str]) -> None:
    assert set(table) == set(RECOMMENDED_THERAPIES)


def test_every_priority_has_a_deadline() -> None:
    assert ACTION_WEEKS == {"urgent": 2, "soon": 4, "routine": 12}
    assert set(ACTION_WEEKS) == set(PRIORITIES)


@pytest.mark.parametrize(("priority", "weeks"), [("urgent", 2), ("soon", 4), ("routine", 12)])
def test_action_names_the_weeks_of_the_priority(priority: str, weeks: int) -> None:
    action = key_action(make_record(), make_assessment(priority=priority))
    assert action.weeks == weeks
    assert f"within {weeks} weeks" in action.sentence
    assert action.sentence.startswith("Please start antiresorptive therapy")


@pytest.mark.parametrize(
    ("therapy", "start"),
    [
        ("anabolic_first", "Please start anabolic"),
        ("antiresorptive_first", "Please start antiresorptive"),
        ("continue_current", "Please continue denosumab"),
        ("specialist_decision", "Please arrange specialist review within 4 weeks"),
        ("oncology_management", "Please make sure the treating oncology"),
        ("none", "Please review bone health"),
    ],
)
def test_action_sentence_per_therapy(therapy: str, start: str) -> None:
    record = make_record(current_treatment="denosumab")
    action = key_action(record, make_assessment(recommended_therapy=therapy))
    assert action.sentence.startswith(start)
    assert "{" not in action.sentence


def test_action_due_date_is_weeks_after_assessment() -> None:
    action = key_action(make_record(), make_assessment(priority="urgent"))
    assert action.due == "16 Mar 2026"
