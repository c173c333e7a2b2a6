from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from reports.cohort.kpis import KPIS, fls_kpis, iof_band, kpi_data, measure
from risk.cohort.kpi_columns import kpi_columns_markdown


@pytest.mark.parametrize(
    ("percent", "band"), [(0.0, "<50%"), (49.9, "<50%"), (50.0, "50–80%"), (80.0, "50–80%"), (80.1, ">80%")]
)
def test_iof_band_edges(percent: float, band: str) -> None:
    assert iof_band(percent) == band


def _kpi(key: str):  # type: ignore[no-untyped-def]
    return next(k for k in KPIS if k.key == key)


def _frame(days_to_assessment: list[float | None], index: str = "2024-01-01") -> pd.DataFrame:
    n = len(days_to_assessment)
    start = pd.Timestamp(index)
    return pd.DataFrame(
        {
            "procedure_date": [start] * n,
            "fls_assessment_date": [
                start + pd.Timedelta(days=d) if d is not None else pd.NaT for d in days_to_assessment
            ],
            "recommended_therapy": ["anabolic_first"] * n,
            "pathway": ["osteoporosis"] * n,
        }
    )


def test_assessment_window_counts_day_84_but_not_day_85() -> None:
    frame = _frame([84, 85, None, 0])
    result = measure(_kpi("assessment_12w"), kpi_data(frame, pd.Timestamp("2025-01-01")))
    assert (result.numerator, result.denominator, result.percent) == (2, 4, 50.0)
    assert result.band == "50–80%"
    assert [p.month for p in result.trend] == ["2024-01"]


def test_patients_whose_window_has_not_closed_are_not_yet_due() -> None:
    frame = _frame([10, None])
    on_day_83 = measure(
        _kpi("assessment_12w"), kpi_data(frame, pd.Timestamp("2024-01-01") + pd.Timedelta(days=83))
    )
    on_day_84 = measure(
        _kpi("assessment_12w"), kpi_data(frame, pd.Timestamp("2024-01-01") + pd.Timedelta(days=84))
    )
    assert on_day_83.status == "no_eligible_patients"
    assert on_day_83.percent is None
    assert on_day_83.not_yet_due == 2
    assert (on_day_84.numerator, on_day_84.denominator) == (1, 2)


def test_missing_column_is_not_measurable_never_zero(scored: pd.DataFrame) -> None:
    results = {r.key: r for r in fls_kpis(scored)}
    for key in ("identification", "assessment_12w", "falls_assessment", "follow_up_12_16w"):
        assert results[key].status == "not_measurable"
        assert results[key].percent is None
        assert results[key].numerator is None
    assert results["on_treatment_52w"].missing_columns == ["treatment_start_date_after", "on_treatment_52w"]
    assert results["treatment_recommended"].status == "measured"


def test_every_kpi_measured_with_fls_columns(scored_fls: pd.DataFrame) -> None:
    results = fls_kpis(scored_fls)
    assert [r.status for r in results] == ["measured"] * len(results)
    for r in results:
        assert r.numerator is not None and r.denominator is not None
        assert 0 <= r.numerator <= r.denominator
        assert sum(p.numerator for p in r.trend) in (r.numerator, 0)


def test_treatment_started_counts_only_recommended_patients(scored_fls: pd.DataFrame) -> None:
    started = next(r for r in fls_kpis(scored_fls) if r.key == "treatment_started_16w")
    recommended = next(r for r in fls_kpis(scored_fls) if r.key == "treatment_recommended")
    assert started.denominator is not None and recommended.numerator is not None
    assert started.denominator + started.not_yet_due == recommended.numerator


def test_docs_table_is_generated_from_the_column_table() -> None:
    docs = Path(__file__).resolve().parents[3] / "docs" / "analysts.md"
    assert kpi_columns_markdown() in docs.read_text(encoding="utf-8")
