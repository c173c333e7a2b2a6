"""Model performance at a site from a scored cohort with §3 outcomes, reusing ``risk.model``.

The scored file holds the *untreated* predicted risk, so it is checked against the
outcomes of patients not treated after the procedure (``treated_after_procedure`` = 0);
without that column every row is used and the report says so.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from reports.cohort.models import IncidencePoint, NetBenefit, Performance, SubgroupResult
from risk.model.fingerprint import cohort_fingerprint
from risk.model.report import ValidationReport
from risk.model.survival import aalen_johansen, horizon_target
from risk.model.validation import (
    AGE_BANDS,
    BOOTSTRAP_RESAMPLES,
    calibration_bins,
    calibration_flags,
    metrics_for,
)

FloatArray = npt.NDArray[np.float64]
OUTCOME_COLUMNS = ("time_months", "event")
RISK_BY_MONTHS = {12: "new_vertebral_fracture_12m", 24: "new_vertebral_fracture_24m"}
MIN_EVENTS, MIN_PATIENTS = 50, 200
THRESHOLDS = tuple(round(t, 2) for t in np.arange(0.02, 0.41, 0.02))
INCIDENCE_MONTHS = tuple(range(0, 25, 2))
TIER_GROUPS = (("very_high", "very high"), ("high", "high"), (None, "no tier"))
APPARENT = "apparent performance: this cohort was used to develop the model"


def _population(frame: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    rows = frame[frame["new_vertebral_fracture_12m"].notna() & frame["time_months"].notna()]
    rows = rows[rows["event"].notna()]
    if "treated_after_procedure" in rows:
        return rows[rows["treated_after_procedure"] == 0].reset_index(drop=True), (
            "patients not treated after the procedure (treated_after_procedure = 0), "
            "compared with their untreated predicted risk"
        )
    return rows.reset_index(drop=True), (
        "all scored patients with outcomes; treated_after_procedure is absent, so treated "
        "patients are included and observed risk will be lower than the untreated prediction"
    )


def _arrays(rows: pd.DataFrame) -> tuple[dict[int, FloatArray], FloatArray, npt.NDArray[np.int64]]:
    predictions = {m: rows[c].to_numpy(dtype=float) for m, c in RISK_BY_MONTHS.items()}
    return predictions, rows["time_months"].to_numpy(dtype=float), rows["event"].to_numpy(dtype=np.int64)


def net_benefit(
    p: FloatArray, time: FloatArray, event: npt.NDArray[np.int64], months: int
) -> list[NetBenefit]:
    """Decision curve with IPC weights: NB = TP/n − FP/n · t/(1−t), against treat-all."""
    target = horizon_target(time, event, months)
    if not target.estimable:
        return []
    w, y, score = target.weight, target.y, p[target.keep]
    n = w.sum()
    prevalence = (w * y).sum() / n
    curve = []
    for t in THRESHOLDS:
        odds = t / (1 - t)
        treat = score >= t
        tp, fp = (w * y * treat).sum() / n, (w * (1 - y) * treat).sum() / n
        curve.append(
            NetBenefit(
                threshold=t,
                model=round(float(tp - fp * odds), 5),
                treat_all=round(float(prevalence - (1 - prevalence) * odds), 5),
            )
        )
    return curve


def incidence_by_tier(frame: pd.DataFrame) -> list[IncidencePoint]:
    """Observed cumulative incidence (Aalen–Johansen, death competing) over 0–24 months per tier."""
    points = []
    for tier, label in TIER_GROUPS:
        rows = frame[frame["risk_tier"].isna()] if tier is None else frame[frame["risk_tier"] == tier]
        if rows.empty:
            continue
        time, event = rows["time_months"].to_numpy(dtype=float), rows["event"].to_numpy(dtype=np.int64)
        incidence = [float(aalen_johansen(time, event, m)[0]) for m in INCIDENCE_MONTHS]
        points += [
            IncidencePoint(group=label, n=len(rows), months=m, incidence=i if np.isfinite(i) else None)
            for m, i in zip(INCIDENCE_MONTHS, incidence, strict=True)
        ]
    return points


def _subgroup_masks(rows: pd.DataFrame) -> tuple[dict[str, npt.NDArray[np.bool_]], list[str]]:
    masks: dict[str, npt.NDArray[np.bool_]] = {}
    notes = []
    if "sex" in rows:
        masks |= {f"sex {s}": (rows["sex"] == s).to_numpy(dtype=bool) for s in ("female", "male")}
    else:
        notes.append("subgroups by sex not measurable: column sex is missing")
    if "age_years" in rows:
        age = rows["age_years"].to_numpy(dtype=float)
        masks |= {name: (age >= low) & (age < high) for name, low, high in AGE_BANDS}
    else:
        notes.append("subgroups by age band not measurable: column age_years is missing")
    return masks, notes


def subgroups(rows: pd.DataFrame, resamples: int, seed: int) -> tuple[list[SubgroupResult], list[str]]:
    """Fairness: the same metrics by sex and age band, flagged when small."""
    predictions, time, event = _arrays(rows)
    masks, notes = _subgroup_masks(rows)
    results = []
    for name, mask in masks.items():
        metrics = metrics_for(
            {m: p[mask] for m, p in predictions.items()}, time[mask], event[mask], resamples, seed
        )
        events = min(m.events for m in metrics)
        small = events < MIN_EVENTS or int(mask.sum()) < MIN_PATIENTS
        warning = (
            f"{name}: {int(mask.sum())} patients, {events} events by 12 months "
            f"(< {MIN_EVENTS} events or < {MIN_PATIENTS} patients); estimates are unstable"
        )
        results.append(
            SubgroupResult(
                name=name,
                n=int(mask.sum()),
                metrics=metrics,
                warning=warning if small else None,
                flags=calibration_flags(name, metrics),
            )
        )
    return results, notes


def is_training_cohort(frame: pd.DataFrame, training_fingerprint: str | None) -> bool:
    """Whether a scored cohort is the model's own training data (same patients and outcomes)."""
    return training_fingerprint is not None and cohort_fingerprint(frame) == training_fingerprint


def site_performance(
    frame: pd.DataFrame,
    *,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = 0,
    model: str = "",
    training_fingerprint: str | None = None,
) -> Performance:
    """Discrimination, calibration, decision curve, incidence by tier and fairness, if measurable.

    ``training_fingerprint`` is the scoring model's ``training_data.fingerprint``: when the
    cohort matches it the figures are labelled apparent performance, not this site's.
    """
    missing = [c for c in OUTCOME_COLUMNS if c not in frame.columns]
    if missing:
        return Performance(status="not_measurable", population="", missing_columns=missing)
    apparent = is_training_cohort(frame, training_fingerprint)
    rows, population = _population(frame)
    predictions, time, event = _arrays(rows)
    name, _, version = model.partition(" ")
    design = f"{APPARENT}; {population}" if apparent else f"this site: {population}"
    validation = ValidationReport(
        model_name=name or "model", model_version=version, design=design, n=len(rows),
        overall=metrics_for(predictions, time, event, resamples, seed), subgroups=[],
        calibration_bins=calibration_bins(predictions, time, event),
    )  # fmt: skip
    groups, notes = subgroups(rows, resamples, seed)
    return Performance(
        status="measured", population=population, apparent=apparent, validation=validation, subgroups=groups,
        subgroup_notes=notes, decision_curve=net_benefit(predictions[12], time, event, 12),
        incidence=incidence_by_tier(rows),
    )  # fmt: skip
