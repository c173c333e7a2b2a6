"""The validation report prints, flags thin subgroups, and draws its calibration plot."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from risk.model.plots import write_calibration_plot
from risk.model.scorer import RefractureModel
from risk.model.validation import validate_model


def test_report_has_intervals_subgroups_and_warnings(
    shipped: RefractureModel, sample_frame: pd.DataFrame, tmp_path: Path
) -> None:
    report = validate_model(shipped, sample_frame.head(1500), resamples=200)
    overall = report.overall[0]
    assert overall.auc.low is not None and overall.auc.low < overall.auc.value < (overall.auc.high or 0)
    assert [g.name for g in report.subgroups] == [
        "sex female", "sex male", "age <65", "age 65–74", "age 75–84", "age ≥85",
    ]  # fmt: skip
    assert any("age ≥85" in w for w in report.warnings)
    assert "O/E" in str(report)
    png = write_calibration_plot(report, tmp_path / "cal.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
