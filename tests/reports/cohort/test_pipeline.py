"""The analyst pipeline of docs/analysts.md, run through the CLI exactly as documented.

On an independent two-year registry cohort (tests/registry_cohort.py: its own outcome model,
every event-free patient followed to exactly 24.0 months): score → report gives the full
report with sane 24-month figures; recalibrate on one half → on the other half, which the
recalibration never saw, O/E at 12 and 24 months lies in 0.9–1.1.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from api.cli import app
from risk.cohort import read_training_cohort
from risk.model.artefact import load_artefact
from risk.model.scorer import RefractureModel
from risk.model.survival import aalen_johansen
from risk.model.validation import validate_model
from risk.synth import write_csv
from tests.registry_cohort import registry_cohort

ROOT = Path(__file__).resolve().parents[3]
HALF = 6000


def _run(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two files of one registry: the site's recalibration cohort and later patients."""
    folder = tmp_path_factory.mktemp("registry")
    cohort = registry_cohort(2 * HALF, 812)
    write_csv(cohort.iloc[:HALF], folder / "site.csv")
    write_csv(cohort.iloc[HALF:], folder / "later.csv")
    return folder / "site.csv", folder / "later.csv"


@pytest.mark.slow
def test_score_then_report_gives_the_full_report(registry: tuple[Path, Path], tmp_path: Path) -> None:
    site, _ = registry
    _run("score", "--input", str(site), "--output", str(tmp_path / "scored.csv"))
    _run("report", "--cohort", str(tmp_path / "scored.csv"), "--output", str(tmp_path / "report.html"),
         "--resamples", "20")  # fmt: skip
    numbers = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    performance = numbers["performance"]
    assert performance["status"] == "measured" and not performance["apparent"]
    assert performance["subgroup_notes"] == []  # sex and age travelled through score
    assert {g["name"] for g in performance["subgroups"]} >= {"sex female", "sex male", "age <65"}
    completeness = next(k for k in numbers["kpis"] if k["key"] == "data_completeness")
    assert {"sex", "age_years", "procedure_date", "dxa_date"}.isdisjoint(completeness["missing_columns"])
    assert completeness["numerator"] >= 3
    frame = read_training_cohort(site)
    untreated = frame["treated_after_procedure"].to_numpy() == 0
    time, event = frame["time_months"].to_numpy(dtype=float), frame["event"].to_numpy(dtype=np.int64)
    incidence = aalen_johansen(time[untreated], event[untreated], 24.0)[0]
    at_24 = next(m for m in performance["validation"]["overall"] if m["months"] == 24)
    # The figure was 0.311 against ~0.13 for a constant guess: patients followed to
    # exactly 24.0 months had been dropped. Now it is of the order of a constant guess (the
    # shipped model ranks this registry's patients only weakly: its outcome model differs).
    assert at_24["brier"]["value"] < 1.1 * incidence * (1 - incidence)
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "Model performance at this site" in html
    text = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", html)
    assert not re.search(r"\bnan\b", text, flags=re.IGNORECASE)


@pytest.mark.slow
def test_recalibration_holds_on_patients_it_never_saw(registry: tuple[Path, Path], tmp_path: Path) -> None:
    site, later = registry
    model = tmp_path / "refracture-registry.json"
    printed = _run("recalibrate", "--cohort", str(site), "--site", "registry", "--output", str(model),
                   "--resamples", "0")  # fmt: skip
    assert "held-out check" in printed and "O/E" in printed
    artefact = load_artefact(model)
    assert artefact.recalibration is not None and not artefact.recalibration.forced
    assert "O/E" in _run("validate", "--cohort", str(later), "--model", str(model))
    report = validate_model(RefractureModel(artefact), read_training_cohort(later), resamples=0)
    for metrics in report.overall:
        assert metrics.o_e.value is not None
        assert 0.9 <= metrics.o_e.value <= 1.1, (metrics.months, metrics.o_e)


@pytest.mark.slow
def test_report_on_the_training_cohort_says_apparent_performance(tmp_path: Path) -> None:
    sample = ROOT / "data" / "sample" / "cohort.csv"
    _run("score", "--input", str(sample), "--output", str(tmp_path / "scored.parquet"))
    _run("report", "--cohort", str(tmp_path / "scored.parquet"), "--output", str(tmp_path / "r.html"),
         "--resamples", "0")  # fmt: skip
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "apparent performance: this cohort was used to develop the model" in html.lower()
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["performance"]["apparent"]
