"""An independent two-year registry cohort: not risk.synth's outcome model, not its follow-up.

Patients (the contract §1 columns) are borrowed from ``risk.synth``; their outcomes are drawn
here from a different, deliberately simple model: a steeper age effect and a higher baseline
than the shipped model's training data, a two-piece constant fracture hazard, deaths rising
with age, and registry follow-up — every event-free patient is censored at exactly 24.0
months (no loss to follow-up), as in most fracture registries.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from risk.facts import facts_from_frame
from risk.model.imputation import raw_inputs
from risk.synth import synthesize

REGISTRY_MONTHS = 24.0
# log hazard ratios of this generator (the shipped training data's differ)
AGE_PER_DECADE = 0.55
FEMALE, PRIOR_FRACTURE, PER_SD_LOWER_T, TREATED = 0.6, 0.9, 0.25, np.log(0.45)
BASE_RATE = 0.0075  # per month, first 6 months at reference; half of it afterwards


def registry_cohort(n: int, seed: int) -> pd.DataFrame:
    """``n`` patients with registry-shaped (time_months, event, treated_after_procedure)."""
    frame = synthesize(n, seed).cohort.copy()
    rng = np.random.default_rng(seed + 1)
    raw = raw_inputs(facts_from_frame(frame))
    age = np.asarray(raw["age"], dtype=float)
    lowest_t = np.nan_to_num(np.asarray(raw["lowest_t"], dtype=float), nan=-3.0)
    treated = frame["treated_after_procedure"].to_numpy(dtype=float)
    log_hr = (
        AGE_PER_DECADE * (age - 75.0) / 10
        + FEMALE * (frame["sex"] == "female").to_numpy(dtype=float)
        + PRIOR_FRACTURE * (frame["prior_fragility_fractures"].to_numpy(dtype=float) > 0)
        + PER_SD_LOWER_T * (-3.0 - lowest_t) / 0.9
        + TREATED * treated
    )
    early = BASE_RATE * np.exp(log_hr)
    first = rng.exponential(1.0, n) / early
    late = 6.0 + rng.exponential(1.0, n) / (0.5 * early)
    fracture = np.where(first <= 6.0, first, late)
    death = rng.exponential(1.0, n) / (0.004 * np.exp(0.7 * (age - 75.0) / 10))
    ends = np.minimum(fracture, death)
    followed = ends <= REGISTRY_MONTHS
    frame["time_months"] = np.where(followed, np.round(ends, 3).clip(min=0.001), REGISTRY_MONTHS)
    codes = np.where(followed, np.where(fracture <= death, 1, 2), 0)
    frame["event"] = pd.array(codes, dtype="Int64")
    return frame
