"""Our survival statistics against independent implementations, on every cohort shape.

* Cumulative incidence: lifelines ``AalenJohansenFitter`` (deaths competing, ties, registry
  censoring at exactly the horizon).
* IPCW Brier score and time-dependent AUC: scikit-survival ``brier_score`` and
  ``cumulative_dynamic_auc`` with the same horizon and the same censoring weights.

Both libraries lack our two conventions, so each comparison states them in the data:
censorings move just after the events of their time (``shapes.events_first``: a patient
censored at t was at risk of an event at t, and an event-free patient censored at exactly h
is known event-free at h). scikit-survival has no competing risks: its Brier and AUC are the
same quantity as ours only without deaths, so those comparisons use death-free shapes; with
deaths, the weighted fracture share is checked against lifelines' Aalen–Johansen instead
(``test_weighted_share_is_the_aalen_johansen_incidence``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from lifelines import AalenJohansenFitter
from sksurv.metrics import brier_score, cumulative_dynamic_auc
from sksurv.util import Surv

from risk.model.metrics import weighted_auc, weighted_brier
from risk.model.survival import aalen_johansen, horizon_target

from .shapes import Cohort, Shape, cohort, events_first, shapes

EXAMPLES = settings(max_examples=40, deadline=None)


def _lifelines_incidence(c: Cohort, horizon: float) -> float:
    shifted, eps = events_first(c.time, c.event, horizon)
    fitter = AalenJohansenFitter(calculate_variance=False)
    fitter.fit(pd.Series(shifted), pd.Series(c.event), event_of_interest=1)
    curve = fitter.cumulative_density_.iloc[:, 0]
    return float(curve[curve.index <= horizon + eps / 2].iloc[-1])


def _estimable(c: Cohort, horizon: float) -> bool:
    return horizon_target(c.time, c.event, horizon).estimable


@EXAMPLES
@given(shapes)
def test_cumulative_incidence_equals_lifelines_aalen_johansen(shape: Shape) -> None:
    c = cohort(shape)
    assume(_estimable(c, shape.horizon))
    ours = aalen_johansen(c.time, c.event, shape.horizon)[0]
    assert ours == pytest.approx(_lifelines_incidence(c, shape.horizon), rel=1e-9, abs=1e-12)


@EXAMPLES
@given(shapes)
def test_weighted_share_is_the_aalen_johansen_incidence(shape: Shape) -> None:
    c = cohort(shape)
    target = horizon_target(c.time, c.event, shape.horizon)
    assume(target.estimable)
    assert target.weight.sum() == pytest.approx(shape.n, rel=1e-9)
    share = (target.weight * target.y).sum() / shape.n
    assert share == pytest.approx(_lifelines_incidence(c, shape.horizon), rel=1e-9, abs=1e-12)


def _sksurv_ready(c: Cohort, horizon: float) -> tuple[np.ndarray, float]:
    """scikit-survival's data and the time to ask it at: h + eps/2 keeps spread ties at h in."""
    shifted, eps = events_first(c.time, c.event, horizon)
    target = horizon_target(c.time, c.event, horizon)
    assume(target.estimable and 0 < target.y.sum() < target.y.size)
    assume(shifted.max() > horizon + eps / 2 >= shifted.min())
    return Surv.from_arrays(event=c.event == 1, time=shifted), horizon + eps / 2


@EXAMPLES
@given(shapes.filter(lambda s: not s.deaths))
def test_brier_score_equals_scikit_survival(shape: Shape) -> None:
    c = cohort(shape)
    survival, at = _sksurv_ready(c, shape.horizon)
    _, theirs = brier_score(survival, survival, 1.0 - c.risk, [at])
    target = horizon_target(c.time, c.event, shape.horizon)
    ours = weighted_brier(c.risk[target.keep], target.y, target.weight)[0]
    assert ours == pytest.approx(theirs[0], rel=1e-9)


@EXAMPLES
@given(shapes.filter(lambda s: not s.deaths))
def test_time_dependent_auc_equals_scikit_survival(shape: Shape) -> None:
    c = cohort(shape)
    survival, at = _sksurv_ready(c, shape.horizon)
    theirs, _ = cumulative_dynamic_auc(survival, survival, c.risk, [at])
    target = horizon_target(c.time, c.event, shape.horizon)
    ours = weighted_auc(c.risk[target.keep], target.y, target.weight)[0]
    assert ours == pytest.approx(theirs[0], rel=1e-9)


def test_registry_shape_is_covered_explicitly() -> None:
    # The cohort: every event-free patient still followed is censored at exactly 24.0.
    shape = Shape(2000, 1, 24.0, administrative_at_horizon=True, heavy_early_censoring=False,
                  whole_months=False, deaths=False)  # fmt: skip
    c = cohort(shape)
    at_24 = c.time == 24.0
    assert at_24.sum() > 500
    target = horizon_target(c.time, c.event, 24.0)
    assert target.keep[at_24].all()  # followed to 24 months: status known, event-free
    shifted, eps = events_first(c.time, c.event, 24.0)
    survival = Surv.from_arrays(event=c.event == 1, time=shifted)
    _, theirs = brier_score(survival, survival, 1.0 - c.risk, [24.0 + eps / 2])
    ours = weighted_brier(c.risk[target.keep], target.y, target.weight)[0]
    assert ours == pytest.approx(theirs[0], rel=1e-9)
