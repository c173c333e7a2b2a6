"""Illustrative FLS event columns for a synthetic scored cohort (demos, notebooks, tests only).

Real sites export these columns from their FLS records; nothing here is clinical evidence.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from reports.cohort.kpis import DRUG_RECOMMENDATIONS

# column → (share of eligible patients with an event, low, high days after the index date)
EVENT_DAYS: dict[str, tuple[float, int, int]] = {
    "fls_identification_date": (0.85, 0, 14),
    "fls_assessment_date": (0.80, 7, 120),
    "falls_assessment_date": (0.60, 7, 150),
    "treatment_start_date_after": (0.70, 14, 160),
    "follow_up_contact_date": (0.65, 60, 140),
}
STILL_ON_TREATMENT_SHARE = 0.55


def _event_dates(
    rng: np.random.Generator, index: pd.Series, eligible: npt.NDArray[np.bool_], spec: tuple[float, int, int]
) -> pd.Series:
    share, low, high = spec
    happened = eligible & (rng.random(len(index)) < share)
    days = rng.integers(low, high + 1, size=len(index))
    dates = index + pd.to_timedelta(days, unit="D")
    return dates.where(happened)


def with_fls_columns(scored: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    """``scored`` (carrying ``procedure_date``) plus synthetic KPI-only columns."""
    rng = np.random.default_rng(seed)
    out = scored.copy()
    index = pd.to_datetime(out["fracture_date"]).fillna(pd.to_datetime(out["procedure_date"]))
    everyone = np.ones(len(out), dtype=bool)
    recommended = out["recommended_therapy"].isin(DRUG_RECOMMENDATIONS).to_numpy(dtype=bool)
    for column, spec in EVENT_DAYS.items():
        eligible = recommended if column == "treatment_start_date_after" else everyone
        out[column] = _event_dates(rng, index, eligible, spec)
    started = out["treatment_start_date_after"].notna().to_numpy(dtype=bool)
    on_drug = rng.random(len(out)) < STILL_ON_TREATMENT_SHARE
    out["on_treatment_52w"] = pd.array(np.where(started, on_drug, False), dtype="boolean")
    out.loc[~started, "on_treatment_52w"] = pd.NA
    return out
