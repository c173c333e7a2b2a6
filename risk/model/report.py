"""The validation report as pydantic models: stored in the artefact, printed by the CLI."""

from __future__ import annotations

import math

from pydantic import BaseModel, ConfigDict


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


NOT_ESTIMABLE = "not estimable"


class Estimate(_Frozen):
    """A point estimate with its 95% bootstrap interval (None when not bootstrapped).

    ``value`` None means not estimable (horizon beyond follow-up, no cases or no controls):
    such a metric is printed as "not estimable", never as a number.
    """

    value: float | None
    low: float | None = None
    high: float | None = None

    @classmethod
    def of(cls, value: float, low: float | None = None, high: float | None = None) -> Estimate:
        """An estimate from computed floats; NaN or infinite parts become None."""
        finite = [v if v is not None and math.isfinite(v) else None for v in (value, low, high)]
        if finite[0] is None:
            return cls(value=None)
        return cls(value=finite[0], low=finite[1], high=finite[2])

    @property
    def estimable(self) -> bool:
        """Whether there is a number at all."""
        return self.value is not None

    def __str__(self) -> str:
        if self.value is None:
            return NOT_ESTIMABLE
        if self.low is None or self.high is None:
            return f"{self.value:.3f}"
        return f"{self.value:.3f} ({self.low:.3f}–{self.high:.3f})"


class HorizonMetrics(_Frozen):
    """Performance of one horizon's predictions on one (sub)group."""

    months: int
    n: int
    events: int  # new fractures observed ≤ horizon
    auc: Estimate
    brier: Estimate
    observed: Estimate  # Aalen–Johansen cumulative incidence
    expected: Estimate  # mean predicted risk (as treated)
    o_e: Estimate
    calibration_slope: Estimate
    calibration_intercept: Estimate


class CalibrationBin(_Frozen):
    """One risk group of the calibration plot."""

    months: int
    n: int
    predicted: float
    observed: float


class Subgroup(_Frozen):
    """Metrics in a subgroup (sex or age band), for fairness reporting (TRIPOD+AI)."""

    name: str
    metrics: list[HorizonMetrics]


class ChallengerResult(_Frozen):
    """A challenger model's point metrics on the same validation rows."""

    name: str
    metrics: list[HorizonMetrics]


class ValidationReport(_Frozen):
    """Discrimination and calibration of the model on a validation cohort."""

    model_name: str
    model_version: str
    design: str  # how the validation rows were chosen
    n: int
    overall: list[HorizonMetrics]
    subgroups: list[Subgroup]
    calibration_bins: list[CalibrationBin]
    challengers: list[ChallengerResult] = []
    chosen: str = "logistic"
    warnings: list[str] = []

    def __str__(self) -> str:
        lines = [f"{self.model_name} {self.model_version} — {self.design}, n={self.n}"]
        lines += [_row("overall", m) for m in self.overall]
        for group in self.subgroups:
            lines += [_row(group.name, m) for m in group.metrics]
        for challenger in self.challengers:
            lines += [_row(f"challenger {challenger.name}", m) for m in challenger.metrics]
        lines.append(f"shipped: {self.chosen}")
        lines += [f"WARNING: {w}" for w in self.warnings]
        return "\n".join(lines)


def _row(label: str, m: HorizonMetrics) -> str:
    return (
        f"{label:>22} {m.months:>2} mo  n={m.n:<6} events={m.events:<5} AUC {m.auc}  "
        f"Brier {m.brier}  O/E {m.o_e}  slope {m.calibration_slope}  "
        f"intercept {m.calibration_intercept}"
    )
