"""Discrimination and calibration of the model on a validation cohort, overall and per subgroup."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import pandas as pd

from risk.facts import facts_from_frame
from risk.model.features import TREATED
from risk.model.imputation import raw_inputs
from risk.model.metrics import (
    bootstrap_counts,
    calibration_intercept,
    calibration_slope,
    interval,
    logit,
    weighted_auc,
    weighted_brier,
)
from risk.model.report import CalibrationBin, Estimate, HorizonMetrics, Subgroup, ValidationReport
from risk.model.scorer import HORIZONS, RefractureModel
from risk.model.survival import FRACTURE, aalen_johansen, horizon_target
from risk.model.train import eligible, outcome_arrays

FloatArray = npt.NDArray[np.float64]
BOOTSTRAP_RESAMPLES = 200
MIN_SUBGROUP_EVENTS = 50
FLAG_O_E_RANGE = (0.8, 1.25)
CALIBRATION_BINS = 10
AGE_BANDS: tuple[tuple[str, float, float], ...] = (
    ("age <65", -math.inf, 65),
    ("age 65–74", 65, 75),
    ("age 75–84", 75, 85),
    ("age ≥85", 85, math.inf),
)


def _metric_rows(
    p: FloatArray, time: FloatArray, event: npt.NDArray[np.int64], months: int, counts: FloatArray
) -> dict[str, FloatArray]:
    """Every metric, one value per weight row (row 0 = the data as observed); NaN = not estimable."""
    target = horizon_target(time, event, months)
    weights = counts[:, target.keep] * target.weight
    known, lp = p[target.keep], logit(p[target.keep])
    observed = aalen_johansen(time, event, months, counts)
    expected = (counts * p).sum(axis=1) / counts.sum(axis=1)
    rows = {
        "auc": weighted_auc(known, target.y, weights),
        "brier": weighted_brier(known, target.y, weights),
        "observed": observed,
        "expected": expected,
        "o_e": observed / expected,
        "calibration_slope": calibration_slope(lp, target.y, weights),
        "calibration_intercept": calibration_intercept(lp, target.y, weights),
    }
    if not target.estimable:  # h beyond the follow-up: only the mean prediction is a number
        rows = {k: v if k == "expected" else np.full_like(v, np.nan) for k, v in rows.items()}
    return rows


def horizon_metrics(
    p: FloatArray,
    time: FloatArray,
    event: npt.NDArray[np.int64],
    months: int,
    *,
    resamples: int = 0,
    seed: int = 0,
) -> HorizonMetrics:
    """Metrics of predicted risks at one horizon, with bootstrap 95% intervals if resamples > 0."""
    counts = np.ones((1, p.size))
    if resamples:
        counts = np.vstack((counts, bootstrap_counts(p.size, resamples, seed)))
    with np.errstate(divide="ignore", invalid="ignore"):  # empty groups: NaN, reported as not estimable
        rows = _metric_rows(p, time, event, months, counts)
    estimates = {name: Estimate.of(float(values[0]), *_bounds(values[1:])) for name, values in rows.items()}
    events = int(((event == FRACTURE) & (time <= months)).sum())
    return HorizonMetrics(months=months, n=int(p.size), events=events, **estimates)


def _bounds(values: FloatArray) -> tuple[float | None, float | None]:
    if values.size == 0:
        return (None, None)
    return interval(values)


def miscalibration(metrics: list[HorizonMetrics]) -> float:
    """Σ over horizons of |log O/E| + |log slope|: 0 when calibrated, inf when not estimable."""
    total = 0.0
    for m in metrics:
        o_e, slope = m.o_e.value, m.calibration_slope.value
        if o_e is None or slope is None or o_e <= 0 or slope <= 0:
            return math.inf
        total += abs(math.log(o_e)) + abs(math.log(slope))
    return total


def calibration_flags(group: str, metrics: list[HorizonMetrics]) -> list[str]:
    """Subgroups with enough events to judge whose O/E lies outside 0.8–1.25 (issue 12 §5)."""
    low, high = FLAG_O_E_RANGE
    return [
        f"{group} {m.months} mo: O/E {m.o_e} lies outside {low}–{high} "
        f"with {m.events} events (≥ {MIN_SUBGROUP_EVENTS}): miscalibrated in this subgroup"
        for m in metrics
        if m.events >= MIN_SUBGROUP_EVENTS and m.o_e.value is not None and not low <= m.o_e.value <= high
    ]


def metrics_for(
    predictions: dict[int, FloatArray],
    time: FloatArray,
    event: npt.NDArray[np.int64],
    resamples: int = 0,
    seed: int = 0,
) -> list[HorizonMetrics]:
    """Metrics at every horizon (used for the shipped model and for challengers alike)."""
    return [
        horizon_metrics(predictions[m], time, event, m, resamples=resamples, seed=seed)
        for m in sorted(predictions)
    ]


def calibration_bins(
    predictions: dict[int, FloatArray], time: FloatArray, event: npt.NDArray[np.int64]
) -> list[CalibrationBin]:
    """Risk-ordered groups of equal size: mean predicted vs Aalen–Johansen observed."""
    bins = []
    for months, p in sorted(predictions.items()):
        for rows in np.array_split(np.argsort(p, kind="stable"), CALIBRATION_BINS):
            if rows.size == 0:
                continue
            observed = aalen_johansen(time[rows], event[rows], months)[0]
            if not np.isfinite(observed):
                continue  # this risk group's follow-up ends before the horizon
            bins.append(
                CalibrationBin(
                    months=months,
                    n=int(rows.size),
                    predicted=float(p[rows].mean()),
                    observed=float(observed),
                )
            )
    return bins


def _subgroup_masks(frame: pd.DataFrame) -> dict[str, npt.NDArray[np.bool_]]:
    facts = facts_from_frame(frame)
    age = np.asarray(raw_inputs(facts)["age"], dtype=float)
    masks = {f"sex {s}": np.asarray(facts["sex"] == s, dtype=bool) for s in ("female", "male")}
    masks.update({name: (age >= low) & (age < high) for name, low, high in AGE_BANDS})
    return masks


def validate_model(
    model: RefractureModel,
    cohort_frame: pd.DataFrame,
    *,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = 0,
    design: str = "external cohort",
) -> ValidationReport:
    """Validate the shipped scorer, predicting as actually treated, on a cohort with outcomes."""
    frame = cohort_frame.loc[eligible(facts_from_frame(cohort_frame))].reset_index(drop=True)
    time, event = outcome_arrays(frame)
    treated = frame[TREATED].to_numpy(dtype=float)
    batch = model.predict_batch(facts_from_frame(frame), treated)
    predictions = {12: batch.risk_12m, 24: batch.risk_24m}
    subgroups, warnings = [], []
    for name, mask in _subgroup_masks(frame).items():
        sub = {m: p[mask] for m, p in predictions.items()}
        metrics = metrics_for(sub, time[mask], event[mask], resamples, seed)
        subgroups.append(Subgroup(name=name, metrics=metrics))
        warnings += [
            f"{name}: only {m.events} events by {m.months} months (< {MIN_SUBGROUP_EVENTS}); "
            "estimates are unstable"
            for m in metrics
            if m.events < MIN_SUBGROUP_EVENTS
        ] + calibration_flags(name, metrics)
    return ValidationReport(
        model_name=model.name,
        model_version=model.version,
        design=design,
        n=len(frame),
        overall=metrics_for(predictions, time, event, resamples, seed),
        subgroups=subgroups,
        calibration_bins=calibration_bins(predictions, time, event),
        warnings=warnings,
    )


__all__ = [
    "HORIZONS",
    "calibration_flags",
    "horizon_metrics",
    "metrics_for",
    "miscalibration",
    "validate_model",
]
