"""`osteoref fhir-assess`: one JSON object (or the Bundle with --fhir); user errors are one line."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from api.cli_fhir import fhir_assess
from tests.api.fhir.factories import bundle, full_patient, patient

app = typer.Typer()
app.command()(fhir_assess)
runner = CliRunner()


def _write(tmp_path: Path, body: object, name: str = "bundle.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(body), encoding="utf-8")
    return str(path)


def test_prints_record_assessment_and_report(tmp_path: Path) -> None:
    result = runner.invoke(app, [_write(tmp_path, bundle(full_patient())), "--assessment-date", "2024-03-15"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert set(out) == {"record", "assessment", "mapping_report"}
    assert out["record"]["t_score_femoral_neck"] == -2.8
    assert out["assessment"]["pathway"] == "oncology"
    assert out["mapping_report"]["problems"] == []


def test_fhir_flag_prints_the_bundle(tmp_path: Path) -> None:
    result = runner.invoke(
        app, [_write(tmp_path, bundle([patient()])), "--assessment-date", "2024-03-15", "--fhir"]
    )
    assert result.exit_code == 0
    out = json.loads(result.stdout)
    assert out["resourceType"] == "Bundle"
    assert [e["resource"]["resourceType"] for e in out["entry"]] == ["OperationOutcome"]


def test_not_applicable_prints_nulls(tmp_path: Path) -> None:
    result = runner.invoke(app, [_write(tmp_path, bundle([patient()])), "--assessment-date", "2024-03-15"])
    out = json.loads(result.stdout)
    assert out["record"] is None and out["assessment"] is None
    assert out["mapping_report"]["not_applicable"] is True


def test_user_errors_are_one_line_and_non_zero(tmp_path: Path) -> None:
    cases = [
        [str(tmp_path / "missing.json")],
        [_write(tmp_path, [1, 2], "list.json")],
        [_write(tmp_path, {"resourceType": "Patient"}, "patient.json")],
        [_write(tmp_path, bundle([patient()])), "--assessment-date", "15/03/2024"],
    ]
    for args in cases:
        result = runner.invoke(app, args)
        assert result.exit_code == 2
        assert result.stderr.startswith("error: ")
        assert result.stderr.count("\n") == 1
