"""The validation report prints, flags thin subgroups, and draws its calibration plot."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from risk.model.plots import write_calibration_plot
from risk.model.scorer import RefractureModel
from risk.model.validation import horizon_metrics, validate_model


def test_report_has_intervals_subgroups_and_warnings(
    shipped: RefractureModel, sample_frame: pd.DataFrame, tmp_path: Path
) -> None:
    report = validate_model(shipped, sample_frame.head(1500), resamples=200)
    overall = report.overall[0]
    auc = overall.auc
    assert auc.low is not None and auc.value is not None and auc.high is not None
    assert auc.low < auc.value < auc.high
    assert [g.name for g in report.subgroups] == [
        "sex female", "sex male", "age <65", "age 65–74", "age 75–84", "age ≥85",
    ]  # fmt: skip
    assert any("age ≥85" in w for w in report.warnings)
    assert "O/E" in str(report)
    png = write_calibration_plot(report, tmp_path / "cal.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_zero_event_group_has_zero_observed_and_no_auc_or_slope() -> None:
    p = np.linspace(0.05, 0.3, 60)
    time, event = np.full(60, 30.0), np.zeros(60, dtype=np.int64)
    m = horizon_metrics(p, time, event, 12, resamples=20)
    assert m.events == 0
    assert m.o_e.value == 0.0 and m.observed.value == 0.0
    assert m.auc.value is None and m.calibration_slope.value is None
    assert m.calibration_intercept.value is None
    assert str(m.auc) == "not estimable"
    assert m.brier.value == pytest.approx(float(np.mean(p**2)))


def test_horizon_beyond_follow_up_prints_not_estimable_never_a_number() -> None:
    p = np.full(50, 0.1)
    time = np.linspace(1.0, 20.0, 50)
    event = np.where(np.arange(50) % 5 == 0, 1, 0).astype(np.int64)
    m = horizon_metrics(p, time, event, 24, resamples=10)
    for name in ("auc", "brier", "observed", "o_e", "calibration_slope", "calibration_intercept"):
        assert getattr(m, name).value is None, name
    assert m.expected.value == pytest.approx(0.1)
    assert "nan" not in str(m.o_e).lower()
