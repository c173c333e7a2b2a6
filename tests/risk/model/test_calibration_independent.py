"""On an independent synthetic cohort the shipped model stays calibrated and discriminates."""

from __future__ import annotations

import numpy as np
import pytest

from risk.facts import facts_from_frame
from risk.model.metrics import weighted_auc
from risk.model.report import HorizonMetrics, ValidationReport
from risk.model.scorer import RefractureModel
from risk.model.survival import horizon_target
from risk.model.validation import validate_model
from risk.synth import SynthCohort


@pytest.fixture(scope="module")
def report(shipped: RefractureModel, independent: SynthCohort) -> ValidationReport:
    return validate_model(shipped, independent.cohort, resamples=0, design="independent seed")


def _overall(report: ValidationReport, months: int) -> HorizonMetrics:
    return next(m for m in report.overall if m.months == months)


@pytest.mark.parametrize("months", [12, 24])
def test_observed_over_expected_is_near_one(report: ValidationReport, months: int) -> None:
    value = _overall(report, months).o_e.value
    assert value is not None and 0.8 <= value <= 1.25


@pytest.mark.parametrize("months", [12, 24])
def test_calibration_slope_is_near_one(report: ValidationReport, months: int) -> None:
    value = _overall(report, months).calibration_slope.value
    assert value is not None and 0.8 <= value <= 1.2


@pytest.mark.parametrize("months", [12, 24])
def test_auc_is_at_least_90_percent_of_the_true_risk_auc(
    report: ValidationReport, independent: SynthCohort, months: int
) -> None:
    cohort = independent.cohort
    target = horizon_target(
        cohort["time_months"].to_numpy(dtype=float), cohort["event"].to_numpy(dtype=np.int64), months
    )
    truth = independent.truth[f"true_risk_{months}m"].to_numpy(dtype=float)[target.keep]
    true_auc = float(weighted_auc(truth, target.y, target.weight)[0])
    auc = _overall(report, months).auc.value
    assert auc is not None and auc >= 0.9 * true_auc


def test_predicted_untreated_risk_tracks_the_true_untreated_risk(
    shipped: RefractureModel, independent: SynthCohort
) -> None:
    batch = shipped.predict_batch(facts_from_frame(independent.cohort))
    truth = independent.truth["true_risk_untreated_12m"].to_numpy(dtype=float)
    assert 0.8 <= batch.risk_12m.mean() / truth.mean() <= 1.25
    assert np.corrcoef(batch.risk_12m, truth)[0, 1] > 0.7
