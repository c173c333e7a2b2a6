"""A cohort's identity that survives scoring: which patients, followed how long, with what outcome.

The training artefact records it, and the cohort report recomputes it on a *scored* file to
say "apparent performance" when the report is run on the model's own development data. The
file bytes cannot serve (scoring rewrites every row), so the fingerprint hashes only the
columns scoring carries through unchanged: patient_id and the contract §3 outcomes, sorted by
patient so that row order and file format (CSV or Parquet) do not matter.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

FINGERPRINT_COLUMNS = ("patient_id", "time_months", "event")


def cohort_fingerprint(frame: pd.DataFrame) -> str | None:
    """SHA-256 of the sorted (patient_id, time_months, event) rows; None without those columns."""
    if any(c not in frame.columns for c in FINGERPRINT_COLUMNS) or frame.empty:
        return None
    time = frame["time_months"].to_numpy(dtype=float, na_value=np.nan)
    event = frame["event"].to_numpy(dtype=float, na_value=np.nan)
    lines = sorted(
        f"{pid}\t{t:.6f}\t{e:.0f}"
        for pid, t, e in zip(frame["patient_id"].astype(str), time, event, strict=True)
    )
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()
