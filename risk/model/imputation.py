"""Missing-input imputation learned on training facts, applied identically to a record or a cohort."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import numpy.typing as npt

from risk import ops
from risk.facts import Facts
from risk.model.features import COLUMNS, INPUTS, TREATED, Impute, ModelInput, identity

MIN_FIT_ROWS = 30  # fewer paired rows than this → no HU↔T fit, fall back to the median


@dataclass(frozen=True)
class Imputation:
    """Learned fill values: a median/prevalence per input, plus linear fits (intercept, slope)."""

    fill: dict[str, float]
    fits: dict[str, tuple[float, float]] = field(default_factory=dict)

    @cached_property
    def rules(self) -> tuple[tuple[str, float, str | None, float, float], ...]:
        """Per input in table order: name, fill value, fit-from input, fit intercept and slope.

        Flattened once: ``impute`` walks it for every scored record.
        """
        return tuple(
            (spec.name, self.fill[spec.name], spec.fit_from, *self.fits[spec.name])
            if spec.fit_from is not None and spec.name in self.fits
            else (spec.name, self.fill[spec.name], None, math.nan, 0.0)
            for spec in INPUTS
        )


_DERIVERS = tuple((spec.name, spec.derive) for spec in INPUTS)  # unpacked once: per record


def raw_inputs(facts: Facts) -> dict[str, ops.Value]:
    """Every model input before imputation (NaN = missing), for a scalar or array facts dict."""
    return {name: derive(facts) for name, derive in _DERIVERS}


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


def impute(raw: dict[str, ops.Value], imputation: Imputation) -> dict[str, ops.Value]:
    """Inputs with every gap filled by its documented rule (the raw dict is not changed).

    The value if present, else the linear fit if it gives a number, else the fill value;
    one record's floats and a cohort's columns go through this same code.
    """
    fill_nan = ops.fill_nan
    return {
        name: fill_nan(raw[name], fill if fit is None else fill_nan(intercept + slope * raw[fit], fill))
        for name, fill, fit, intercept, slope in imputation.rules
    }


def _absent(value: object) -> ops.Value:
    """Where a fact is missing: absent, or a NaN number (any other kind is present)."""
    if type(value) is np.ndarray:
        array = np.asarray(value)
        return np.isnan(array) if array.dtype.kind == "f" else np.zeros(array.shape, dtype=bool)
    return value is None or (isinstance(value, float) and math.isnan(value))


def missing_masks(facts: Facts, raw: dict[str, ops.Value]) -> dict[str, ops.Value]:
    """Per contract field, where the model had to impute it: a bool (one record) or a column.

    An imputed input names its absent fields, or all its reported fields when none of
    them is absent (e.g. a T-score present but unusable); input-table order.
    """
    masks: dict[str, ops.Value] = {}
    for input_name, reported in _REPORTED:
        value = raw[input_name]
        if not ops.any_nan(value):
            continue
        imputed = ops.isnan(value)  # shapes the result: a cohort's column absent is a scalar True
        if len(reported) == 1:  # the one field is named, absent or not (most inputs)
            masks[reported[0]] = masks.get(reported[0], False) | imputed
            continue
        absent = [_absent(facts.get(name)) for name in reported]
        none_absent = ops.not_(ops.any_of(*absent))
        for name, gone in zip(reported, absent, strict=True):
            masks[name] = masks.get(name, False) | (imputed & (gone | none_absent))
    return masks


_REPORTED = tuple((spec.name, spec.reported or spec.sources) for spec in INPUTS)
_TRANSFORMS = tuple((c.input, None if c.transform is identity else c.transform) for c in COLUMNS)


def design_columns(values: dict[str, ops.Value]) -> list[ops.Value]:
    """The design columns, in ``COLUMNS`` order, of imputed inputs and ``TREATED`` (training)."""
    return [values[name] if t is None else t(values[name]) for name, t in _TRANSFORMS]


def design_matrix(values: dict[str, ops.Value], treated: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """The (n, p) design matrix of imputed array inputs (training), column order of ``COLUMNS``."""
    n = len(values[INPUTS[0].name])
    # Filled in place (no stacking copies), column-major: each column is written and later
    # read as one contiguous run, where row-major strides cost several times as much.
    design = np.empty((n, len(COLUMNS)), dtype=float, order="F")
    for j, column in enumerate(design_columns({**values, TREATED: np.asarray(treated, dtype=float)})):
        design[:, j] = column
    return design


def cohort_design(
    facts: Facts, treated: npt.ArrayLike, imputation: Imputation
) -> tuple[npt.NDArray[np.float64], dict[str, npt.NDArray[np.bool_]]]:
    """Design matrix and per-input missing masks of a cohort's array facts."""
    raw = raw_inputs(facts)
    missing = {k: np.isnan(np.asarray(v, dtype=float)) for k, v in raw.items()}
    return design_matrix(impute(raw, imputation), treated), missing
