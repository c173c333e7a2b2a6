"""Generated follow-up cohorts of the shapes that broke horizon handling, for oracle tests.

A shape is a combination of: administrative censoring at exactly the horizon (a registry),
heavy early loss to follow-up, follow-up rounded to whole months (many ties between events
and censorings), and deaths competing with fractures. Hypothesis picks the combination.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from hypothesis import strategies as st

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Shape:
    """How one cohort's follow-up was generated."""

    n: int
    seed: int
    horizon: float
    administrative_at_horizon: bool
    heavy_early_censoring: bool
    whole_months: bool
    deaths: bool


@dataclass(frozen=True)
class Cohort:
    """Follow-up time, event code (0 censored, 1 fracture, 2 death) and a predicted risk."""

    time: FloatArray
    event: IntArray
    risk: FloatArray


def cohort(shape: Shape) -> Cohort:
    """One cohort of the given shape; the risk is informative (higher for earlier fractures)."""
    rng = np.random.default_rng(shape.seed)
    frailty = rng.normal(0.0, 0.8, shape.n)
    fracture = rng.exponential(40.0 * np.exp(-frailty))
    death = rng.exponential(60.0, shape.n) if shape.deaths else np.full(shape.n, np.inf)
    loss = rng.exponential(8.0 if shape.heavy_early_censoring else 80.0, shape.n)
    end = np.full(shape.n, shape.horizon) if shape.administrative_at_horizon else rng.uniform(6, 40, shape.n)
    first = np.minimum(fracture, death)
    censor = np.minimum(loss, end)
    time = np.minimum(first, censor)
    event = np.where(first <= censor, np.where(fracture <= death, 1, 2), 0).astype(np.int64)
    if shape.whole_months:
        time = np.ceil(time)  # a registry recording months: ties everywhere, some at exactly h
    risk = 1.0 / (1.0 + np.exp(-(frailty - 1.5 + 0.1 * rng.normal(size=shape.n))))
    return Cohort(time=np.maximum(time, 0.01), event=event, risk=risk)


shapes = st.builds(
    Shape,
    n=st.integers(40, 400),
    seed=st.integers(0, 2**32 - 1),
    horizon=st.sampled_from([12.0, 24.0]),
    administrative_at_horizon=st.booleans(),
    heavy_early_censoring=st.booleans(),
    whole_months=st.booleans(),
    deaths=st.booleans(),
)


def events_first(time: FloatArray, event: IntArray, horizon: float) -> tuple[FloatArray, float]:
    """Our tie convention made explicit for a library without one: censorings moved just after.

    Returns shifted times and the shift: every censoring at t moves to t + eps (after any event
    at t), tied events are spread by < eps/10 in a fixed order, and eps is a quarter of the
    smallest gap between distinct times (the horizon included), so nothing else reorders.
    """
    points = np.unique(np.append(time, horizon))
    eps = float(np.diff(points).min()) / 4 if points.size > 1 else 0.25
    shifted = time.astype(float).copy()
    rank = np.zeros(time.size)
    events = np.flatnonzero(event != 0)
    order = events[np.lexsort((events, time[events]))]
    tied_before = np.zeros(order.size)
    if order.size:
        same = np.concatenate(([False], np.diff(time[order]) == 0))
        run = np.cumsum(~same) - 1
        starts = np.flatnonzero(~same)
        tied_before = np.arange(order.size) - starts[run]
    rank[order] = tied_before
    shifted[events] += rank[events] * eps / (10 * time.size)
    shifted[event == 0] += eps
    return shifted, eps
