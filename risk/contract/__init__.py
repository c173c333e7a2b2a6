"""The public data contract (../shared/contract/patient-record.md) as typed models."""

from risk.contract.assessment import (
    Assessment,
    Contribution,
    Criterion,
    Flag,
    ModelInfo,
    RiskEstimate,
)
from risk.contract.enums import (
    CEMENT_LEAKAGE,
    CURRENT_TREATMENTS,
    FRACTURE_CAUSES,
    LEVELS,
    PATHWAYS,
    PRIORITIES,
    RECOMMENDED_THERAPIES,
    RISK_TIERS,
    SEVERITIES,
)
from risk.contract.patient import PatientRecord

__all__ = [
    "CEMENT_LEAKAGE",
    "CURRENT_TREATMENTS",
    "FRACTURE_CAUSES",
    "LEVELS",
    "PATHWAYS",
    "PRIORITIES",
    "RECOMMENDED_THERAPIES",
    "RISK_TIERS",
    "SEVERITIES",
    "Assessment",
    "Contribution",
    "Criterion",
    "Flag",
    "ModelInfo",
    "PatientRecord",
    "RiskEstimate",
]
