"""Missing-input imputation learned on training facts, applied identically to a record or a cohort."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from math import isnan

import numpy as np
import numpy.typing as npt

from risk import ops
from risk.facts import Facts
from risk.model.features import COLUMNS, INPUTS, TREATED, Impute, ModelInput

MIN_FIT_ROWS = 30  # fewer paired rows than this → no HU↔T fit, fall back to the median


@dataclass(frozen=True)
class Imputation:
    """Learned fill values: a median/prevalence per input, plus linear fits (intercept, slope)."""

    fill: dict[str, float]
    fits: dict[str, tuple[float, float]] = field(default_factory=dict)


def raw_inputs(facts: Facts) -> dict[str, ops.Value]:
    """Every model input before imputation (NaN = missing), for a scalar or array facts dict."""
    return {spec.name: spec.derive(facts) for spec in INPUTS}


def _centre(values: npt.NDArray[np.float64], spec: ModelInput) -> float:
    present = values[~np.isnan(values)]
    if present.size == 0:
        return 0.0  # a column nobody filled in carries no information; any constant will do
    return float(np.median(present) if spec.impute is Impute.MEDIAN else np.mean(present))


def _linear_fit(y: npt.NDArray[np.float64], x: npt.NDArray[np.float64]) -> tuple[float, float]:
    both = ~np.isnan(y) & ~np.isnan(x)
    if both.sum() < MIN_FIT_ROWS or np.ptp(x[both]) == 0:
        return (math.nan, 0.0)  # NaN intercept → always fall back to the median
    slope, intercept = np.polyfit(x[both], y[both], 1)
    return (float(intercept), float(slope))


def learn_imputation(facts: Facts) -> Imputation:
    """Fill values from a training cohort's array facts."""
    raw = {k: np.asarray(v, dtype=float) for k, v in raw_inputs(facts).items()}
    fill = {spec.name: _centre(raw[spec.name], spec) for spec in INPUTS}
    fits = {
        spec.name: _linear_fit(raw[spec.name], raw[spec.fit_from])
        for spec in INPUTS
        if spec.fit_from is not None
    }
    return Imputation(fill=fill, fits=fits)


def _filled(spec: ModelInput, raw: dict[str, ops.Value], imputation: Imputation) -> ops.Value:
    value = raw[spec.name]
    fallback: ops.Value = imputation.fill[spec.name]
    fit = imputation.fits.get(spec.name)
    if spec.fit_from is not None and fit is not None:
        intercept, slope = fit
        fitted = intercept + slope * raw[spec.fit_from]
        fallback = ops.where(ops.isnan(fitted), fallback, fitted)
    return ops.where(ops.isnan(value), fallback, value)


def impute(raw: dict[str, ops.Value], imputation: Imputation) -> dict[str, ops.Value]:
    """Inputs with every gap filled by its documented rule (the raw dict is not changed)."""
    return {spec.name: _filled(spec, raw, imputation) for spec in INPUTS}


def impute_record(raw: dict[str, float], imputation: Imputation) -> dict[str, float]:
    """``impute`` for one record's floats, without the array machinery (the request path).

    Same rule as ``_filled``: the value if present, else the linear fit if it gives a
    number, else the fill value; a test checks both agree on every sample record.
    """
    values: dict[str, float] = {}
    for spec in INPUTS:
        value = raw[spec.name]
        if isnan(value):  # the input is missing
            value = imputation.fill[spec.name]
            fit = imputation.fits.get(spec.name) if spec.fit_from is not None else None
            if fit is not None and spec.fit_from is not None:
                fitted = fit[0] + fit[1] * raw[spec.fit_from]
                value = value if isnan(fitted) else fitted
        values[spec.name] = value
    return values


def missing_fields(facts: Facts, raw: dict[str, ops.Value]) -> list[str]:
    """Contract fields one record's model had to impute, in input-table order."""
    names: list[str] = []
    for spec in INPUTS:
        if not math.isnan(raw[spec.name]):
            continue
        reported = spec.reported or spec.sources
        absent = [n for n in reported if math.isnan(_as_number(facts.get(n, math.nan)))]
        names.extend(absent or reported)
    return names


def _as_number(value: object) -> float:
    return value if isinstance(value, float) else math.nan if value is None else 0.0


def _absent(facts: Facts, name: str, n: int) -> npt.NDArray[np.bool_]:
    column = facts.get(name)
    if column is None:
        return np.ones(n, dtype=bool)
    array = np.asarray(column)
    return np.isnan(array) if array.dtype.kind == "f" else np.zeros(n, dtype=bool)


def missing_field_masks(
    facts: Facts, missing: dict[str, npt.NDArray[np.bool_]]
) -> dict[str, npt.NDArray[np.bool_]]:
    """Per contract field, the cohort rows where it was imputed (same rule as ``missing_fields``)."""
    masks: dict[str, npt.NDArray[np.bool_]] = {}
    for spec in INPUTS:
        imputed = missing[spec.name]
        if not imputed.any():
            continue
        reported = spec.reported or spec.sources
        absent = {n: _absent(facts, n, imputed.size) for n in reported}
        none_absent = ~np.logical_or.reduce(list(absent.values()))
        for name in reported:
            masks[name] = masks.get(name, False) | (imputed & (absent[name] | none_absent))
    return masks


def design_matrix(values: dict[str, ops.Value], treated: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """The (n, p) design matrix of imputed array inputs, column order of ``COLUMNS``."""
    columns = {**values, TREATED: np.asarray(treated, dtype=float)}
    n = len(values[INPUTS[0].name])
    # Filled in place (no stacking copies), column-major: each column is written and later
    # read as one contiguous run, where row-major strides cost several times as much.
    design = np.empty((n, len(COLUMNS)), dtype=float, order="F")
    for j, column in enumerate(COLUMNS):
        design[:, j] = column.transform(columns[column.input])
    return design


def cohort_design(
    facts: Facts, treated: npt.ArrayLike, imputation: Imputation
) -> tuple[npt.NDArray[np.float64], dict[str, npt.NDArray[np.bool_]]]:
    """Design matrix and per-input missing masks of a cohort's array facts."""
    raw = raw_inputs(facts)
    missing = {k: np.isnan(np.asarray(v, dtype=float)) for k, v in raw.items()}
    return design_matrix(impute(raw, imputation), treated), missing
