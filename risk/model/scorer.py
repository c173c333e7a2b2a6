"""Hand-written scorer built from the artefact: no scikit-learn or DataFrame on the request path."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from math import isnan
from pathlib import Path
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from risk import ops
from risk.facts import Facts
from risk.model.artefact import Artefact, HorizonModel, load_artefact
from risk.model.features import COLUMNS, INPUT_NAMES, INPUTS, TREATED, identity
from risk.model.imputation import (
    Imputation,
    cohort_design,
    impute_record,
    missing_field_masks,
    missing_fields,
)

FloatArray = npt.NDArray[np.float64]
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


def _largest_first(effects: list[float], raw: dict[str, float]) -> tuple[FeatureContribution, ...]:
    """Each input's contribution, largest absolute effect first (ties keep input order).

    ``raw`` is in ``INPUT_NAMES`` order. Positions are sorted by a C-level key and the
    NamedTuples built with ``tuple.__new__``: the obvious version (a Python sort key and
    the generated ``__new__``) cost a third of the scorer's time per record.
    """
    magnitude = [-abs(effect) for effect in effects]
    values = [None if isnan(value) else value for value in raw.values()]
    return tuple(
        [
            _new_tuple(FeatureContribution, (INPUT_NAMES[i], values[i], effects[i]))
            for i in sorted(range(len(effects)), key=magnitude.__getitem__)
        ]
    )


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


Term = tuple[Callable[[ops.Value], ops.Value], str, float, float, float, float]


class RefractureModel:
    """The calibrated re-fracture model, scored by hand from the artefact's numbers."""

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
        h12, h24 = (artefact.horizon(m) for m in HORIZONS)
        self._weights = {m: _scaled(artefact.horizon(m)) for m in HORIZONS}
        self._terms: tuple[Term, ...] = tuple(
            (c.transform, c.input, a12, m12, a24, m24)
            for c, a12, m12, a24, m24 in zip(
                COLUMNS,
                self._weights[12][0].tolist(),
                h12.scaler_mean,
                self._weights[24][0].tolist(),
                h24.scaler_mean,
                strict=True,
            )
        )
        self._b12, self._b24 = h12.intercept, h24.intercept
        self._derivers = tuple((spec.name, spec.derive) for spec in INPUTS)
        # The same terms grouped by input, identity transforms as None: the per-record loop.
        self._terms_by_input = tuple(
            (
                name,
                tuple(
                    (None if t is identity else t, a12, m12, a24, m24)
                    for t, n, a12, m12, a24, m24 in self._terms
                    if n == name
                ),
            )
            for name in INPUT_NAMES
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
        raw = {name: derive(facts) for name, derive in self._derivers}
        values = impute_record(raw, self.imputation)
        values[TREATED] = raw[TREATED] = float(treated)
        lp12, lp24 = self._b12, self._b24
        effects = []
        for name, terms in self._terms_by_input:
            value, effect = values[name], 0.0
            for transform, a12, m12, a24, m24 in terms:
                x = value if transform is None else transform(value)
                effect += a12 * (x - m12)
                lp24 += a24 * (x - m24)
            lp12 += effect
            effects.append(effect)
        risk_12m = _sigmoid(lp12)
        return ModelOutput(
            risk_12m=risk_12m,
            risk_24m=max(_sigmoid(lp24), risk_12m),
            logit_12m=lp12,
            intercept_12m=self._b12,
            contributions=_largest_first(effects, raw),
            missing_inputs=tuple(missing_fields(facts, raw)),
        )

    def linear_predictor(self, facts: Facts, months: int, treated: npt.ArrayLike = 0.0) -> FloatArray:
        """A cohort's log-odds at one horizon, before the 24 ≥ 12 month ordering."""
        design, _ = cohort_design(facts, treated, self.imputation)
        return self._lp(design, months)

    def predict_batch(self, facts: Facts, treated: npt.ArrayLike = 0.0) -> BatchOutput:
        """A cohort's array facts → risks (untreated by default, or per-row ``treated``)."""
        design, missing = cohort_design(facts, treated, self.imputation)
        risk_12m = _expit(self._lp(design, 12))
        risk_24m: FloatArray = np.maximum(_expit(self._lp(design, 24)), risk_12m)
        return BatchOutput(risk_12m=risk_12m, risk_24m=risk_24m, missing=missing_field_masks(facts, missing))

    def _lp(self, design: FloatArray, months: int) -> FloatArray:
        weights, offset = self._weights[months]
        # Column by column, in a fixed order: a row's sum never depends on how many rows
        # share the call (BLAS blocking made chunked and whole-file scores differ in the
        # last bit), so every engine and chunk size gives identical output.
        result: FloatArray = np.full(design.shape[0], offset)
        for column, weight in zip(design.T, weights, strict=True):
            result += column * weight
        return result


def _expit(z: FloatArray) -> FloatArray:
    """The logistic function on a column, as scipy computes it (1 / (1 + libm exp(-z))).

    Imported here, not at the top: scipy.special costs seconds to import and only batch
    scoring needs it, so ``import risk.assess`` and the API's start-up stay free of it.
    numpy's own SIMD ``exp`` differs from libm's in the last bit for ~2 % of values, which
    would change published scores, hence scipy rather than ``1 / (1 + np.exp(-z))``.
    """
    from scipy.special import expit  # noqa: PLC0415 (seconds to import; batch scoring only)

    result: FloatArray = expit(z)
    return result


def _scaled(model: HorizonModel) -> tuple[FloatArray, float]:
    """Fold the scaler into the weights: coef/scale and intercept − Σ coef·mean/scale."""
    weights: FloatArray = np.asarray(model.coefficients) / np.asarray(model.scaler_scale)
    return weights, float(model.intercept - weights @ np.asarray(model.scaler_mean))


def _nan(value: float | None) -> float:
    return math.nan if value is None else value
