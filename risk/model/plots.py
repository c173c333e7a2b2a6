"""The calibration plot of a validation report as a greyscale-readable PNG (Agg backend, no display)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib as mpl

mpl.use("Agg")  # headless servers and CI: never try to open a window

import matplotlib.pyplot as plt

from risk.model.report import ValidationReport

MARKERS = {12: ("o", "black", "-"), 24: ("s", "dimgrey", "--")}


def write_calibration_plot(report: ValidationReport, path: Path) -> Path:
    """Predicted vs observed risk per risk decile, both horizons, with the line of identity."""
    fig, ax = plt.subplots(figsize=(5.5, 5.0), dpi=120)
    top = 0.0
    for months, (marker, colour, line) in MARKERS.items():
        bins = [b for b in report.calibration_bins if b.months == months]
        if not bins:
            continue
        x = [100 * b.predicted for b in bins]
        y = [100 * b.observed for b in bins]
        top = max(top, *x, *y)
        ax.plot(x, y, marker=marker, color=colour, linestyle=line, markerfacecolor="white",
                label=f"{months} months")  # fmt: skip
    top = 1.05 * top if top > 0 else 100.0
    ax.plot([0, top], [0, top], color="grey", linestyle=":", linewidth=1, label="perfect")
    ax.set(xlim=(0, top), ylim=(0, top))
    ax.set_xlabel("Predicted risk of new vertebral fracture (%)")
    ax.set_ylabel("Observed cumulative incidence, Aalen–Johansen (%)")
    ax.set_title(
        f"{report.model_name} {report.model_version}: calibration by risk decile, n = {report.n}\n"
        + textwrap.fill(report.design, 80),
        fontsize=9,
    )
    ax.legend(frameon=False, loc="upper left")
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path
