"""Hand-written scorer built from the artefact: no scikit-learn or DataFrame on the request path."""

from __future__ import annotations

import math
from dataclasses import dataclass
from math import isnan
from pathlib import Path
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from risk import ops
from risk.facts import Facts
from risk.model.artefact import Artefact, HorizonModel, load_artefact
from risk.model.features import COLUMNS, INPUT_NAMES, TREATED, as_float, identity
from risk.model.imputation import Imputation, impute, missing_masks, raw_inputs

FloatArray = npt.NDArray[np.float64]
_ARRAY = np.ndarray
HORIZONS = (12, 24)


class FeatureContribution(NamedTuple):
    """One input's share of the 12-month linear predictor (coef × standardised value).

    A NamedTuple rather than a dataclass: seventeen are built per scored record.
    """

    feature: str
    value: float | None  # the raw input; None when it was imputed
    effect: float


@dataclass(frozen=True, slots=True)
class ModelOutput:
    """One record's model result; risks are untreated unless another treatment was asked for."""

    risk_12m: float
    risk_24m: float  # never below risk_12m (the larger of the two horizon models)
    logit_12m: float
    intercept_12m: float  # logit_12m = intercept_12m + sum of contribution effects
    contributions: tuple[FeatureContribution, ...]
    missing_inputs: tuple[str, ...]


@dataclass(frozen=True)
class BatchOutput:
    """A cohort's risks and which inputs were imputed, row by row."""

    risk_12m: FloatArray
    risk_24m: FloatArray
    missing: dict[str, npt.NDArray[np.bool_]]  # per contract field: rows where it was imputed

    def missing_inputs(self) -> list[str]:
        """Per row, the imputed contract fields joined with ';' (empty string when none)."""
        names = [n for n in self.missing if self.missing[n].any()]
        masks = np.column_stack([self.missing[n] for n in names]) if names else None
        if masks is None:
            return [""] * self.risk_12m.size
        return [";".join(n for n, m in zip(names, row, strict=True) if m) for row in masks]


_new_tuple = tuple.__new__


def _largest_first(effects: list[float], raw: list[float]) -> tuple[FeatureContribution, ...]:
    """Each input's contribution, largest absolute effect first (ties keep input order).

    ``raw`` is the inputs before imputation, in ``INPUT_NAMES`` order. Positions are sorted
    by a C-level key and the NamedTuples built with ``tuple.__new__``: the obvious version
    (a Python sort key and the generated ``__new__``) cost a third of the scorer's time.
    """
    magnitude = [-abs(effect) for effect in effects]
    values = [None if isnan(value) else value for value in raw]
    return tuple(
        [
            _new_tuple(FeatureContribution, (INPUT_NAMES[i], values[i], effects[i]))
            for i in sorted(range(len(effects)), key=magnitude.__getitem__)
        ]
    )


class RefractureModel:
    """The calibrated re-fracture model, scored by hand from the artefact's numbers.

    One computation (``_scores``) serves one record's floats and a cohort's numpy columns:
    ``predict`` and ``predict_batch`` only adapt its input and output.
    """

    def __init__(self, artefact: Artefact) -> None:
        self.artefact = artefact
        self.name, self.version = artefact.model_name, artefact.model_version
        self.imputation = Imputation(
            fill={i.input: i.value for i in artefact.imputation},
            fits={
                i.input: (_nan(i.fit_intercept), i.fit_slope or 0.0)
                for i in artefact.imputation
                if i.fit_from is not None
            },
        )
        h12 = artefact.horizon(12)
        # Python floats, not numpy scalars: one record's arithmetic stays plain floats.
        (w12, self._offset12), (w24, self._offset24) = (_scaled(artefact.horizon(m)) for m in HORIZONS)
        self._b12 = h12.intercept
        # Per design column: its input, transform (None: identity, no call), both weights,
        # and for the explanation the input's position and the 12-month scaler mean.
        self._terms = tuple(
            (
                c.input,
                None if c.transform is identity else c.transform,
                a12,
                a24,
                INPUT_NAMES.index(c.input),
                m,
            )
            for c, a12, a24, m in zip(COLUMNS, w12, w24, h12.scaler_mean, strict=True)
        )

    @classmethod
    def from_artefact(cls, artefact: Artefact) -> RefractureModel:
        """A scorer for an artefact already in memory."""
        return cls(artefact)

    @classmethod
    def load(cls, path: Path | str) -> RefractureModel:
        """Load and check an artefact file (``ModelArtefactError`` if unusable)."""
        return cls(load_artefact(Path(path)))

    def predict(self, facts: Facts, treated: float = 0.0) -> ModelOutput:
        """One record's scalar facts → risks (untreated by default), contributions, gaps."""
        effects, treated = [0.0] * len(INPUT_NAMES), float(treated)
        raw, lp12, risk_12m, risk_24m = self._scores(facts, treated, effects)
        return ModelOutput(
            risk_12m=risk_12m,
            risk_24m=risk_24m,
            logit_12m=lp12,
            intercept_12m=self._b12,
            contributions=_largest_first(effects, [*raw.values(), treated]),
            missing_inputs=tuple(name for name, imputed in missing_masks(facts, raw).items() if imputed),
        )

    def predict_batch(self, facts: Facts, treated: npt.ArrayLike = 0.0) -> BatchOutput:
        """A cohort's array facts → risks (untreated by default, or per-row ``treated``)."""
        raw, _, risk_12m, risk_24m = self._scores(facts, np.asarray(treated, dtype=float))
        return BatchOutput(risk_12m=risk_12m, risk_24m=risk_24m, missing=missing_masks(facts, raw))

    def linear_predictor(self, facts: Facts, months: int, treated: npt.ArrayLike = 0.0) -> FloatArray:
        """A cohort's log-odds at one horizon, before the 24 ≥ 12 month ordering."""
        values = impute(raw_inputs(facts), self.imputation)
        values[TREATED] = np.asarray(treated, dtype=float)
        lp: FloatArray = self._lp(values)[HORIZONS.index(months)]
        return lp

    def _scores(
        self, facts: Facts, treated: ops.Value, effects: list[float] | None = None
    ) -> tuple[dict[str, ops.Value], ops.Value, ops.Value, ops.Value]:
        """Raw inputs, 12-month log-odds and both risks: the model, once, for a record or a cohort.

        Every step is written against scalars-or-arrays operations, so one record scores
        exactly (bit for bit) as its row of a cohort does.
        """
        raw = raw_inputs(facts)
        values = impute(raw, self.imputation)  # a fresh dict: the treatment joins it
        values[TREATED] = as_float(treated)
        lp12, lp24 = self._lp(values, effects)
        risk_12m = _expit(lp12)
        risk_24m = _at_least(_expit(lp24), risk_12m)  # the 24-month risk is never below the 12
        return raw, lp12, risk_12m, risk_24m

    def _lp(
        self, values: dict[str, ops.Value], effects: list[float] | None = None
    ) -> tuple[ops.Value, ops.Value]:
        """The 12- and 24-month log-odds, offset + Σ column × weight, over the design columns.

        With ``effects`` (one record's explanation) each column's 12-month effect, coef ×
        standardised value, is added to its input's entry on the way.
        """
        lp12, lp24 = self._offset12, self._offset24
        # Column by column, in a fixed order: a row's sum never depends on how many rows
        # share the call (BLAS blocking made chunked and whole-file scores differ in the
        # last bit), so every engine, chunk size and a single record give identical output.
        # For a cohort the first ``+=`` makes a fresh array and the rest add in place.
        for name, transform, w12, w24, position, mean in self._terms:
            column = values[name] if transform is None else transform(values[name])
            lp12 += column * w12
            lp24 += column * w24
            if effects is not None:
                effects[position] += w12 * (column - mean)
        return lp12, lp24


def _at_least(value: ops.Value, floor: ops.Value) -> ops.Value:
    if type(value) is _ARRAY:  # ops.is_array inlined: twice per scored record
        return np.maximum(value, floor)
    return max(value, floor)


def _expit(z: ops.Value) -> ops.Value:
    """The logistic function as scipy computes it, 1 / (1 + libm exp(-z)), on a float or a column.

    scipy.special is imported here, not at the top: it costs seconds to import and only
    cohorts need it, so ``import risk.assess`` and the API's start-up stay free of it.
    numpy's own SIMD ``exp`` differs from libm's in the last bit for ~2 % of values, which
    would change published scores, hence scipy rather than ``1 / (1 + np.exp(-z))``; for
    one record ``math.exp`` is that same libm ``exp``, so both forms agree bit for bit.
    """
    if type(z) is not _ARRAY:
        try:
            return 1.0 / (1.0 + math.exp(-z))
        except OverflowError:  # exp(-z) is inf for scipy: 1 / inf
            return 0.0
    from scipy.special import expit  # noqa: PLC0415 (seconds to import; batch scoring only)

    return expit(z)


def _scaled(model: HorizonModel) -> tuple[list[float], float]:
    """Fold the scaler into the weights: coef/scale and intercept − Σ coef·mean/scale."""
    weights: FloatArray = np.asarray(model.coefficients) / np.asarray(model.scaler_scale)
    return weights.tolist(), float(model.intercept - weights @ np.asarray(model.scaler_mean))


def _nan(value: float | None) -> float:
    return math.nan if value is None else value
