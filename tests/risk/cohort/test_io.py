"""Cohort files: chunked reading, CSV/Parquet round trips, column checks, the training reader."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from api.settings import DEFAULT_MODEL_PATH
from risk.assess import Assessor
from risk.cohort import read_cohort_chunks, read_training_cohort, validate_frame, write_table
from risk.errors import InvalidCohort
from risk.facts import facts_from_frame
from risk.rules.config import RuleConfig
from risk.scale import score_file_chunked
from risk.synth import synthesize, write_csv


@pytest.fixture(scope="module")
def synthetic() -> pd.DataFrame:
    return synthesize(500, seed=11).cohort


def _validated(path: Path, chunk_rows: int) -> pd.DataFrame:
    parts, first = [], 1
    for raw in read_cohort_chunks(path, chunk_rows):
        checked = validate_frame(raw, first)
        assert checked.errors.empty, checked.errors.head().to_string()
        parts.append(checked.valid)
        first += len(raw)
    return pd.concat(parts)


def test_csv_and_parquet_give_the_same_normalised_frame(tmp_path: Path, synthetic: pd.DataFrame) -> None:
    csv, parquet = tmp_path / "c.csv", tmp_path / "c.parquet"
    write_csv(synthetic, csv)
    from_csv = _validated(csv, chunk_rows=128)
    write_table(from_csv, parquet)
    from_parquet = _validated(parquet, chunk_rows=1000)
    assert len(from_csv) == 500
    assert list(from_csv.index) == list(range(1, 501))
    pd.testing.assert_frame_equal(from_csv.reset_index(drop=True), from_parquet.reset_index(drop=True))


def test_write_table_renders_iso_dates_bools_and_empty_missing(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "d": pd.to_datetime(pd.Series(["2024-01-02", ""])),
            "b": [True, False],
            "x": [1.5, float("nan")],
        }
    )
    write_table(frame, tmp_path / "t.csv")
    assert (tmp_path / "t.csv").read_text().splitlines() == ["d,b,x", "2024-01-02,true,1.5", ",false,"]


def test_unknown_and_missing_columns_are_invalid_cohorts() -> None:
    with pytest.raises(InvalidCohort, match="unknown column"):
        validate_frame(pd.DataFrame({"patient_id": ["P"], "colour": ["red"]}), 1)
    with pytest.raises(InvalidCohort, match="missing required column"):
        validate_frame(pd.DataFrame({"patient_id": ["P"]}), 1)
    twice = pd.DataFrame([["P", "female", "male"]], columns=["patient_id", "sex", "sex"])
    with pytest.raises(InvalidCohort, match=r"^duplicate column\(s\): sex; each field may appear once$"):
        validate_frame(twice, 1)


@pytest.mark.parametrize(
    ("separator", "named"), [(";", "semicolons"), ("\t", "tabs"), ("|", "vertical bars")]
)
def test_a_file_separated_by_another_character_is_named_as_such(
    synthetic: pd.DataFrame, tmp_path: Path, separator: str, named: str
) -> None:
    """A regional Excel 'CSV' (semicolons, decimal commas) came back as one unknown column of 48 names."""
    path = tmp_path / "regional.csv"
    synthetic.head(3).to_csv(path, sep=separator, decimal=",", index=False)
    with pytest.raises(
        InvalidCohort, match=f"^the header reads as one column: .* separated by {named}, not commas"
    ):
        score_file_chunked(path, tmp_path / "out.csv", Assessor.load(DEFAULT_MODEL_PATH, RuleConfig()))


@pytest.mark.parametrize(
    ("header", "separated"),
    [
        ("patient_id;sex;colour", True),  # 2 of 3 names are contract names: more than half
        ("patient_id;colour", False),  # exactly half: an odd column name, not a separator
        ("colour;size;patient_id", False),
    ],
)
def test_a_header_is_taken_for_another_separator_only_when_most_of_it_is_contract_names(
    header: str, separated: bool
) -> None:
    expected = "separated by semicolons" if separated else r"^unknown column\(s\): " + re.escape(header)
    with pytest.raises(InvalidCohort, match=expected):
        validate_frame(pd.DataFrame({header: ["x"]}), 1)


@pytest.mark.parametrize("list_type", [pa.list_(pa.string()), pa.large_list(pa.large_string())])
def test_a_parquet_list_of_levels_is_read_as_the_joined_cell(
    synthetic: pd.DataFrame, tmp_path: Path, list_type: pa.DataType
) -> None:
    """pandas turned a list<string> column into arrays, read as the text "['L1' 'L2']": every row rejected."""
    frame = synthetic.head(4).reset_index(drop=True)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    levels = pa.array([["L1", "L2"], ["T12"], [], None], type=list_type)
    table = table.set_column(table.schema.get_field_index("treated_levels"), "treated_levels", levels)
    pq.write_table(table, tmp_path / "lists.parquet")
    checked = validate_frame(next(read_cohort_chunks(tmp_path / "lists.parquet")), 1)
    assert list(checked.valid["treated_levels"]) == ["L1;L2", "T12"]
    summary = score_file_chunked(
        tmp_path / "lists.parquet", tmp_path / "out.csv", Assessor.load(DEFAULT_MODEL_PATH, RuleConfig())
    )
    errors = pd.read_csv(tmp_path / "out.errors.csv")
    assert (summary.scored, summary.failed) == (2, 2)
    assert errors[["row", "field", "rule"]].values.tolist() == [
        [3, "treated_levels", "is required"],
        [4, "treated_levels", "is required"],
    ]


def test_error_rows_are_numbered_from_first_row() -> None:
    raw = pd.DataFrame(
        {"patient_id": ["A", "B"], "sex": ["female", "x"], "age_years": ["70", "70"],
         "procedure_date": ["2024-01-01"] * 2, "treated_levels": ["L1", "L2"]}
    )  # fmt: skip
    checked = validate_frame(raw, first_row=101)
    assert list(checked.valid.index) == [101]
    assert checked.errors.to_dict("records") == [
        {"row": 102, "field": "sex", "value": "x", "rule": "must be one of: female, male"}
    ]


def test_training_reader_parses_outcomes(tmp_path: Path, synthetic: pd.DataFrame) -> None:
    path = tmp_path / "train.csv"
    write_csv(synthetic, path)
    frame = read_training_cohort(path)
    assert len(frame) == 500
    assert set(frame["event"].unique()) <= {0.0, 1.0, 2.0}
    assert (frame["time_months"] > 0).all()


@pytest.mark.parametrize(
    ("column", "value"), [("time_months", "0"), ("event", "3"), ("treated_after_procedure", "2")]
)
def test_training_reader_rejects_bad_outcomes(
    tmp_path: Path, synthetic: pd.DataFrame, column: str, value: str
) -> None:
    frame = synthetic.head(3).copy()
    frame[column] = frame[column].astype(object)
    frame.loc[frame.index[1], column] = value
    path = tmp_path / "train.csv"
    write_csv(frame, path)
    with pytest.raises(InvalidCohort, match=f"row 2 {column}='{value}'"):
        read_training_cohort(path)


def _one_typed_row(tmp_path: Path, synthetic: pd.DataFrame, **columns: object) -> pd.DataFrame:
    """Validation errors of the first synthetic row written to Parquet with ``columns`` typed."""
    csv = tmp_path / "one.csv"
    write_csv(synthetic.head(1), csv)
    frame = pd.read_csv(csv, dtype=str, keep_default_na=False)
    for name, value in columns.items():
        frame[name] = pd.Series([value])
    parquet = tmp_path / "one.parquet"
    frame.to_parquet(parquet, index=False)
    (raw,) = list(read_cohort_chunks(parquet))
    return validate_frame(raw, 1).errors


@pytest.mark.parametrize(
    ("columns", "field", "rule"),
    [
        ({"patient_id": 123}, "patient_id", "must be text"),
        ({"given_name": 5}, "given_name", "must be text"),
        ({"sex": 1}, "sex", "must be one of"),
        ({"procedure_date": pd.Timestamp("2024-02-02 13:30")}, "procedure_date", "time of day"),
        ({"procedure_date": pd.Timestamp("2024-02-02", tz="UTC")}, "procedure_date", "time zone"),
    ],
    ids=["int id", "int name", "int enum", "timestamp with time", "zoned timestamp"],
)
def test_typed_parquet_cells_keep_the_contract_strict(
    tmp_path: Path, synthetic: pd.DataFrame, columns: dict[str, object], field: str, rule: str
) -> None:
    errors = _one_typed_row(tmp_path, synthetic, **columns)
    assert list(errors["field"]) == [field]
    assert rule in str(errors.loc[errors.index[0], "rule"])


def test_a_midnight_parquet_timestamp_is_a_date(tmp_path: Path, synthetic: pd.DataFrame) -> None:
    day = pd.Timestamp(str(synthetic.loc[0, "procedure_date"]))
    assert _one_typed_row(tmp_path, synthetic, procedure_date=day.normalize()).empty


@pytest.mark.parametrize("bad_rows", [(), (2, 5)], ids=["all valid", "two rows rejected"])
def test_validation_hands_on_the_facts_of_exactly_the_valid_rows(
    tmp_path: Path, synthetic: pd.DataFrame, bad_rows: tuple[int, ...]
) -> None:
    write_csv(synthetic.head(40), tmp_path / "cohort.csv")
    raw = next(read_cohort_chunks(tmp_path / "cohort.csv"))
    raw.loc[list(bad_rows), "sex"] = "bogus"
    checked = validate_frame(raw)
    assert len(checked.valid) == 40 - len(bad_rows)
    expected = facts_from_frame(checked.valid)
    assert checked.facts.keys() == expected.keys()
    for name, column in expected.items():
        np.testing.assert_array_equal(checked.facts[name], column, err_msg=name)


def _scored_parquet(tmp_path: Path, synthetic: pd.DataFrame) -> Path:
    """The synthetic cohort scored to Parquet in chunks, as ``osteoref score`` writes it."""
    source, output = tmp_path / "in.csv", tmp_path / "scored.parquet"
    write_csv(synthetic, source)
    score_file_chunked(
        source, output, Assessor.load(DEFAULT_MODEL_PATH, RuleConfig()), 200, carry_inputs=True
    )
    return output


def test_scored_parquet_stores_every_text_column_as_one_arrow_type(
    tmp_path: Path, synthetic: pd.DataFrame
) -> None:
    # Passthrough text is read as large_string, rule labels are objects, joined codes Arrow text:
    # the file's schema must not depend on which of these a column was.
    schema = pq.read_schema(_scored_parquet(tmp_path, synthetic))
    text = {
        field.name: field.type
        for field in schema
        if field.name in {"patient_id", "sex", "pathway", "criteria", "model_name"}
    }
    assert text == dict.fromkeys(text, pa.string()) and len(text) == 5
    assert not any(pa.types.is_large_string(field.type) for field in schema)


def test_scored_parquet_dictionary_encodes_labels_but_not_risks(
    tmp_path: Path, synthetic: pd.DataFrame
) -> None:
    metadata = pq.ParquetFile(_scored_parquet(tmp_path, synthetic)).metadata
    group = metadata.row_group(0)
    encodings = {group.column(i).path_in_schema: group.column(i).encodings for i in range(group.num_columns)}
    assert "RLE_DICTIONARY" in encodings["pathway"]
    assert "RLE_DICTIONARY" not in encodings["new_vertebral_fracture_12m"]
    assert "RLE_DICTIONARY" not in encodings["age_years"]
