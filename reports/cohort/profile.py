"""Cohort profile: tiers, pathways, priorities, therapies, flags and predicted-risk distribution."""

from __future__ import annotations

import numpy as np
import pandas as pd

from reports.cohort.models import CohortProfile, Count, RiskSummary

NO_TIER = "none (not osteoporosis pathway)"
RISK_SUMMARY_COLUMNS = ("new_vertebral_fracture_12m", "new_vertebral_fracture_24m")


def counts(values: pd.Series, total: int) -> list[Count]:
    """Category counts, largest first, with percent of ``total``."""
    tally = values.value_counts(dropna=False)
    return [
        Count(label=str(label), n=int(n), percent=round(100.0 * int(n) / total, 1) if total else 0.0)
        for label, n in tally.items()
    ]


def flag_counts(flags: pd.Series, total: int) -> list[Count]:
    """How many patients carry each ';'-joined flag code."""
    codes = flags.fillna("").astype(str).str.split(";").explode()
    return counts(codes[codes != ""], total)


def risk_summary(frame: pd.DataFrame, column: str) -> RiskSummary | None:
    """Mean, quartiles and 90th centile of a risk column, in percent."""
    values = 100.0 * frame[column].dropna().to_numpy(dtype=float)
    if values.size == 0:
        return None
    q = np.percentile(values, [25, 50, 75, 90])
    return RiskSummary(
        column=column,
        n=int(values.size),
        mean=round(float(values.mean()), 2),
        quartiles=[round(float(x), 2) for x in q[:3]],
        p90=round(float(q[3]), 2),
    )


def cohort_profile(frame: pd.DataFrame) -> CohortProfile:
    """The profile of a validated scored cohort."""
    n = len(frame)
    risks = [risk_summary(frame, c) for c in RISK_SUMMARY_COLUMNS]
    return CohortProfile(
        n=n,
        tiers=counts(frame["risk_tier"].fillna(NO_TIER), n),
        pathways=counts(frame["pathway"], n),
        priorities=counts(frame["priority"], n),
        therapies=counts(frame["recommended_therapy"], n),
        flags=flag_counts(frame["flags"], n),
        risk=[r for r in risks if r is not None],
    )
