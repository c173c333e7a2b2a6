"""Censoring and the competing risk of death: IPCW horizon targets and Aalen–Johansen incidence.

One set of conventions, used by training, validation, recalibration, the cohort report and
the notebooks (they all call ``horizon_target`` / ``aalen_johansen``):

* Status at horizon h is **known** for a patient with a fracture or death at ``time <= h``
  (an event at exactly h counts) and for an event-free patient with ``time >= h`` (followed
  to h, e.g. a registry's administrative censoring at exactly 24.0 months). A patient
  censored before h has unknown status and is dropped, its share carried by the weights.
* Ties: at one time, events come before censorings (a patient censored at t was still at
  risk of an event at t). The censoring Kaplan–Meier therefore counts, at t, the patients
  still at risk after that time's events: G(t) = Π_{s ≤ t} (1 − c_s / (n_s − d_s)).
* Weights are 1 / G(t−) = 1 / P(C ≥ t): t = the event time for an event ≤ h, t = h for an
  event-free patient followed to h. With these, the weighted share of fractures equals the
  Aalen–Johansen cumulative incidence exactly (tests/risk/model/test_survival.py).
* Death before h is a **competing risk**, not censoring: the patient is kept with y = 0, so
  the estimand is the cumulative incidence of fracture in the presence of death.
* A horizon is **not estimable** when nobody was followed to it (every time < h: h lies
  beyond the last follow-up). Then every metric is NaN inside these arrays and "not
  estimable" in every report — never a number, even where the estimator would formally
  collapse to one (e.g. the last patient's event before h).
"""

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
    estimable: bool  # False: nobody followed to the horizon (beyond the last follow-up)


def _as_arrays(time: npt.ArrayLike, event: npt.ArrayLike) -> tuple[FloatArray, npt.NDArray[np.int64]]:
    return np.asarray(time, dtype=float), np.asarray(event, dtype=np.int64)


def censoring_survival_before(
    time: FloatArray, event: npt.NDArray[np.int64], at: npt.ArrayLike
) -> FloatArray:
    """Kaplan–Meier G(t−) = P(C ≥ t) of the censoring time, events before censorings at ties."""
    time, event = _as_arrays(time, event)
    order = np.argsort(time, kind="stable")
    t_sorted, e_sorted = time[order], event[order]
    uniq, starts = np.unique(t_sorted, return_index=True)
    censored = np.add.reduceat((e_sorted == CENSORED).astype(float), starts)
    events = np.add.reduceat((e_sorted != CENSORED).astype(float), starts)
    at_risk = t_sorted.size - starts  # time ≥ s
    exposed = at_risk - events  # still at risk of censoring once this time's events happened
    factor = np.where(exposed > 0, 1.0 - censored / np.where(exposed > 0, exposed, 1.0), 1.0)
    surv = np.concatenate(([1.0], np.cumprod(factor)))
    result: FloatArray = surv[np.searchsorted(uniq, np.asarray(at, dtype=float), side="left")]
    return result


def horizon_target(time: npt.ArrayLike, event: npt.ArrayLike, horizon: float) -> HorizonTarget:
    """IPCW target: fracture ≤ h → 1; death ≤ h or event-free at time ≥ h → 0; censored < h dropped."""
    time, event = _as_arrays(time, event)
    had_event = (time <= horizon) & (event != CENSORED)
    keep = had_event | (time >= horizon)
    at = np.where(had_event, time, horizon)[keep]
    g = censoring_survival_before(time, event, at)
    # g > 0 on every kept row: each was itself still at risk before its own t.
    y = (had_event & (event == FRACTURE))[keep].astype(float)
    return HorizonTarget(keep=keep, y=y, weight=1.0 / g, estimable=bool((time >= horizon).any()))


def aalen_johansen(
    time: npt.ArrayLike,
    event: npt.ArrayLike,
    horizon: float,
    weights: FloatArray | None = None,
    cause: int = FRACTURE,
) -> FloatArray:
    """Cumulative incidence of ``cause`` at the horizon, other events competing.

    One value per row of ``weights`` (B, n) (bootstrap multiplicities); NaN for a row in
    which nobody was followed to the horizon (not estimable).
    """
    time, event = _as_arrays(time, event)
    w = np.ones((1, time.size)) if weights is None else np.atleast_2d(weights)
    if time.size == 0:
        return np.full(w.shape[0], np.nan)
    order = np.argsort(time, kind="stable")
    t_sorted, e_sorted, w = time[order], event[order], w[:, order]
    uniq, starts = np.unique(t_sorted, return_index=True)
    leaving = np.add.reduceat(w, starts, axis=1)
    of_cause = np.add.reduceat(w * (e_sorted == cause), starts, axis=1)
    events = np.add.reduceat(w * (e_sorted != CENSORED), starts, axis=1)
    at_risk = w.sum(axis=1, keepdims=True) - np.cumsum(leaving, axis=1) + leaving
    safe = np.where(at_risk > 0, at_risk, 1.0)
    survival = np.cumprod(1.0 - events / safe, axis=1)
    before = np.concatenate((np.ones((w.shape[0], 1)), survival[:, :-1]), axis=1)
    by_horizon = uniq <= horizon
    incidence: FloatArray = np.where(by_horizon, before * of_cause / safe, 0.0).sum(axis=1)
    followed = (w * (t_sorted >= horizon)).sum(axis=1)
    result: FloatArray = np.where(followed > 0, incidence, np.nan)
    return result
