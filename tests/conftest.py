"""Shared fixtures: settings pointing at the shipped model, an app client with lifespan."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.auth.principal import create_key
from api.context import context_of
from api.main import create_app
from api.settings import DEFAULT_MODEL_PATH, Settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings with the shipped model artefact and a fresh SQLite database."""
    return Settings(model_path=DEFAULT_MODEL_PATH, database_url=f"sqlite:///{tmp_path / 'test.db'}")


class UnusedPdfRenderer:
    """Stands in for the PDF process pool in tests that never render a PDF (saves a pool start)."""

    async def render(self, html: str) -> bytes:
        raise AssertionError("this test was not meant to render a PDF")


@contextmanager
def clinician_client(settings: Settings) -> Iterator[TestClient]:
    """A TestClient of a fresh app (lifespan run), sending a clinician's API key."""
    app = create_app(settings, pdf_renderer=UnusedPdfRenderer())
    with TestClient(app) as test_client:
        key = create_key(context_of(test_client).database, "clinician", "tests", None)
        test_client.headers["Authorization"] = f"Bearer {key}"
        yield test_client


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """A TestClient whose lifespan has loaded the model, authenticated as a clinician."""
    with clinician_client(settings) as test_client:
        yield test_client


@pytest.fixture
def record() -> dict[str, Any]:
    """A valid PatientRecord body (JSON types)."""
    return {
        "patient_id": "P-0001",
        "given_name": "Ada",
        "family_name": "Lovelace",
        "sex": "female",
        "birth_date": "1948-05-17",
        "procedure_date": "2024-03-01",
        "fracture_date": "2024-02-20",
        "assessment_date": "2024-03-15",
        "treated_levels": ["T12", "L1"],
        "t_score_femoral_neck": -2.8,
        "prior_fragility_fractures": 1,
        "current_smoker": True,
    }
