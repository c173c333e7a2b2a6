"""The parameter table, the generated document and the illustrative patients."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from risk.contract import PatientRecord
from risk.synth import PARAMETERS, parameter_table_markdown, synthesize, write_csv
from risk.synth.document import DOC_PATH, synthetic_cohort_markdown
from risk.synth.parameters import param

ROOT = Path(__file__).resolve().parents[3]
PATIENTS = ROOT / "data" / "sample" / "patients"
PATIENT_FILES = sorted(PATIENTS.glob("*.json"))


def test_document_is_up_to_date() -> None:
    # Regenerate with: uv run python -m risk.synth.document
    assert DOC_PATH.read_text(encoding="utf-8") == synthetic_cohort_markdown()


def test_document_embeds_the_parameter_table() -> None:
    assert parameter_table_markdown() in DOC_PATH.read_text(encoding="utf-8")


def test_every_parameter_row_is_documented() -> None:
    names = [row.name for row in PARAMETERS]
    assert len(names) == len(set(names))
    for row in PARAMETERS:
        assert row.meaning and row.source
        assert row.confidence in {"[V]", "[M]", "[?]", "[C]"}


def test_parameter_table_has_one_markdown_row_per_parameter() -> None:
    rows = parameter_table_markdown().splitlines()
    assert len(rows) == len(PARAMETERS) + 2


def test_unknown_parameter_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        param("no_such_parameter")


def test_category_shares_sum_to_one() -> None:
    levels = [row.value for row in PARAMETERS if row.name.startswith("level_")]
    drugs = [row.value for row in PARAMETERS if row.name.startswith("drug_") and "_max_" not in row.name]
    assert sum(levels) == pytest.approx(1.0)
    assert sum(drugs) == pytest.approx(1.0)


def test_shipped_sample_cohort_is_seed_7(tmp_path: Path) -> None:
    write_csv(synthesize(5000, seed=7).cohort, tmp_path / "cohort.csv")
    shipped = ROOT / "data" / "sample" / "cohort.csv"
    assert (tmp_path / "cohort.csv").read_bytes() == shipped.read_bytes()


def test_there_are_ten_illustrative_patients() -> None:
    assert len(PATIENT_FILES) == 10


@pytest.mark.parametrize("path", PATIENT_FILES, ids=[p.stem for p in PATIENT_FILES])
def test_illustrative_patient_is_a_valid_record_of_contract_fields(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    keys = set(json.loads(text))
    assert keys <= set(PatientRecord.model_fields)
    assert "assessment_date" in keys
    PatientRecord.model_validate_json(text)


def test_patients_readme_lists_every_file() -> None:
    readme = (PATIENTS / "README.md").read_text(encoding="utf-8")
    assert all(f"`{path.name}`" in readme for path in PATIENT_FILES)
