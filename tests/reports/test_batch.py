"""Letter runs: files and manifest, resume on unchanged input, re-render on change, bad rows."""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path

import pytest

from reports import MANIFEST_NAME, ManifestRow, ScoredRow, run_letters
from reports.batch import input_hash
from reports.render import render_html
from tests.reports.factories import (
    LETTERHEAD,
    RECIPIENT,
    REFERRER,
    make_assessment,
    make_record,
    oncology_assessment,
    trauma_assessment,
)


def cohort(given_name: str = "Grace") -> list[ScoredRow]:
    def row(pid: str, assessment_maker: object = make_assessment, **record: object) -> ScoredRow:
        assessment = assessment_maker().model_copy(update={"patient_id": pid})  # type: ignore[operator]
        return ScoredRow(make_record(patient_id=pid, **record), assessment, RECIPIENT, REFERRER, pid)

    return [
        row("A1", given_name=given_name),
        row("A2"),
        row("ONC", oncology_assessment),
        row("TR", trauma_assessment, fracture_cause="high_energy_trauma"),
        ScoredRow(make_record(patient_id="NOPCP"), make_assessment(patient_id="NOPCP"), None, None, "NOPCP"),
    ]


def manifest(out: Path) -> dict[str, dict[str, str]]:
    with (out / MANIFEST_NAME).open(encoding="utf-8") as handle:
        return {row["row_id"]: row for row in csv.DictReader(handle)}


def test_run_writes_letters_and_manifest(tmp_path: Path) -> None:
    progress: list[tuple[int, int | None]] = []
    rows = run_letters(
        cohort(), tmp_path, letterhead=LETTERHEAD, html=True, jobs=2,
        progress=lambda done, total: progress.append((done, total)),
    )  # fmt: skip
    assert [r.status for r in rows] == ["rendered"] * 4 + ["error"]
    written = manifest(tmp_path)
    assert written["A1"]["files"] == (
        "A1_pcp_letter.html;A1_pcp_letter.pdf;A1_patient_copy.html;A1_patient_copy.pdf"
    )
    assert written["ONC"]["documents"] == "oncology_notification"
    assert written["TR"]["files"] == "TR_trauma_dxa_note.html;TR_trauma_dxa_note.pdf"
    assert written["NOPCP"]["errors"] == "pcp_name is required for a letter (contract §4)"
    assert written["NOPCP"]["files"] == ""
    assert written["A1"]["priority"] == "soon"
    assert written["A1"]["pcp_name"] == "Dr Paula Primary"
    assert written["A1"]["pcp_address"] == "2 River Street;Rivertown"
    assert len(written["A1"]["input_hash"]) == 64
    assert (tmp_path / "A1_pcp_letter.pdf").read_bytes().startswith(b"%PDF-")
    assert progress[-1] == (5, 5)


def test_rerun_skips_unchanged_and_rerenders_changed(tmp_path: Path) -> None:
    run_letters(cohort(), tmp_path, letterhead=LETTERHEAD)
    before = (tmp_path / "A2_pcp_letter.pdf").stat().st_mtime_ns
    again = run_letters(cohort(given_name="Grace Changed"), tmp_path, letterhead=LETTERHEAD)
    status = {r.row_id: r.status for r in again}
    assert status == {
        "A1": "rendered", "A2": "unchanged", "ONC": "unchanged", "TR": "unchanged", "NOPCP": "error",
    }  # fmt: skip
    assert (tmp_path / "A2_pcp_letter.pdf").stat().st_mtime_ns == before
    assert manifest(tmp_path)["A2"]["files"] == "A2_pcp_letter.pdf;A2_patient_copy.pdf"


def test_missing_file_or_html_option_rerenders(tmp_path: Path) -> None:
    run_letters(cohort()[:2], tmp_path, letterhead=LETTERHEAD)
    (tmp_path / "A1_patient_copy.pdf").unlink()
    rows = run_letters(cohort()[:2], tmp_path, letterhead=LETTERHEAD)
    assert [r.status for r in rows] == ["rendered", "unchanged"]
    rows = run_letters(cohort()[:2], tmp_path, letterhead=LETTERHEAD, html=True)
    assert [r.status for r in rows] == ["rendered", "rendered"]


def test_a_failing_row_does_not_stop_the_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def flaky(*args: object, **kwargs: object) -> str:
        if getattr(args[1], "patient_id", "") == "A1":
            raise RuntimeError("template exploded")
        return render_html(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("reports.batch.render_html", flaky)
    rows = run_letters(cohort(), tmp_path, letterhead=LETTERHEAD, jobs=1)
    assert rows[0].status == "error"
    assert rows[0].errors == ["RuntimeError: template exploded"]
    assert [r.status for r in rows[1:4]] == ["rendered"] * 3
    assert not (tmp_path / "A1.inputs.json").exists()


def test_duplicate_patient_and_mismatched_assessment_are_row_errors(tmp_path: Path) -> None:
    first = cohort()[0]
    duplicate = replace(first, row_id="again")
    mismatched = ScoredRow(make_record(patient_id="X"), make_assessment(patient_id="Y"), RECIPIENT, None, "X")
    rows: list[ManifestRow] = run_letters([first, duplicate, mismatched], tmp_path, letterhead=LETTERHEAD)
    assert rows[1].errors == ["duplicate patient_id: letters already written for row A1"]
    assert rows[2].errors == ["assessment.patient_id does not match the record's patient_id"]


def test_input_hash_changes_with_any_input() -> None:
    first = cohort()[0]
    record, assessment, recipient, referrer = first.record, first.assessment, first.recipient, first.referrer
    base = input_hash(record, assessment, recipient, referrer, letterhead=LETTERHEAD, html=False)
    assert base == input_hash(record, assessment, recipient, referrer, letterhead=LETTERHEAD, html=False)
    assert base != input_hash(record, assessment, recipient, None, letterhead=LETTERHEAD, html=False)
    assert base != input_hash(record, assessment, recipient, referrer, letterhead=LETTERHEAD, html=True)
    other = LETTERHEAD.model_copy(update={"phone": "1"})
    assert base != input_hash(record, assessment, recipient, referrer, letterhead=other, html=False)
