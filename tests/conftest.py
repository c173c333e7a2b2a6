"""Shared fixtures: settings pointing at the shipped model, an app client with lifespan."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import DEFAULT_MODEL_PATH, Settings


@pytest.fixture
def settings() -> Settings:
    """Settings with the shipped model artefact."""
    return Settings(model_path=DEFAULT_MODEL_PATH)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """A TestClient whose lifespan has loaded the model."""
    with TestClient(create_app(settings)) as test_client:
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
