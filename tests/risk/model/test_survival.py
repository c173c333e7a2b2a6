"""IPCW horizon targets and Aalen–Johansen incidence on small hand-checked cohorts."""

from __future__ import annotations

import numpy as np
import pytest

from risk.model.survival import aalen_johansen, horizon_target


def test_without_censoring_incidence_is_the_plain_share() -> None:
    time = np.array([1.0, 2.0, 5.0, 13.0, 30.0])
    event = np.array([1, 2, 1, 1, 2])
    assert aalen_johansen(time, event, 12.0)[0] == pytest.approx(2 / 5)
    assert aalen_johansen(time, event, 24.0)[0] == pytest.approx(3 / 5)


def test_horizon_target_keeps_deaths_as_zero_and_drops_early_censoring() -> None:
    time = np.array([3.0, 4.0, 6.0, 12.5, 8.0])
    event = np.array([1, 2, 0, 0, 0])
    target = horizon_target(time, event, 12.0)
    assert target.keep.tolist() == [True, True, False, True, False]
    assert target.y.tolist() == [1.0, 0.0, 0.0]


def test_ipcw_weighted_share_matches_aalen_johansen() -> None:
    rng = np.random.default_rng(3)
    n = 20_000
    event_time, censor = rng.exponential(30, n), rng.uniform(0, 40, n)
    cause = np.where(rng.random(n) < 0.6, 1, 2)
    time = np.minimum(event_time, censor)
    event = np.where(event_time <= censor, cause, 0)
    target = horizon_target(time, event, 12.0)
    ipcw = (target.weight * target.y).sum() / n
    assert ipcw == pytest.approx(aalen_johansen(time, event, 12.0)[0], abs=0.01)
    assert ipcw == pytest.approx(0.6 * (1 - np.exp(-12 / 30)), abs=0.01)
