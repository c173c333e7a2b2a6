"""Every flag of rules.md §3 at both sides of its threshold, and which pathways it fires on."""

from __future__ import annotations

from typing import Any

import pytest

from tests.risk.factories import days_before
from tests.risk.rules.test_engine import OLD_FRACTURE, fired, rules_for

DENOSUMAB: dict[str, Any] = {"current_treatment": "denosumab", "treatment_start_date": days_before(400)}


@pytest.mark.parametrize(
    ("days", "expected"),
    [(182, set()), (183, {"DENOSUMAB_DUE"}), (210, {"DENOSUMAB_DUE"}), (211, {"DENOSUMAB_OVERDUE"})],
)
def test_denosumab_dose_interval(days: int, expected: set[str]) -> None:
    outcome = rules_for(**DENOSUMAB, last_dose_date=days_before(days))
    denosumab_flags = {code for code in fired(outcome) if code.startswith("DENOSUMAB")}
    assert denosumab_flags == expected


def test_denosumab_overdue_is_urgent_on_any_pathway() -> None:
    outcome = rules_for(**DENOSUMAB, last_dose_date=days_before(300), myeloma=True)
    assert outcome.pathway == "oncology"
    assert "DENOSUMAB_OVERDUE" in fired(outcome)
    assert outcome.priority == "urgent"


def test_denosumab_without_last_dose_date_asks_for_it() -> None:
    outcome = rules_for(**DENOSUMAB)
    assert "DENOSUMAB_DOSE_DATE_UNKNOWN" in fired(outcome)
    assert (
        rules_for(**DENOSUMAB, last_dose_date=days_before(30)).fired["DENOSUMAB_DOSE_DATE_UNKNOWN"] is False
    )


@pytest.mark.parametrize(
    ("egfr", "expected"),
    [(29.9, {"EGFR_BELOW_30"}), (30, {"EGFR_BELOW_35"}), (34.9, {"EGFR_BELOW_35"}), (35, set())],
)
def test_egfr_flags_never_fire_together(egfr: float, expected: set[str]) -> None:
    outcome = rules_for(egfr=egfr)
    assert {code for code in fired(outcome) if code.startswith("EGFR")} == expected
    assert outcome.refer_to_specialist is ("EGFR_BELOW_30" in expected)


@pytest.mark.parametrize(
    ("field", "value", "code", "expected"),
    [
        ("vitamin_d_ng_ml", 19.9, "VITAMIN_D_DEFICIENT", True),
        ("vitamin_d_ng_ml", 20, "VITAMIN_D_DEFICIENT", False),
        ("serum_calcium_mg_dl", 8.49, "HYPOCALCAEMIA", True),
        ("serum_calcium_mg_dl", 8.5, "HYPOCALCAEMIA", False),
        ("serum_calcium_mg_dl", 10.5, "HYPERCALCAEMIA", False),
        ("serum_calcium_mg_dl", 10.51, "HYPERCALCAEMIA", True),
        ("alkaline_phosphatase_u_l", 150, "RAISED_ALP", False),
        ("alkaline_phosphatase_u_l", 150.1, "RAISED_ALP", True),
    ],
)
def test_lab_flags(field: str, value: float, code: str, expected: bool) -> None:
    assert rules_for(**{field: value}).fired[code] is expected


@pytest.mark.parametrize(("calcium", "specialist"), [(10.6, True), (8.4, False)])
def test_only_hypercalcaemia_among_calcium_flags_needs_a_specialist(calcium: float, specialist: bool) -> None:
    assert rules_for(**OLD_FRACTURE, serum_calcium_mg_dl=calcium).refer_to_specialist is specialist


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"active_malignancy": True}, True),
        ({"active_malignancy": True, "biopsy_result": "benign"}, False),
        ({"active_malignancy": False}, False),
    ],
)
def test_possible_malignancy_needs_cancer_and_no_biopsy(overrides: dict[str, Any], expected: bool) -> None:
    assert rules_for(**overrides).fired["POSSIBLE_MALIGNANCY"] is expected


@pytest.mark.parametrize(("level", "expected"), [("T6", True), ("T7", False), ("T1", True)])
def test_atypical_level_above_t7(level: str, expected: bool) -> None:
    assert rules_for(treated_levels=[level]).fired["ATYPICAL_LEVEL"] is expected


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"age_years": 49.9}, True),
        ({"age_years": 50}, False),
        ({"age_years": None, "birth_date": "1976-03-03"}, True),  # 49 on 2026-03-02
        ({"age_years": None, "birth_date": "1976-03-02"}, False),  # 50th birthday
    ],
)
def test_young_patient_under_50(overrides: dict[str, Any], expected: bool) -> None:
    outcome = rules_for(**overrides)
    assert outcome.fired["YOUNG_PATIENT"] is expected
    if expected:
        assert outcome.refer_to_specialist is True


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"history_osteonecrosis_of_jaw": True}, True),
        ({"history_atypical_femoral_fracture": True}, True),
        ({}, False),
    ],
)
def test_onj_or_aff_history(overrides: dict[str, Any], expected: bool) -> None:
    outcome = rules_for(**overrides)
    assert outcome.fired["ONJ_OR_AFF_HISTORY"] is expected
    assert (outcome.recommended_therapy == "specialist_decision") is expected


@pytest.mark.parametrize(("evaluable", "expected"), [(None, True), (1, True), (2, False)])
def test_spine_dxa_unreliable_below_two_vertebrae(evaluable: int | None, expected: bool) -> None:
    outcome = rules_for(t_score_lumbar_spine=-2.8, lumbar_vertebrae_evaluable=evaluable)
    assert outcome.fired["SPINE_DXA_UNRELIABLE"] is expected


@pytest.mark.parametrize("evaluable", [None, 0, 1, 2, 3, 4])
def test_the_flag_says_the_spine_is_ignored_exactly_when_the_lowest_t_score_ignores_it(
    evaluable: int | None,
) -> None:
    # One two-vertebra rule for both: a spine T-score far below the hip's decides lowest_t
    # only when it counts, and the flag fires only when it does not.
    outcome = rules_for(
        t_score_lumbar_spine=-4.5, t_score_total_hip=-1.0, lumbar_vertebrae_evaluable=evaluable
    )
    spine_used = outcome.facts["lowest_t"] == -4.5
    assert outcome.fired["SPINE_DXA_UNRELIABLE"] is (not spine_used)


def test_spine_dxa_unreliable_needs_a_spine_t_score() -> None:
    assert rules_for(lumbar_vertebrae_evaluable=1).fired["SPINE_DXA_UNRELIABLE"] is False


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [({"t_score_total_hip": None}, True), ({}, False), ({"t_score_total_hip": None, "ct_hu": 60}, True)],
)
def test_dxa_recommended_when_no_t_score(overrides: dict[str, Any], expected: bool) -> None:
    assert rules_for(**overrides).fired["DXA_RECOMMENDED"] is expected


@pytest.mark.parametrize(("cause", "expected"), [("unknown", True), ("low_energy", False)])
def test_mechanism_unknown(cause: str, expected: bool) -> None:
    assert rules_for(fracture_cause=cause).fired["MECHANISM_UNKNOWN"] is expected


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"treated_levels": ["T10"]}, False),
        ({"treated_levels": ["T11"]}, True),
        ({"treated_levels": ["L2"]}, True),
        ({"treated_levels": ["L3"]}, False),
        ({"treated_levels": ["L3"], "cement_leakage": "intradiscal"}, True),
        ({"treated_levels": ["L3"], "cement_leakage": "other"}, False),
    ],
)
def test_adjacent_level_risk(overrides: dict[str, Any], expected: bool) -> None:
    assert rules_for(**overrides).fired["ADJACENT_LEVEL_RISK"] is expected


@pytest.mark.parametrize(("risk", "expected"), [(0.1999, False), (0.20, True)])
def test_high_model_risk_threshold_raises_priority(risk: float, expected: bool) -> None:
    outcome = rules_for(model_risk_12m=risk, **OLD_FRACTURE)
    assert outcome.fired["HIGH_MODEL_RISK"] is expected
    assert outcome.priority == ("urgent" if expected else "routine")


def test_high_model_risk_only_on_the_osteoporosis_pathway() -> None:
    outcome = rules_for(model_risk_12m=0.9, fracture_cause="high_energy_trauma")
    assert outcome.fired["HIGH_MODEL_RISK"] is False


@pytest.mark.parametrize(
    "code", ["POSSIBLE_MALIGNANCY", "ATYPICAL_LEVEL", "YOUNG_PATIENT", "MECHANISM_UNKNOWN"]
)
def test_osteoporosis_only_flags_stay_silent_on_trauma_review(code: str) -> None:
    outcome = rules_for(
        fracture_cause="high_energy_trauma",
        t_score_total_hip=None,
        age_years=40,
        treated_levels=["T5"],
        active_malignancy=True,
    )
    assert outcome.pathway == "trauma_review"
    assert outcome.fired[code] is False
