"""The osteoref CLI: score (exit status = rejected rows), synth, and one-line user errors."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from api.cli import app
from risk.whole_file import WholeFile

runner = CliRunner()
HEADER = "patient_id,sex,age_years,procedure_date,assessment_date,treated_levels,pcp_name"
ROWS = [
    "P1,female,72,2024-01-10,2024-02-01,T12;L1,Dr One",
    "P2,female,17,2024-01-10,2024-02-01,L1,Dr Two",
    "P3,male,80,2024-01-10,2024-02-01,L1;L1,Dr Three",
    "P4,male,66,2024-01-10,2024-02-01,L2,Dr Four",
]


def _cohort(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "cohort.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def test_score_writes_valid_rows_and_errors_and_exits_3_for_failed_rows(tmp_path: Path) -> None:
    out = tmp_path / "scored.csv"
    result = runner.invoke(app, ["score", "--input", str(_cohort(tmp_path, ROWS)), "--output", str(out)])
    assert result.exit_code == 3, result.output
    assert "scored 2 rows" in result.output
    scored = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(scored["patient_id"]) == ["P1", "P4"]
    assert list(scored["pcp_name"]) == ["Dr One", "Dr Four"]
    assert set(scored["refer_to_pcp"]) <= {"true", "false"}
    errors = pd.read_csv(tmp_path / "scored.errors.csv", dtype=str)
    assert list(errors["row"]) == ["2", "3"]
    assert list(errors["field"]) == ["age_years", "treated_levels"]
    assert list(errors["value"]) == ["17", "L1;L1"]


def test_score_all_valid_exits_zero_and_writes_parquet(tmp_path: Path) -> None:
    out = tmp_path / "scored.parquet"
    source = _cohort(tmp_path, [ROWS[0], ROWS[3]])
    errors = tmp_path / "bad.csv"
    result = runner.invoke(
        app, ["score", "-i", str(source), "-o", str(out), "--errors", str(errors), "--chunk-rows", "1"]
    )
    assert result.exit_code == 0, result.output
    assert list(pd.read_parquet(out)["patient_id"]) == ["P1", "P4"]
    assert pd.read_csv(errors).empty


def test_synth_then_score_round_trip(tmp_path: Path) -> None:
    cohort = tmp_path / "synth.csv"
    made = runner.invoke(app, ["synth", "--n", "300", "--seed", "3", "--output", str(cohort)])
    assert made.exit_code == 0, made.output
    scored = runner.invoke(app, ["score", "-i", str(cohort), "-o", str(tmp_path / "s.csv")])
    assert scored.exit_code == 0, scored.output
    assert len(pd.read_csv(tmp_path / "s.csv")) == 300


def test_unknown_column_is_one_red_line_without_traceback(tmp_path: Path) -> None:
    source = tmp_path / "odd.csv"
    source.write_text("patient_id,shoe_size\nP1,9\n", encoding="utf-8")
    result = runner.invoke(app, ["score", "-i", str(source), "-o", str(tmp_path / "o.csv")])
    assert result.exit_code == 2
    assert "unknown column(s): shoe_size" in result.output
    assert "Traceback" not in result.output
    assert result.output.strip().count("\n") == 0


def test_missing_file_and_bad_suffix_are_user_errors(tmp_path: Path) -> None:
    missing = runner.invoke(app, ["score", "-i", str(tmp_path / "none.csv"), "-o", str(tmp_path / "o.csv")])
    suffix = runner.invoke(app, ["synth", "--output", str(tmp_path / "c.xlsx")])
    assert missing.exit_code == 2 and "no such file" in missing.output
    assert suffix.exit_code == 2 and "unsupported file type .xlsx" in suffix.output


def test_unusable_model_artefact_is_a_user_error(tmp_path: Path) -> None:
    broken = tmp_path / "model.json"
    broken.write_text("{}", encoding="utf-8")
    result = runner.invoke(
        app, ["validate", "--cohort", str(_cohort(tmp_path, ROWS)), "--model", str(broken)]
    )
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_unknown_column_names_the_missing_required_one_and_the_closest_name(tmp_path: Path) -> None:
    source = tmp_path / "gender.csv"
    source.write_text(HEADER.replace("sex", "gender") + "\n" + ROWS[0] + "\n", encoding="utf-8")
    result = runner.invoke(app, ["score", "-i", str(source), "-o", str(tmp_path / "o.csv")])
    assert result.exit_code == 2
    assert "unknown column(s): gender (did you mean sex?); missing required column(s): sex" in result.output
    typo = tmp_path / "typo.csv"
    typo.write_text(HEADER.replace("procedure_date", "procedur_date") + "\n", encoding="utf-8")
    result = runner.invoke(app, ["score", "-i", str(typo), "-o", str(tmp_path / "o.csv")])
    assert "procedur_date (did you mean procedure_date?)" in result.output


def test_a_byte_that_is_not_utf8_names_its_row_and_column(tmp_path: Path) -> None:
    source = tmp_path / "latin1.csv"
    rows = [ROWS[0], ROWS[3].replace("Dr Four", "Dr Müller")]
    source.write_bytes(("\n".join([HEADER, *rows]) + "\n").encode("latin-1"))
    result = runner.invoke(app, ["score", "-i", str(source), "-o", str(tmp_path / "o.csv")])
    assert result.exit_code == 2
    assert "not UTF-8: byte 0xFC in data row 2 (file line 3), column pcp_name" in result.output


def test_a_run_stopped_by_bad_input_says_nothing_was_written_and_keeps_earlier_output(tmp_path: Path) -> None:
    out = tmp_path / "o.csv"
    assert (
        runner.invoke(app, ["score", "-i", str(_cohort(tmp_path, ROWS[:1])), "-o", str(out)]).exit_code == 0
    )
    earlier = out.read_bytes()
    source = tmp_path / "latin1.csv"
    rows = [*ROWS, ROWS[3].replace("Dr Four", "Dr Müller")]
    source.write_bytes(("\n".join([HEADER, *rows]) + "\n").encode("latin-1"))
    result = runner.invoke(app, ["score", "-i", str(source), "-o", str(out), "--chunk-rows", "2"])
    assert result.exit_code == 2
    assert "column pcp_name; save the file as UTF-8; nothing was written" in result.output
    assert out.read_bytes() == earlier  # rows 1-4 were scored before row 5 failed: none of them kept
    assert not any(p.name.endswith(".partial") for p in tmp_path.iterdir())


@pytest.mark.parametrize("output", ["cohort.csv", "no-such-folder/o.csv"])
def test_an_output_that_is_the_input_or_cannot_be_written_is_one_red_line(
    tmp_path: Path, output: str
) -> None:
    source = _cohort(tmp_path, ROWS)
    before = source.read_bytes()
    result = runner.invoke(app, ["score", "-i", str(source), "-o", str(tmp_path / output)])
    assert result.exit_code == 2, result.output
    assert result.output.startswith("error: ")
    assert "Traceback" not in result.output and result.output.strip().count("\n") == 0
    assert ("is the input file" if output == "cohort.csv" else "No such file or directory") in result.output
    assert source.read_bytes() == before


def test_a_second_run_onto_an_output_being_written_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "o.csv"
    running = WholeFile(out)  # another run, still writing
    try:
        result = runner.invoke(app, ["score", "-i", str(_cohort(tmp_path, ROWS)), "-o", str(out)])
    finally:
        running.discard()
    assert result.exit_code == 2
    assert f"error: another run is writing {out} now" in result.output
    assert not out.exists()


@pytest.mark.parametrize("name", ["c.csv", "c.parquet"])
def test_synth_into_a_folder_that_is_not_there_is_one_red_line(tmp_path: Path, name: str) -> None:
    result = runner.invoke(app, ["synth", "--n", "5", "--output", str(tmp_path / "none" / name)])
    assert result.exit_code == 2
    assert result.output.startswith("error: cannot write ") and "Traceback" not in result.output


def test_train_never_overwrites_an_artefact_unasked_and_records_the_file_hash(tmp_path: Path) -> None:
    cohort = tmp_path / "synth.csv"
    assert runner.invoke(app, ["synth", "--n", "400", "--seed", "5", "-o", str(cohort)]).exit_code == 0
    existing = tmp_path / "model.json"
    existing.write_text("keep me", encoding="utf-8")
    refused = runner.invoke(app, ["train", "--cohort", str(cohort), "--output", str(existing)])
    assert refused.exit_code == 2 and "pass --force" in refused.output
    assert existing.read_text(encoding="utf-8") == "keep me"
    written = tmp_path / "new.json"
    assert runner.invoke(app, ["train", "--cohort", str(cohort), "--output", str(written)]).exit_code == 0
    artefact = json.loads(written.read_text(encoding="utf-8"))
    assert hashlib.sha256(cohort.read_bytes()).hexdigest() in json.dumps(artefact)


def test_synth_demo_pcp_columns_make_a_letter_run_possible(tmp_path: Path) -> None:
    cohort = tmp_path / "demo.csv"
    result = runner.invoke(app, ["synth", "--n", "5", "--seed", "2", "--demo-pcp", "-o", str(cohort)])
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(cohort, dtype=str)
    assert set(frame["pcp_name"]) == {"Dr Demo Practitioner"}
    assert runner.invoke(app, ["score", "-i", str(cohort), "-o", str(tmp_path / "s.csv")]).exit_code == 0


def test_help_texts_have_no_swallowed_defaults_or_rst_markup() -> None:
    score = runner.invoke(app, ["score", "--help"], env={"COLUMNS": "200"}).output
    synth = runner.invoke(app, ["synth", "--help"], env={"COLUMNS": "200"}).output
    assert "OSTEOREF_MODEL_PATH" in score and "local cluster of 2 workers" in score
    assert "``" not in score and "artefact ." not in score and "scheduler ." not in score
    assert "Cohort file to write" in synth and "Scored file" not in synth


def test_output_is_not_wrapped_at_80_columns_when_not_a_terminal(tmp_path: Path) -> None:
    deep = tmp_path / ("d" * 70) / "scored.csv"
    deep.parent.mkdir()
    result = runner.invoke(app, ["score", "-i", str(_cohort(tmp_path, [ROWS[0]])), "-o", str(deep)])
    assert str(deep) in result.output.replace("\n", "") and f"→ {deep}" in result.output


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_duplicate_column_is_one_red_line_in_both_formats(tmp_path: Path, suffix: str) -> None:
    """Two ``sex`` columns: which one holds the patient's sex is not guessed (Parquet once crashed)."""
    names = HEADER.split(",")
    cells = ROWS[0].split(",")
    position = names.index("sex")
    source = tmp_path / f"twice.{suffix}"
    if suffix == "csv":
        header = ",".join([*names, "sex"])
        source.write_text(header + "\n" + ",".join([*cells, cells[position]]) + "\n", encoding="utf-8")
    else:
        arrays = [pa.array([cell]) for cell in [*cells, cells[position]]]
        pq.write_table(pa.Table.from_arrays(arrays, names=[*names, "sex"]), source)
    result = runner.invoke(app, ["score", "-i", str(source), "-o", str(tmp_path / f"o.{suffix}")])
    assert result.exit_code == 2, result.output
    assert "duplicate column(s): sex; each field may appear once" in result.output
    assert "Traceback" not in result.output
