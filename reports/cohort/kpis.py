"""FLS KPIs (clinical.md §5) as a data table, computed on a validated scored cohort.

A KPI whose input column is absent is "not measurable" (naming the column), never 0%;
windowed KPIs leave out patients whose window has not closed by ``as_of`` ("not yet due").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from reports.cohort.models import KpiResult, MonthPoint

Mask = npt.NDArray[np.bool_]
WEEK = 7
DRUG_RECOMMENDATIONS = ("anabolic_first", "antiresorptive_first", "continue_current")
COMPLETENESS_FIELDS = (
    "procedure_date", "sex", "age_years", "dxa_date", "fls_assessment_date",
    "falls_assessment_date", "treatment_start_date_after", "follow_up_contact_date",
)  # fmt: skip
MAX_MISSING_SHARE = 0.20  # FLS-DB KPI 1: a field is complete when ≤ 20% of records lack it


@dataclass(frozen=True)
class KpiData:
    """The cohort with the index date resolved and ``as_of`` fixed."""

    frame: pd.DataFrame
    index_date: pd.Series  # fracture_date, else procedure_date (NaT when neither)
    as_of: pd.Timestamp

    def days_to(self, column: str) -> pd.Series:
        """Days from the index date to ``column`` (NaN when either is missing)."""
        return (self.frame[column] - self.index_date).dt.days

    def mature(self, days: int) -> Mask:
        """Rows whose index date + ``days`` is on or before ``as_of``."""
        return np.asarray((self.index_date + pd.Timedelta(days=days) <= self.as_of).fillna(False), dtype=bool)


def _within(d: KpiData, column: str, low: int, high: int) -> Mask:
    days = d.days_to(column)
    return np.asarray(days.between(low, high).fillna(False), dtype=bool)


def _present(column: str) -> Callable[[KpiData], Mask]:
    return lambda d: d.frame[column].notna().to_numpy(dtype=bool)


def _everyone(d: KpiData) -> Mask:
    return np.ones(len(d.frame), dtype=bool)


def _recommended(d: KpiData) -> Mask:
    return d.frame["recommended_therapy"].isin(DRUG_RECOMMENDATIONS).to_numpy(dtype=bool)


def _osteoporosis(d: KpiData) -> Mask:
    return (d.frame["pathway"] == "osteoporosis").to_numpy(dtype=bool)


def _on_treatment(d: KpiData) -> Mask:
    return d.frame["on_treatment_52w"].fillna(False).to_numpy(dtype=bool)


@dataclass(frozen=True)
class Kpi:
    """One KPI: what it counts, from which columns, and its window (days, None = no window)."""

    key: str
    name: str
    standard: str
    numerator_text: str
    denominator_text: str
    columns: tuple[str, ...]
    numerator: Callable[[KpiData], Mask]
    denominator: Callable[[KpiData], Mask]
    window_days: int | None = None
    target: float = 80.0


INDEX = "procedure_date"
KPIS: tuple[Kpi, ...] = (
    Kpi("identification", "Identification by the FLS", "IOF-FFN-NOF 1–2; FLS-DB 2",
        "identified by the FLS", "all patients", ("fls_identification_date",),
        _present("fls_identification_date"), _everyone),
    Kpi("assessment_12w", "FLS assessment ≤12 weeks", "IOF-FFN-NOF 3",
        "assessed 0–84 days after the index date", "patients 84+ days past the index date",
        (INDEX, "fls_assessment_date"), lambda d: _within(d, "fls_assessment_date", 0, 12 * WEEK),
        _everyone, 12 * WEEK),
    Kpi("assessment_90d", "FLS assessment ≤90 days", "FLS-DB 4",
        "assessed 0–90 days after the index date", "patients 90+ days past the index date",
        (INDEX, "fls_assessment_date"), lambda d: _within(d, "fls_assessment_date", 0, 90),
        _everyone, 90),
    Kpi("dxa_12w", "DXA ≤12 weeks", "IOF-FFN-NOF 4; FLS-DB 5",
        "DXA 0–84 days after the index date", "patients 84+ days past the index date",
        (INDEX, "dxa_date"), lambda d: _within(d, "dxa_date", 0, 12 * WEEK), _everyone, 12 * WEEK),
    Kpi("falls_assessment", "Falls-risk assessment", "IOF-FFN-NOF 5; FLS-DB 6",
        "falls assessment recorded", "all patients", ("falls_assessment_date",),
        _present("falls_assessment_date"), _everyone),
    Kpi("treatment_recommended", "Bone therapy recommended", "IOF-FFN-NOF 6; FLS-DB 7",
        "recommended therapy is a drug (anabolic, antiresorptive or continue)",
        "osteoporosis pathway", ("pathway", "recommended_therapy"), _recommended, _osteoporosis,
        target=50.0),
    Kpi("treatment_started_16w", "Therapy started ≤16 weeks", "IOF-FFN-NOF 9; FLS-DB 10",
        "started 0–112 days after the index date", "drug recommended, 112+ days past the index date",
        (INDEX, "recommended_therapy", "treatment_start_date_after"),
        lambda d: _within(d, "treatment_start_date_after", 0, 16 * WEEK), _recommended, 16 * WEEK),
    Kpi("follow_up_12_16w", "Follow-up contact at 12–16 weeks", "IOF-FFN-NOF 8; FLS-DB 9",
        "contact 84–112 days after the index date", "patients 112+ days past the index date",
        (INDEX, "follow_up_contact_date"),
        lambda d: _within(d, "follow_up_contact_date", 12 * WEEK, 16 * WEEK), _everyone, 16 * WEEK),
    Kpi("on_treatment_52w", "On therapy at 52 weeks", "IOF-FFN-NOF 10; FLS-DB 11",
        "on_treatment_52w is true", "therapy started, 364+ days past the index date",
        (INDEX, "treatment_start_date_after", "on_treatment_52w"), _on_treatment,
        _present("treatment_start_date_after"), 52 * WEEK),
)  # fmt: skip


def iof_band(percent: float) -> str:
    """The IOF–FFN–NOF band of a percentage: <50%, 50–80%, >80%."""
    if percent < 50:
        return "<50%"
    return "50–80%" if percent <= 80 else ">80%"


def _percent(numerator: int, denominator: int) -> float | None:
    return round(100.0 * numerator / denominator, 1) if denominator else None


def _trend(d: KpiData, numerator: Mask, denominator: Mask) -> list[MonthPoint]:
    months = d.index_date.dt.strftime("%Y-%m")
    table = pd.DataFrame({"month": months, "num": numerator & denominator, "den": denominator})
    grouped = table[table["den"]].groupby("month")[["num", "den"]].sum()
    return [
        MonthPoint(month=str(m), numerator=int(r.num), denominator=int(r.den), percent=_percent(r.num, r.den))
        for m, r in grouped.iterrows()
    ]


def measure(kpi: Kpi, d: KpiData) -> KpiResult:
    """One KPI on the cohort."""
    head = {
        "key": kpi.key, "name": kpi.name, "standard": kpi.standard, "target_percent": kpi.target,
        "numerator_text": kpi.numerator_text, "denominator_text": kpi.denominator_text,
    }  # fmt: skip
    missing = [c for c in kpi.columns if c not in d.frame.columns]
    if missing:
        return KpiResult(**head, status="not_measurable", missing_columns=missing)
    eligible = kpi.denominator(d)
    due = d.mature(kpi.window_days) if kpi.window_days is not None else np.ones_like(eligible)
    denominator = eligible & due
    numerator = kpi.numerator(d) & denominator
    num, den = int(numerator.sum()), int(denominator.sum())
    percent = _percent(num, den)
    return KpiResult(
        **head,
        status="measured" if percent is not None else "no_eligible_patients",
        numerator=num, denominator=den, percent=percent,
        band=iof_band(percent) if percent is not None else None,
        not_yet_due=int((eligible & ~due).sum()),
        trend=_trend(d, numerator, denominator) if d.index_date.notna().any() else [],
    )  # fmt: skip


def completeness(d: KpiData) -> KpiResult:
    """FLS-DB KPI 1 style: fields (of COMPLETENESS_FIELDS) with ≤20% missing; absent = 100% missing."""
    present = [c for c in COMPLETENESS_FIELDS if c in d.frame.columns]
    shares = {c: float(d.frame[c].isna().mean()) if len(d.frame) else 1.0 for c in present}
    complete = sum(share <= MAX_MISSING_SHARE for share in shares.values())
    total = len(COMPLETENESS_FIELDS)
    percent = _percent(complete, total)
    return KpiResult(
        key="data_completeness", name="Data completeness", standard="IOF-FFN-NOF 11; FLS-DB 1",
        numerator_text="fields with ≤20% of records missing",
        denominator_text=f"{total} key fields ({', '.join(COMPLETENESS_FIELDS)})",
        target_percent=80.0, status="measured", numerator=complete, denominator=total, percent=percent,
        band=iof_band(percent or 0.0),
        missing_columns=[c for c in COMPLETENESS_FIELDS if c not in present],
    )  # fmt: skip


def kpi_data(frame: pd.DataFrame, as_of: pd.Timestamp | None = None) -> KpiData:
    """Resolve the index date and the as-of date (default: the latest date in the file)."""
    nat = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    fracture = frame.get("fracture_date", nat)
    procedure = frame.get("procedure_date", nat)
    index_date = fracture.fillna(procedure)
    if as_of is None:
        dates = frame.select_dtypes(include=["datetime64"])
        as_of = pd.Timestamp(dates.max().max()) if dates.size else pd.Timestamp.today().normalize()
    return KpiData(frame=frame, index_date=index_date, as_of=as_of)


def fls_kpis(frame: pd.DataFrame, as_of: pd.Timestamp | None = None) -> list[KpiResult]:
    """Every KPI of the table plus data completeness."""
    d = kpi_data(frame, as_of)
    return [*(measure(kpi, d) for kpi in KPIS), completeness(d)]
