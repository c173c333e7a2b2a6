"""The cohort report as pydantic models: one object feeds both report.json and the HTML."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from risk.model.report import HorizonMetrics, ValidationReport

KpiStatus = Literal["measured", "not_measurable", "no_eligible_patients"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class MonthPoint(_Frozen):
    """One month of a KPI trend (month of the index date)."""

    month: str
    numerator: int
    denominator: int
    percent: float | None


class KpiResult(_Frozen):
    """One FLS KPI: counts, IOF band and monthly trend — or why it cannot be measured."""

    key: str
    name: str
    standard: str
    numerator_text: str
    denominator_text: str
    target_percent: float
    status: KpiStatus
    numerator: int | None = None
    denominator: int | None = None
    percent: float | None = None
    band: str | None = None
    missing_columns: list[str] = []
    not_yet_due: int = 0
    trend: list[MonthPoint] = []


class Count(_Frozen):
    """A category and how many patients fall in it."""

    label: str
    n: int
    percent: float


class RiskSummary(_Frozen):
    """Distribution of a predicted risk (percent) over the rows that have one."""

    column: str
    n: int
    mean: float
    quartiles: list[float]
    p90: float


class CohortProfile(_Frozen):
    """Who is in the cohort and what the rules recommended."""

    n: int
    tiers: list[Count]
    pathways: list[Count]
    priorities: list[Count]
    therapies: list[Count]
    flags: list[Count]
    risk: list[RiskSummary]


class NetBenefit(_Frozen):
    """Net benefit of treating by the model at one threshold, against treat-all and treat-none."""

    threshold: float
    model: float
    treat_all: float


class IncidencePoint(_Frozen):
    """Aalen–Johansen cumulative incidence of a new fracture at one time, in one tier."""

    group: str
    n: int
    months: float
    incidence: float | None  # None: this tier's follow-up ends before ``months`` (not estimable)


class SubgroupResult(_Frozen):
    """Metrics in a subgroup, and whether it is too small to trust."""

    name: str
    n: int
    metrics: list[HorizonMetrics]
    warning: str | None = None
    flags: list[str] = []  # ≥ 50 events and O/E outside 0.8–1.25 (risk.model.validation)


class Performance(_Frozen):
    """Model performance at this site (only when §3 outcome columns are present)."""

    status: Literal["measured", "not_measurable"]
    population: str
    apparent: bool = False  # the cohort is the model's own training data (fingerprint match)
    missing_columns: list[str] = []
    validation: ValidationReport | None = None
    subgroups: list[SubgroupResult] = []
    subgroup_notes: list[str] = []
    decision_curve: list[NetBenefit] = []
    incidence: list[IncidencePoint] = []


class FunnelStep(_Frozen):
    """How many referrals reached a status, and the days it took from creation."""

    status: str
    n: int
    percent_of_created: float
    median_days: float | None
    p90_days: float | None


class ReferralFunnel(_Frozen):
    """Referral funnel read from the service database."""

    as_of: str
    steps: list[FunnelStep]
    unacknowledged_overdue: int
    follow_up_overdue: int
    overdue_days: int


class LoopGroup(_Frozen):
    """The referral loop of one group (all, a priority, a practice): days from the procedure."""

    group: str
    value: str
    referrals: int
    letter_n: int
    letter_median_days: float | None
    ack_n: int
    ack_median_days: float | None
    treatment_n: int
    treatment_median_days: float | None
    treated_16w_numerator: int
    treated_16w_denominator: int
    treated_16w_percent: float | None


class LoopKpis(_Frozen):
    """Time from the procedure to the letter, the PCP's acknowledgement and treatment start."""

    as_of: str
    window_days: int
    pcp_answers: int
    groups: list[LoopGroup]
    cohort_starts_from_pcp: int | None = None  # patients whose treatment start came from a PCP answer


class CohortReport(_Frozen):
    """Everything the HTML shows, as numbers."""

    title: str
    source: str
    as_of: str
    model: str
    kpis: list[KpiResult]
    profile: CohortProfile
    performance: Performance
    funnel: ReferralFunnel | None = None
    loop: LoopKpis | None = None
