"""Assessment: the output of scoring one record (contract §2). Keys are stable."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from risk.contract.enums import Pathway, Priority, RecommendedTherapy, RiskTier, Severity


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Criterion(_Out):
    """A very-high-risk (or diagnostic) criterion that fired, with its guideline source."""

    code: str
    message: str
    source: str


class Flag(_Out):
    """A safety or work-up flag, with severity, a clinician-readable message and source."""

    code: str
    severity: Severity
    message: str
    source: str


class RiskEstimate(_Out):
    """Model risk of a new vertebral fracture; untreated and if the recommendation is followed."""

    new_vertebral_fracture_12m: float = Field(ge=0, le=1)
    new_vertebral_fracture_24m: float = Field(ge=0, le=1)
    with_treatment_12m: float | None = Field(default=None, ge=0, le=1)
    with_treatment_24m: float | None = Field(default=None, ge=0, le=1)
    absolute_reduction_12m: float | None = Field(default=None, ge=0, le=1)
    number_needed_to_treat_12m: int | None = Field(default=None, ge=1)


class Contribution(_Out):
    """One feature's term of the linear predictor (12-month model): value and log-odds effect."""

    feature: str
    value: float | str | None
    effect: float


class ModelInfo(_Out):
    """The model that produced ``risk``."""

    name: str
    version: str


class Assessment(_Out):
    """Everything the rules and the model say about one patient."""

    patient_id: str
    assessment_date: dt.date
    pathway: Pathway
    risk_tier: RiskTier | None
    priority: Priority
    refer_to_pcp: bool
    refer_to_specialist: bool
    recommended_therapy: RecommendedTherapy
    criteria: list[Criterion]
    flags: list[Flag]
    risk: RiskEstimate | None
    contributions: list[Contribution]
    model: ModelInfo
    missing_inputs: list[str]
