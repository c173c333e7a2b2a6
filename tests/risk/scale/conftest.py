"""Shared assessor and a synthetic cohort with a few invalid rows."""

from __future__ import annotations

import pandas as pd
import pytest

from api.settings import DEFAULT_MODEL_PATH
from risk.assess import Assessor
from risk.synth import synthesize


@pytest.fixture(scope="session")
def assessor() -> Assessor:
    """The shipped model with default rules."""
    return Assessor.load(DEFAULT_MODEL_PATH)


@pytest.fixture(scope="session")
def cohort() -> pd.DataFrame:
    """3,000 synthetic patients; rows 7 and 2,500 break the contract."""
    frame = synthesize(3000, 9).cohort
    frame["sex"] = frame["sex"].astype(object)
    frame.loc[6, "sex"] = "unknown"
    frame["weight_kg"] = frame["weight_kg"].astype(float)
    frame.loc[2499, "weight_kg"] = 999.0
    return frame
