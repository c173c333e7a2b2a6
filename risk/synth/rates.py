"""Observed rates of a cohort: Aalen–Johansen cumulative incidence and simple shares."""

from __future__ import annotations

import numpy as np
import pandas as pd

from risk.model import survival
from risk.synth.draws import Array


def aalen_johansen(time: Array, event: Array, cause: int, at: float) -> float:
    """Cumulative incidence of ``cause`` by ``at`` months, other causes competing, censoring 0.

    The one estimator of ``risk.model.survival`` (same tie and horizon conventions), as a float.
    """
    return float(survival.aalen_johansen(time, event, at, cause=cause)[0])


def cohort_rates(cohort: pd.DataFrame) -> dict[str, float]:
    """The headline rates of docs/synthetic-cohort.md for a cohort frame."""
    time = cohort["time_months"].to_numpy(dtype=float)
    event = cohort["event"].to_numpy(dtype=np.int64)
    dxa = cohort[["t_score_femoral_neck", "t_score_total_hip"]].notna().any(axis=1)
    return {
        "fracture_12m": aalen_johansen(time, event, 1, 12.0),
        "fracture_24m": aalen_johansen(time, event, 1, 24.0),
        "death_12m": aalen_johansen(time, event, 2, 12.0),
        "treated_after_procedure": float(cohort["treated_after_procedure"].mean()),
        "female": float((cohort["sex"] == "female").mean()),
        "dxa_missing": float(1 - dxa.mean()),
    }


def crude_rate(time: Array, event: Array, cause: int, start: float, stop: float) -> float:
    """Events of ``cause`` per person-month observed between ``start`` and ``stop`` months."""
    t = np.asarray(time, dtype=float)
    e = np.asarray(event, dtype=np.int64)
    person_time = np.clip(t, start, stop) - start
    events = (e == cause) & (t > start) & (t <= stop)
    return float(events.sum() / person_time.sum())
