"""The inference path stays import-light: no training, plotting or cluster libraries loaded.

Each check runs in a fresh interpreter, because this test session has long since imported
scikit-learn and matplotlib through other tests.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

# pypdf only joins print batches: the service must not pay for it before /ready.
HEAVY = ("sklearn", "scipy", "matplotlib", "dask", "distributed", "pypdf")
ROOT = Path(__file__).resolve().parents[2]

# Loaded on first use, not before /ready: the FHIR models and the outbound HTTP client (with
# the CLI extras httpx imports) cost ~0.3 s of start-up (docs/performance.md, "Start-up").
FIRST_USE = ("fhir.resources", "fhir_core", "httpx")
REPORT_LOADED = """
import json, sys
print(json.dumps(sorted(m for m in {watched!r} if m in sys.modules)))
"""

APP_START_UP = """
import sys
from fastapi.testclient import TestClient
from api.main import create_app
from api.settings import DEFAULT_MODEL_PATH, Settings
settings = Settings(model_path=DEFAULT_MODEL_PATH, database_url="sqlite:///" + sys.argv[1])
with TestClient(create_app(settings)) as client:
    assert client.get("/ready").status_code == 200
"""


def loaded_after(code: str, *args: str, watched: tuple[str, ...] = HEAVY) -> list[str]:
    """The ``watched`` modules in ``sys.modules`` after ``code`` ran in a new interpreter."""
    done = subprocess.run(
        [sys.executable, "-c", code + REPORT_LOADED.format(watched=watched), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    loaded: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return loaded


@pytest.mark.parametrize(
    "module", ["risk.assess", "risk.model.scorer", "risk.model.artefact", "risk.scale", "api.analytics"]
)
def test_the_inference_modules_load_no_training_plotting_or_dask_library(module: str) -> None:
    assert loaded_after(f"import {module}") == []


def test_the_app_start_up_loads_no_training_plotting_or_dask_library(tmp_path: Path) -> None:
    assert loaded_after(APP_START_UP, str(tmp_path / "test.db")) == []


def test_the_check_sees_a_heavy_library_when_one_is_loaded() -> None:
    # Training still imports scikit-learn: the check above would notice if the scorer did.
    assert "sklearn" in loaded_after("import risk.model.develop")


def test_batch_scoring_still_gives_scipy_s_logistic_function() -> None:
    # scipy is imported on the first batch call only; the scores are scipy's expit, bit for bit.
    code = """
import numpy as np
from risk.model.scorer import _expit
from scipy.special import expit
z = np.linspace(-40.0, 40.0, 100_001)
assert np.array_equal(_expit(z), expit(z))
"""
    assert "scipy" in loaded_after(code)


def test_importing_the_app_loads_neither_the_fhir_models_nor_the_http_client() -> None:
    # The TestClient of the other start-up test imports httpx itself: this one stays at the import.
    assert loaded_after("import api.main", watched=FIRST_USE) == []


def test_the_first_fhir_mapping_loads_the_fhir_models() -> None:
    # The other side: the check above would notice the models, and they do load when needed.
    code = """
import datetime as dt
from api.fhir.mapping import map_bundle
entry = {"resource": {"resourceType": "Patient", "id": "p", "gender": "female", "birthDate": "1950-01-01"}}
bundle = {"resourceType": "Bundle", "type": "collection", "entry": [entry]}
map_bundle(bundle, assessment_date=dt.date(2026, 1, 1))
"""
    assert loaded_after(code, watched=FIRST_USE) == ["fhir.resources", "fhir_core"]
