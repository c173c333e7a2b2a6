"""A scored synthetic cohort with FLS columns, built once per session."""

from __future__ import annotations

import pandas as pd
import pytest

from api.settings import DEFAULT_MODEL_PATH
from reports.cohort.demo import with_fls_columns
from risk.assess import Assessor
from risk.cohort.schemas import validate_scored_cohort
from risk.scale import score_chunk
from risk.synth import synthesize


@pytest.fixture(scope="session")
def scored() -> pd.DataFrame:
    """1,500 synthetic patients scored with the shipped model, carrying report inputs and §3."""
    cohort = synthesize(1500, 21).cohort
    chunk = score_chunk(cohort, Assessor.load(DEFAULT_MODEL_PATH), carry_inputs=True)
    return validate_scored_cohort(chunk.scored)


@pytest.fixture(scope="session")
def scored_fls(scored: pd.DataFrame) -> pd.DataFrame:
    """The scored cohort plus synthetic KPI-only columns."""
    return validate_scored_cohort(with_fls_columns(scored, seed=3))
