from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from risk.assess import Assessor
from risk.cohort import validate_frame, write_table
from risk.errors import InvalidCohort, InvalidInput
from risk.flatten import FLAT_COLUMNS
from risk.scale import REPORT_INPUTS, PeakRss, score_chunk, score_file_chunked


def test_chunk_size_does_not_change_output(assessor: Assessor, cohort: pd.DataFrame, tmp_path: Path) -> None:
    write_table(cohort, tmp_path / "in.csv")
    small = score_file_chunked(tmp_path / "in.csv", tmp_path / "a.csv", assessor, chunk_rows=700)
    whole = score_file_chunked(tmp_path / "in.csv", tmp_path / "b.csv", assessor, chunk_rows=100_000)
    assert (small.scored, small.failed) == (whole.scored, whole.failed) == (2998, 2)
    a, b = pd.read_csv(tmp_path / "a.csv"), pd.read_csv(tmp_path / "b.csv")
    pd.testing.assert_frame_equal(a, b, check_exact=True)  # bit for bit, whatever the chunking
    errors = pd.read_csv(tmp_path / "a.errors.csv")
    assert errors[["row", "field"]].values.tolist() == [[7, "sex"], [2500, "weight_kg"]]
    assert small.peak_rss_mib > 0


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_an_errors_csv_shows_a_formula_as_text_and_parquet_keeps_the_cell(
    assessor: Assessor, cohort: pd.DataFrame, tmp_path: Path, suffix: str
) -> None:
    frame = cohort.head(3).copy()
    frame["sex"] = ["=1+1", "-5", "female"]  # the first would be run by a spreadsheet; "-5" is a number
    frame["given_name"] = [None, None, "@SUM(1+1)*cmd|' /C calc'!A0" + "x" * 100]
    write_table(frame, tmp_path / "in.csv")
    score_file_chunked(tmp_path / "in.csv", tmp_path / f"out{suffix}", assessor)
    errors = (pd.read_csv if suffix == ".csv" else pd.read_parquet)(tmp_path / f"out.errors{suffix}")
    quote = "'" if suffix == ".csv" else ""
    assert errors[["row", "field", "value"]].astype(str).values.tolist() == [
        ["1", "sex", quote + "=1+1"],
        ["2", "sex", "-5"],
        ["3", "given_name", quote + "@SUM(1+1)*cmd|' /C calc'!A0" + "x" * 100],
    ]


def test_same_columns_and_values_as_the_in_process_assessor(assessor: Assessor, cohort: pd.DataFrame) -> None:
    chunk = score_chunk(cohort, assessor)
    checked = validate_frame(cohort)
    direct = pd.concat(
        [
            checked.passthrough.reset_index(drop=True),
            assessor.assess_frame(checked.valid.reset_index(drop=True)),
        ],
        axis=1,
    )
    pd.testing.assert_frame_equal(chunk.scored, direct)
    assert list(chunk.scored.columns)[-len(FLAT_COLUMNS) :] == list(FLAT_COLUMNS)


def test_kpi_columns_and_report_inputs_are_carried(assessor: Assessor, cohort: pd.DataFrame) -> None:
    raw = cohort.head(200).reset_index(drop=True)
    kpi = pd.DataFrame(
        {
            "fls_assessment_date": pd.to_datetime(raw["procedure_date"]) + pd.Timedelta(days=30),
            "on_treatment_52w": pd.array([True, False, None, True] * 50, dtype="boolean"),
        }
    )
    scored = score_chunk(pd.concat([raw, kpi], axis=1), assessor, carry_inputs=True).scored
    assert list(scored.columns)[-2:] == ["fls_assessment_date", "on_treatment_52w"]
    assert set(REPORT_INPUTS) <= set(scored.columns)
    assert scored["age_years"].notna().all()
    valid = kpi.drop(index=[6]).reset_index(drop=True)  # row 7 breaks the contract
    pd.testing.assert_frame_equal(scored[list(kpi.columns)], valid, check_dtype=False)


def test_bad_kpi_cell_names_row_and_column(assessor: Assessor, cohort: pd.DataFrame) -> None:
    raw = cohort.head(5).astype(object).assign(fls_assessment_date=["2024-01-01", "", "soon", "", ""])
    with pytest.raises(InvalidCohort, match="row 13 fls_assessment_date='soon'"):
        score_chunk(raw, assessor, first_row=11)


def test_peak_rss_sees_an_allocation() -> None:
    with PeakRss(interval_s=0.01) as before:
        pass
    with PeakRss(interval_s=0.01) as during:
        block = np.ones(40 * 1024 * 1024 // 8)
        block.sum()
    assert during.peak_mib >= before.peak_mib + 30


def _one_patient(birth_date: str, age_years: str) -> pd.DataFrame:
    return pd.DataFrame(
        {"patient_id": ["P1"], "birth_date": [birth_date], "age_years": [age_years], "sex": ["female"],
         "procedure_date": ["2024-01-10"], "assessment_date": ["2024-02-01"], "treated_levels": ["L1"]}
    )  # fmt: skip


@pytest.mark.parametrize(
    ("birth_date", "age_years", "carried"), [("1948-05-17", "30", 75.0), ("", "30", 30.0)]
)
def test_carried_age_is_the_age_the_score_used(
    assessor: Assessor, birth_date: str, age_years: str, carried: float
) -> None:
    """rules.md: age from birth_date, else age_years; the carried column once preferred age_years."""
    scored = score_chunk(_one_patient(birth_date, age_years), assessor, carry_inputs=True).scored
    assert scored["age_years"].tolist() == [carried]
    same_age = score_chunk(_one_patient(birth_date or "", str(carried)), assessor).scored
    risks = ["new_vertebral_fracture_12m", "new_vertebral_fracture_24m"]
    assert scored[risks].to_numpy().tolist() == same_age[risks].to_numpy().tolist()


def _cohort_with_a_bad_byte_in_chunk_three(cohort: pd.DataFrame, path: Path) -> None:
    """The cohort as CSV, with a byte that is not UTF-8 in data row 2,100 (chunks of 700 rows)."""
    write_table(cohort, path)
    lines = path.read_bytes().split(b"\n")
    lines[2100] = lines[2100].replace(b"male", b"m\xe9le", 1)
    path.write_bytes(b"\n".join(lines))


def test_a_run_stopped_half_way_writes_nothing_and_keeps_the_earlier_files(
    assessor: Assessor, cohort: pd.DataFrame, tmp_path: Path
) -> None:
    """Chunks 1 and 2 were once written before chunk 3 failed: a scored file that looked whole."""
    _cohort_with_a_bad_byte_in_chunk_three(cohort, tmp_path / "in.csv")
    write_table(cohort.head(50), tmp_path / "good.csv")
    score_file_chunked(tmp_path / "good.csv", tmp_path / "out.csv", assessor)
    earlier = {name: (tmp_path / name).read_bytes() for name in ("out.csv", "out.errors.csv")}
    with pytest.raises(InvalidCohort, match="not UTF-8: byte 0xE9 in data row 2100"):
        score_file_chunked(tmp_path / "in.csv", tmp_path / "out.csv", assessor, chunk_rows=700)
    assert {name: (tmp_path / name).read_bytes() for name in earlier} == earlier
    with pytest.raises(InvalidCohort):
        score_file_chunked(tmp_path / "in.csv", tmp_path / "new.csv", assessor, chunk_rows=700)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["good.csv", "in.csv", "out.csv", "out.errors.csv"]


@pytest.mark.parametrize(
    ("output", "errors", "message"),
    [
        ("in.csv", None, "the scored file .*in.csv is the input file"),
        ("hard.csv", None, "the scored file .*hard.csv is the input file"),
        ("out.csv", "in.csv", "the errors file .*in.csv is the input file"),
        ("out.csv", "out.csv", r"the scored and errors files are one file \(.*out.csv\)"),
    ],
)
def test_a_run_never_writes_over_its_input_or_one_file_twice(
    assessor: Assessor, cohort: pd.DataFrame, tmp_path: Path, output: str, errors: str | None, message: str
) -> None:
    """Scoring a file onto itself once kept the rows read before the first write, and exited 0."""
    source = tmp_path / "in.csv"
    write_table(cohort, source)
    os.link(source, tmp_path / "hard.csv")
    before = source.read_bytes()
    with pytest.raises(InvalidInput, match=message):
        score_file_chunked(
            source, tmp_path / output, assessor, chunk_rows=700, errors=tmp_path / errors if errors else None
        )
    assert source.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hard.csv", "in.csv"]
