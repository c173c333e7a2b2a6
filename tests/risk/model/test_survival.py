"""IPCW horizon targets and Aalen–Johansen incidence on small hand-checked cohorts."""

from __future__ import annotations

import numpy as np
import pytest

from risk.model.survival import aalen_johansen, censoring_survival_before, horizon_target


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


@pytest.mark.parametrize(
    ("time", "event", "known", "case"),
    [
        (12.0, 0, True, False),  # followed to exactly h: known event-free (the registry shape)
        (11.999, 0, False, False),  # censored just before h: unknown
        (12.001, 0, True, False),
        (12.0, 1, True, True),  # a fracture at exactly h counts
        (12.001, 1, True, False),  # a fracture after h is a control at h
        (12.0, 2, True, False),  # death at h: known, no fracture (competing)
    ],
)
def test_both_sides_of_the_horizon(time: float, event: int, known: bool, case: bool) -> None:
    times = np.array([time, 30.0, 30.0])
    events = np.array([event, 0, 0])
    target = horizon_target(times, events, 12.0)
    assert bool(target.keep[0]) is known
    if known:
        assert bool(target.y[0]) is case


def test_weights_use_censoring_survival_just_before_the_time() -> None:
    # Censored at 5 (1 of 4 at risk), then everyone else at exactly 12: G(12−) = 3/4.
    time = np.array([5.0, 12.0, 12.0, 12.0])
    event = np.array([0, 0, 0, 1])
    target = horizon_target(time, event, 12.0)
    assert target.keep.tolist() == [False, True, True, True]
    np.testing.assert_allclose(target.weight, [4 / 3] * 3)
    assert target.weight.sum() == pytest.approx(4)
    assert censoring_survival_before(time, event, np.array([12.0, 12.5]))[1] == 0.0


def test_ties_put_events_before_censorings() -> None:
    # At t = 2: one fracture and one censoring among 3 at risk. The censoring leaves after the
    # fracture, so G drops by 1/(3 − 1), and the fracture's own weight is 1/G(2−) = 1.
    time = np.array([2.0, 2.0, 6.0])
    event = np.array([1, 0, 0])
    np.testing.assert_allclose(censoring_survival_before(time, event, np.array([2.0, 3.0])), [1.0, 0.5])
    target = horizon_target(time, event, 4.0)
    np.testing.assert_allclose(target.weight, [1.0, 2.0])
    assert aalen_johansen(time, event, 4.0)[0] == pytest.approx(1 / 3)


def test_horizon_beyond_follow_up_is_not_estimable() -> None:
    time = np.array([1.0, 3.0, 8.0, 23.9])
    event = np.array([1, 0, 2, 0])
    assert not horizon_target(time, event, 24.0).estimable
    assert np.isnan(aalen_johansen(time, event, 24.0)[0])
    assert horizon_target(time, event, 23.9).estimable
    assert np.isfinite(aalen_johansen(time, event, 23.9)[0])


def test_a_horizon_past_the_last_time_is_not_estimable_even_when_it_is_an_event() -> None:
    # The estimator would collapse to 2/3 here; beyond the last follow-up we give no number.
    time, event = np.array([1.0, 2.0, 3.0]), np.array([1, 2, 1])
    assert not horizon_target(time, event, 24.0).estimable
    assert np.isnan(aalen_johansen(time, event, 24.0)[0])
    assert aalen_johansen(time, event, 3.0)[0] == pytest.approx(2 / 3)


def test_an_all_censored_group_is_not_estimable_before_and_zero_after() -> None:
    time, event = np.array([3.0, 5.0, 30.0]), np.array([0, 0, 0])
    assert aalen_johansen(time, event, 12.0)[0] == 0.0
    assert np.isnan(aalen_johansen(time[:2], event[:2], 12.0)[0])
    assert np.isnan(aalen_johansen(np.array([]), np.array([]), 12.0)[0])
