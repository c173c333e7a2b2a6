"""The report's words and charts: human labels from one table, an informative tier chart, no tiny curves."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from reports.cohort.build import build_report, write_report
from reports.cohort.figures import MIN_INCIDENCE_GROUP, small_groups
from reports.cohort.models import IncidencePoint, Performance


def _html(frame: pd.DataFrame, tmp_path: Path) -> str:
    report = build_report(frame, source="scored.csv", resamples=0)
    return write_report(report, frame, tmp_path / "report.html").html.read_text(encoding="utf-8")


def test_profile_tables_use_words_not_codes(scored: pd.DataFrame, tmp_path: Path) -> None:
    html = _html(scored.head(400), tmp_path)
    profile = html[html.index("<h2>2. Cohort profile</h2>") : html.index("<h2>3.")]
    assert "<td>Very high</td>" in profile
    for code in ("very_high", "anabolic_first", "antiresorptive_first", "trauma_review"):
        assert f"<td>{code}</td>" not in profile
    assert "Why patients are in their tier" in profile


def test_incidence_groups_too_small_for_a_curve_are_named_not_drawn() -> None:
    points = [IncidencePoint(group="very high", n=3208, months=m, incidence=0.01 * m) for m in (0, 12)]
    points += [IncidencePoint(group="no tier", n=50, months=m, incidence=0.02 * m) for m in (0, 12)]
    performance = Performance(status="measured", population="all", incidence=points)
    assert small_groups(performance) == {"no tier": 50}
    assert MIN_INCIDENCE_GROUP > 50
