"""Shared fixtures of the model tests: the sample cohort, its fitted pipelines, the shipped model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from risk.cohort.training import read_training_cohort
from risk.facts import Facts
from risk.model.scorer import RefractureModel
from risk.model.train import FittedModels, fit_models
from risk.synth import SynthCohort, synthesize

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def sample_frame() -> pd.DataFrame:
    return read_training_cohort(ROOT / "data" / "sample" / "cohort.csv")


@pytest.fixture(scope="session")
def fitted(sample_frame: pd.DataFrame) -> FittedModels:
    return fit_models(sample_frame)


@pytest.fixture(scope="session")
def shipped() -> RefractureModel:
    return RefractureModel.load(ROOT / "models" / "refracture.json")


@pytest.fixture(scope="session")
def independent() -> SynthCohort:
    return synthesize(20_000, 20_260_101)


def row_facts(facts: Facts, i: int) -> dict[str, Any]:
    """One row of array facts as the Python scalars ``facts_from_record`` would give."""
    return {k: (v[i].item() if hasattr(v[i], "item") else v[i]) for k, v in facts.items()}
