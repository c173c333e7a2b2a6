"""Censoring and the competing risk of death: IPCW horizon targets and Aalen–Johansen incidence."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
FRACTURE, DEATH, CENSORED = 1, 2, 0


@dataclass(frozen=True)
class HorizonTarget:
    """Binary status at a horizon for the rows whose status is known, with IPC weights."""

    keep: npt.NDArray[np.bool_]  # rows with known status at the horizon
    y: FloatArray  # 1 = new fracture ≤ horizon (kept rows only)
    weight: FloatArray  # 1 / G(t−), kept rows only


def censoring_survival_before(time: FloatArray, event: npt.NDArray[np.int64], at: FloatArray) -> FloatArray:
    """Kaplan–Meier G(t−) = P(not censored before t), censoring as the 'event'."""
    order = np.argsort(time, kind="stable")
    t_sorted, censored = time[order], (event[order] == CENSORED).astype(float)
    uniq, starts = np.unique(t_sorted, return_index=True)
    d = np.add.reduceat(censored, starts)
    leaving = np.diff(np.append(starts, t_sorted.size))
    at_risk = t_sorted.size - np.concatenate(([0], np.cumsum(leaving)[:-1]))
    surv = np.concatenate(([1.0], np.cumprod(1.0 - d / at_risk)))
    return surv[np.searchsorted(uniq, at, side="left")]


def horizon_target(time: FloatArray, event: npt.NDArray[np.int64], horizon: float) -> HorizonTarget:
    """IPCW target: fracture ≤ h → 1; death ≤ h or event-free beyond h → 0; censored ≤ h dropped.

    Deaths stay in with y = 0, so the weighted mean estimates the cumulative incidence of
    fracture in the presence of death (not the 'death-free' probability).
    """
    time = np.asarray(time, dtype=float)
    event = np.asarray(event, dtype=np.int64)
    had_event = (time <= horizon) & (event != CENSORED)
    keep = had_event | (time > horizon)
    at = np.where(had_event, time, horizon + 1e-9)  # G(h) for those still event-free at h
    g = censoring_survival_before(time, event, at[keep])
    y = (had_event & (event == FRACTURE))[keep].astype(float)
    return HorizonTarget(keep=keep, y=y, weight=1.0 / np.maximum(g, 1e-3))


def aalen_johansen(
    time: FloatArray,
    event: npt.NDArray[np.int64],
    horizon: float,
    weights: FloatArray | None = None,
) -> FloatArray:
    """Cumulative incidence of fracture at the horizon; one value per row of ``weights`` (B, n)."""
    w = np.ones((1, time.size)) if weights is None else np.atleast_2d(weights)
    order = np.argsort(time, kind="stable")
    t_sorted, e_sorted, w = time[order], event[order], w[:, order]
    uniq, starts = np.unique(t_sorted, return_index=True)
    leaving = np.add.reduceat(w, starts, axis=1)
    fractures = np.add.reduceat(w * (e_sorted == FRACTURE), starts, axis=1)
    events = np.add.reduceat(w * (e_sorted != CENSORED), starts, axis=1)
    at_risk = w.sum(axis=1, keepdims=True) - np.cumsum(leaving, axis=1) + leaving
    safe = np.where(at_risk > 0, at_risk, 1.0)
    survival = np.cumprod(1.0 - events / safe, axis=1)
    before = np.concatenate((np.ones((w.shape[0], 1)), survival[:, :-1]), axis=1)
    increments = np.where(uniq <= horizon, before * fractures / safe, 0.0)
    result: FloatArray = increments.sum(axis=1)
    return result
