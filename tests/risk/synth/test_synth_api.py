"""The public API: determinism, contract columns and types, valid rows, the CSV format."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from risk.cohort.training import read_training_cohort
from risk.contract import PatientRecord
from risk.synth import SynthCohort, synthesize, write_csv
from risk.synth.export import record_dict

CONTRACT = tuple(PatientRecord.model_fields)
OUTCOMES = ("time_months", "event", "treated_after_procedure")
DATES = (
    "birth_date",
    "assessment_date",
    "fracture_date",
    "procedure_date",
    "dxa_date",
    "treatment_start_date",
    "last_dose_date",
)
INTEGERS = (
    "lumbar_vertebrae_evaluable",
    "prior_fragility_fractures",
    "prior_vertebral_fractures",
    "falls_last_12_months",
    "event",
    "treated_after_procedure",
)
STRINGS = (
    "patient_id",
    "sex",
    "fracture_cause",
    "procedure_type",
    "treated_levels",
    "cement_leakage",
    "biopsy_result",
    "diabetes",
    "current_treatment",
)


def _validate(frame: pd.DataFrame, row: int) -> PatientRecord:
    return PatientRecord.model_validate_json(json.dumps(record_dict(frame, row)))


def test_same_seed_gives_identical_cohort_and_truth() -> None:
    a, b = synthesize(500, seed=5), synthesize(500, seed=5)
    pd.testing.assert_frame_equal(a.cohort, b.cohort)
    pd.testing.assert_frame_equal(a.truth, b.truth)


def test_different_seed_gives_different_cohort() -> None:
    a, b = synthesize(500, seed=5), synthesize(500, seed=6)
    assert not a.cohort["time_months"].equals(b.cohort["time_months"])


def test_columns_are_the_contract_then_the_outcomes(synth_small: SynthCohort) -> None:
    assert tuple(synth_small.cohort.columns) == CONTRACT + OUTCOMES
    assert list(synth_small.truth.columns) == [
        "true_risk_12m",
        "true_risk_24m",
        "true_risk_untreated_12m",
        "true_risk_untreated_24m",
    ]


def test_column_types_follow_the_contract(synth_small: SynthCohort) -> None:
    c = synth_small.cohort
    assert all(pd.api.types.is_datetime64_any_dtype(c[name]) for name in DATES)
    assert all(str(c[name].dtype) == "Int64" for name in INTEGERS)
    assert all(pd.api.types.is_string_dtype(c[name]) for name in STRINGS)
    assert str(c["intravertebral_cleft"].dtype) == "boolean"
    assert c["intravertebral_cleft"].isna().any()
    assert c["current_smoker"].dtype == bool
    assert c["ct_hu"].dtype == np.float64


def test_patient_ids_are_unique(synth_small: SynthCohort) -> None:
    assert synth_small.cohort["patient_id"].is_unique


def test_a_sample_of_rows_is_valid_under_the_contract(synth20k: SynthCohort) -> None:
    rows = np.random.default_rng(0).choice(len(synth20k.cohort), size=500, replace=False)
    for row in rows:
        _validate(synth20k.cohort, int(row))


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_every_row_of_any_seed_is_valid(seed: int) -> None:
    synth = synthesize(40, seed=seed)
    for row in range(40):
        _validate(synth.cohort, row)
    assert synth.cohort["time_months"].gt(0).all()
    assert synth.cohort["event"].isin([0, 1, 2]).all()


def test_both_birth_date_and_age_years_are_exercised(synth_small: SynthCohort) -> None:
    c = synth_small.cohort
    assert c["birth_date"].notna().mean() > 0.8
    assert c["age_years"].notna().any()
    assert (c["birth_date"].isna() != c["age_years"].isna()).all()


def test_spine_t_score_is_sometimes_given_from_too_few_vertebrae(synth20k: SynthCohort) -> None:
    c = synth20k.cohort
    unreliable = c["t_score_lumbar_spine"].notna() & (c["lumbar_vertebrae_evaluable"] < 2)
    assert unreliable.any()


def test_lowest_counting_dxa_site_is_the_latent_t_score(synth_small: SynthCohort) -> None:
    c, lat = synth_small.cohort, synth_small.latent
    spine = c["t_score_lumbar_spine"].where(c["lumbar_vertebrae_evaluable"] >= 2)
    sites = pd.concat([c["t_score_femoral_neck"], c["t_score_total_hip"], spine], axis=1)
    has = sites.notna().any(axis=1)
    np.testing.assert_allclose(sites[has].min(axis=1), lat.loc[has, "t_score"])


def test_write_csv_uses_iso_dates_true_false_and_empty_cells(tmp_path: Path) -> None:
    frame = synthesize(300, seed=1).cohort
    path = tmp_path / "cohort.csv"
    write_csv(frame, path)
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert list(raw.columns) == list(frame.columns)
    assert raw["procedure_date"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    assert set(raw["current_smoker"]) <= {"true", "false"}
    assert set(raw["intravertebral_cleft"]) == {"true", "false", ""}
    assert (raw["given_name"] == "").all()
    assert (raw["dxa_date"] == "").any()
    assert raw["treated_levels"].str.fullmatch(r"[TL]\d{1,2}(;[TL]\d{1,2})*").all()


def test_written_csv_reads_back_through_the_training_reader(tmp_path: Path) -> None:
    frame = synthesize(300, seed=2).cohort
    write_csv(frame, tmp_path / "cohort.csv")
    assert len(read_training_cohort(tmp_path / "cohort.csv")) == 300


@pytest.mark.parametrize("n", [1, 7])
def test_tiny_cohorts_work(n: int) -> None:
    assert len(synthesize(n, seed=0).cohort) == n
