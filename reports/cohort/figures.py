"""Report figures as base64 PNG data URIs (Agg backend), readable in greyscale.

Lines differ by style and marker, bars by hatching; every axis states units and every
title the sample size.
"""

from __future__ import annotations

import base64
import io
import tempfile
from pathlib import Path

import matplotlib as mpl

mpl.use("Agg")  # headless: never open a window

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from reports.cohort.models import CohortProfile, KpiResult, Performance
from reports.wording import VERY_HIGH_SHORT
from risk.model.plots import write_calibration_plot
from risk.model.report import ValidationReport

# Criterion code → the words on the chart (very-high criteria as the letters say them).
CRITERION_WORDS: dict[str, str] = {
    "FRAGILITY_VERTEBRAL_FRACTURE": "low-trauma vertebral fracture (high)",
    "OSTEOPOROSIS_BY_BMD": "osteoporosis by BMD (high)",
    **{code: f"{words} (very high)" for code, words in VERY_HIGH_SHORT.items()},
}
# Cumulative-incidence curves for groups this small are noise beside the others: omitted, and
# the caption says so (the count table still lists them).
MIN_INCIDENCE_GROUP = 200
STYLES = (("-", "o", "black"), ("--", "s", "dimgrey"), (":", "^", "grey"), ("-.", "D", "black"))


def data_uri(fig: Figure) -> str:
    """A finished figure as a PNG data URI (the figure is closed)."""
    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png", dpi=110)
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def png_uri(path: Path) -> str:
    """An existing PNG file as a data URI."""
    return "data:image/png;base64," + base64.b64encode(Path(path).read_bytes()).decode("ascii")


def calibration_figure(report: ValidationReport) -> str:
    """risk.model's own calibration plot, embedded."""
    with tempfile.TemporaryDirectory() as folder:
        return png_uri(write_calibration_plot(report, Path(folder) / "calibration.png"))


def kpi_trend_figure(kpi: KpiResult) -> str:
    """Monthly percentage of one KPI with the IOF 50% and 80% band lines."""
    fig, ax = plt.subplots(figsize=(6.0, 2.6))
    months = [p.month for p in kpi.trend]
    values = [float("nan") if p.percent is None else p.percent for p in kpi.trend]
    ax.plot(months, values, linestyle="-", marker="o", color="black", markerfacecolor="white")
    for level, style in ((50, ":"), (80, "--")):
        ax.axhline(level, color="grey", linestyle=style, linewidth=1, label=f"{level}% band edge")
    ax.set(ylim=(0, 100), ylabel="patients meeting KPI (%)", xlabel="month of index date")
    ax.set_title(f"{kpi.name}: n = {kpi.denominator} eligible over {len(months)} months", fontsize=9)
    step = max(1, len(months) // 12)
    ax.set_xticks(range(0, len(months), step), months[::step], rotation=45, fontsize=7)
    ax.legend(frameon=False, fontsize=7, loc="lower right")
    return data_uri(fig)


def risk_histogram(profile: CohortProfile, values: list[float]) -> str:
    """Histogram of predicted untreated 12-month risk (percent)."""
    fig, ax = plt.subplots(figsize=(5.5, 3.0))
    ax.hist(values, bins=30, color="lightgrey", edgecolor="black", hatch="//")
    ax.set(
        xlabel="predicted untreated 12-month risk of new vertebral fracture (%)", ylabel="patients (count)"
    )
    ax.set_title(f"Distribution of predicted risk, n = {len(values)} of {profile.n} scored", fontsize=9)
    return data_uri(fig)


def criteria_bars(criteria: pd.Series, n: int) -> str:
    """Why patients sit in their tier: the share meeting each criterion (the tier table has the counts).

    A bar per tier says nothing when nearly everyone is very high; the criteria say why.
    """
    codes = criteria.fillna("").astype(str).str.split(";").explode()
    tally = codes[codes != ""].value_counts()
    fig, ax = plt.subplots(figsize=(6.0, 0.45 * max(len(tally), 2) + 0.9))
    names = [CRITERION_WORDS.get(str(code), str(code)) for code in tally.index]
    shares = [100.0 * int(count) / n if n else 0.0 for count in tally.to_numpy()]
    ax.barh(range(len(names)), shares, color="white", edgecolor="black", hatch="//")
    for i, share in enumerate(shares):
        ax.text(share + 1, i, f"{share:.0f}%", va="center", fontsize=7)
    ax.set_yticks(range(len(names)), names, fontsize=8)
    ax.invert_yaxis()
    ax.set(xlim=(0, 110), xlabel="patients meeting the criterion (% of scored)")
    ax.set_title(f"Criteria behind the risk tiers, n = {n}", fontsize=9)  # several per patient
    return data_uri(fig)


def decision_curve_figure(performance: Performance) -> str:
    """Net benefit of the model vs treat-all and treat-none at 12 months."""
    curve = performance.decision_curve
    n = performance.validation.n if performance.validation else 0
    fig, ax = plt.subplots(figsize=(5.5, 3.6))
    x = [100 * p.threshold for p in curve]
    ax.plot(x, [p.model for p in curve], "k-o", markerfacecolor="white", label="treat by model")
    ax.plot(x, [p.treat_all for p in curve], color="dimgrey", linestyle="--", marker="s", label="treat all")
    ax.axhline(0, color="grey", linestyle=":", label="treat none")
    top = max([p.model for p in curve] + [p.treat_all for p in curve] + [0.01])
    ax.set(
        ylim=(-0.25 * top, 1.1 * top),
        xlabel="threshold 12-month risk (%)",
        ylabel="net benefit (per patient)",
    )
    ax.set_title(f"Decision curve at 12 months, n = {n}", fontsize=9)
    ax.legend(frameon=False, fontsize=8)
    return data_uri(fig)


def incidence_figure(performance: Performance) -> str:
    """Observed cumulative incidence of new fracture by tier (Aalen–Johansen, death competing)."""
    fig, ax = plt.subplots(figsize=(5.5, 3.6))
    groups = [
        g for g in dict.fromkeys(p.group for p in performance.incidence) if g not in small_groups(performance)
    ]
    for i, group in enumerate(groups):
        points = [p for p in performance.incidence if p.group == group]
        # Months past this tier's follow-up are not estimable: the line stops there.
        months = [p.months for p in points if p.incidence is not None]
        percent = [100 * p.incidence for p in points if p.incidence is not None]
        line, marker, colour = STYLES[i % len(STYLES)]
        ax.step(months, percent, where="post",
                linestyle=line, color=colour, label=f"{group} (n = {points[0].n})")  # fmt: skip
        ax.plot(months, percent, linestyle="none",
                marker=marker, color=colour, markerfacecolor="white")  # fmt: skip
    ax.set(xlabel="months since procedure", ylabel="cumulative incidence of new fracture (%)")
    ax.set_title("Observed re-fracture by risk tier (Aalen–Johansen, death competing)", fontsize=9)
    if groups:
        ax.legend(frameon=False, fontsize=8)
    return data_uri(fig)


def small_groups(performance: Performance) -> dict[str, int]:
    """Tier groups left off the incidence chart (fewer than MIN_INCIDENCE_GROUP patients), with their n."""
    sizes = {p.group: p.n for p in performance.incidence}
    return {group: n for group, n in sizes.items() if n < MIN_INCIDENCE_GROUP}
