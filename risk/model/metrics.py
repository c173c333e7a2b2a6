"""Weighted performance metrics, vectorised over bootstrap weight rows (B, n) so CIs stay cheap."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
NEWTON_STEPS = 40
MAX_STEP = 1.0


def logit(p: FloatArray) -> FloatArray:
    """log(p / (1 − p)), clipped away from 0 and 1."""
    q = np.clip(p, 1e-12, 1 - 1e-12)
    result: FloatArray = np.log(q / (1 - q))
    return result


def weighted_auc(score: FloatArray, y: FloatArray, weights: FloatArray) -> FloatArray:
    """Weighted concordance of cases (y = 1) over controls, ties counted half; one per weight row."""
    w = np.atleast_2d(weights)
    order = np.argsort(score, kind="stable")
    s, cases, w = score[order], y[order] > 0.5, w[:, order]
    _, starts = np.unique(s, return_index=True)
    case_w = np.add.reduceat(w * cases, starts, axis=1)
    ctrl_w = np.add.reduceat(w * ~cases, starts, axis=1)
    below = np.cumsum(ctrl_w, axis=1) - ctrl_w
    concordant = (case_w * (below + 0.5 * ctrl_w)).sum(axis=1)
    pairs = case_w.sum(axis=1) * ctrl_w.sum(axis=1)
    result: FloatArray = concordant / np.where(pairs > 0, pairs, np.nan)
    return result


def weighted_brier(p: FloatArray, y: FloatArray, weights: FloatArray) -> FloatArray:
    """IPCW Brier score on the known-status rows (NaN for a row without any)."""
    w = np.atleast_2d(weights)
    total = w.sum(axis=1)
    result: FloatArray = (w * (p - y) ** 2).sum(axis=1) / np.where(total > 0, total, np.nan)
    return result


def both_classes(y: FloatArray, weights: FloatArray) -> npt.NDArray[np.bool_]:
    """Weight rows with cases and non-cases: a calibration fit needs both (else it diverges)."""
    w = np.atleast_2d(weights)
    result: npt.NDArray[np.bool_] = ((w * y).sum(axis=1) > 0) & ((w * (1 - y)).sum(axis=1) > 0)
    return result


def _sigmoid(z: FloatArray) -> FloatArray:
    result: FloatArray = 0.5 * (1.0 + np.tanh(0.5 * z))  # overflow-free logistic
    return result


def _damping(step: FloatArray) -> FloatArray:
    """Shrink a Newton step longer than MAX_STEP on the log-odds scale: plain Newton from (0, 1)
    overshoots and diverges when the model is far off; near the optimum steps are full."""
    longest = np.abs(step).max(axis=1, keepdims=True)
    result: FloatArray = np.minimum(1.0, MAX_STEP / np.where(longest > 0, longest, 1.0))
    return result


def calibration_slope(lp: FloatArray, y: FloatArray, weights: FloatArray) -> FloatArray:
    """Slope b of the weighted recalibration logit P(y) = a + b·lp (Newton, vectorised over rows)."""
    w = np.atleast_2d(weights)
    coef = np.tile([0.0, 1.0], (w.shape[0], 1))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # a resample without cases
        _newton_slope(coef, lp, y, w)
    result: FloatArray = np.where(both_classes(y, w), coef[:, 1], np.nan)
    return result


def _newton_slope(coef: FloatArray, lp: FloatArray, y: FloatArray, w: FloatArray) -> None:
    for _ in range(NEWTON_STEPS):
        p = _sigmoid(coef[:, :1] + coef[:, 1:] * lp)
        r, v = w * (y - p), w * p * (1 - p)
        grad = np.stack((r.sum(axis=1), (r * lp).sum(axis=1)), axis=1)
        h00, h01, h11 = v.sum(axis=1), (v * lp).sum(axis=1), (v * lp * lp).sum(axis=1)
        det = h00 * h11 - h01 * h01
        step = np.stack(
            ((h11 * grad[:, 0] - h01 * grad[:, 1]) / det, (h00 * grad[:, 1] - h01 * grad[:, 0]) / det), 1
        )
        coef += step * _damping(step)


def calibration_intercept(lp: FloatArray, y: FloatArray, weights: FloatArray) -> FloatArray:
    """Calibration-in-the-large a of logit P(y) = a + lp (slope fixed at 1), weighted."""
    w = np.atleast_2d(weights)
    a = np.zeros(w.shape[0])
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for _ in range(NEWTON_STEPS):
            p = _sigmoid(a[:, None] + lp)
            step = (w * (y - p)).sum(axis=1) / (w * p * (1 - p)).sum(axis=1)
            a += step * _damping(step[:, None])[:, 0]
    result: FloatArray = np.where(both_classes(y, w), a, np.nan)
    return result


def bootstrap_counts(n: int, resamples: int, seed: int) -> FloatArray:
    """(B, n) multiplicities of each row in B bootstrap resamples (multinomial = resampling)."""
    rng = np.random.default_rng(seed)
    counts: FloatArray = rng.multinomial(n, np.full(n, 1.0 / n), size=resamples).astype(float)
    return counts


def interval(values: FloatArray) -> tuple[float, float]:
    """Percentile 95% interval, ignoring resamples where the metric was undefined."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return (float("nan"), float("nan"))
    low, high = np.percentile(finite, [2.5, 97.5])
    return (float(low), float(high))
