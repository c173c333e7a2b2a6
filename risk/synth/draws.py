"""Small vectorised sampling helpers shared by the covariate and procedure generators."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from scipy.special import expit, logit, ndtr, ndtri

Array = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]


def truncated_normal(
    rng: np.random.Generator, n: int, *, mean: float, sd: float, low: float, high: float
) -> Array:
    """Normal draws truncated to [low, high] by inverse CDF (no pile-up at the bounds)."""
    lo, hi = ndtr((low - mean) / sd), ndtr((high - mean) / sd)
    out: Array = mean + sd * ndtri(rng.uniform(lo, hi, n))
    return out


def bernoulli(rng: np.random.Generator, p: float | Array, n: int) -> BoolArray:
    """Independent yes/no draws with probability ``p`` (scalar or per row)."""
    out: BoolArray = rng.random(n) < p
    return out


def logistic(
    rng: np.random.Generator, p_reference: float, log_terms: Sequence[tuple[float, Array]]
) -> BoolArray:
    """Yes/no with log-odds logit(p_reference) + Σ ln(OR)·x: reference patient has x = 0."""
    eta = np.full(len(log_terms[0][1]), logit(p_reference))
    for odds_ratio, x in log_terms:
        eta = eta + np.log(odds_ratio) * x
    return bernoulli(rng, expit(eta), eta.shape[0])


def categorical(rng: np.random.Generator, probs: Sequence[float], n: int) -> IntArray:
    """Category codes 0..k-1 for probabilities ``probs`` (the last one is the remainder)."""
    edges = np.cumsum(np.asarray(probs, dtype=float))[:-1]
    codes: IntArray = np.searchsorted(edges, rng.random(n), side="right").astype(np.int64)
    return codes


def round_to(x: Array, step: float) -> Array:
    """Round to a recording precision (0.1 for T-scores, 1 for HU, …)."""
    out: Array = np.round(x / step) * step
    return np.round(out, 6)
