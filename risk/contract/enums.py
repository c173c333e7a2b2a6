"""Allowed values of the contract's enum fields, as Literal types and as tuples for checks."""

from typing import Literal, get_args

Sex = Literal["female", "male"]
FractureCause = Literal["low_energy", "high_energy_trauma", "malignancy", "unknown"]
ProcedureType = Literal["kyphoplasty", "vertebroplasty"]
CementLeakage = Literal["none", "intradiscal", "other", "unknown"]
BiopsyResult = Literal["not_done", "benign", "malignant"]
Diabetes = Literal["none", "type1", "type2"]
CurrentTreatment = Literal[
    "none",
    "oral_bisphosphonate",
    "zoledronic_acid",
    "denosumab",
    "teriparatide",
    "abaloparatide",
    "romosozumab",
    "raloxifene",
    "hormone_therapy",
]
Level = Literal[
    "T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9", "T10", "T11", "T12",
    "L1", "L2", "L3", "L4", "L5",
]  # fmt: skip

Pathway = Literal["osteoporosis", "oncology", "trauma_review"]
RiskTier = Literal["very_high", "high"]
Priority = Literal["urgent", "soon", "routine"]
RecommendedTherapy = Literal[
    "anabolic_first",
    "antiresorptive_first",
    "continue_current",
    "specialist_decision",
    "oncology_management",
    "none",
]
Severity = Literal["urgent", "warning", "info"]

SEXES: tuple[str, ...] = get_args(Sex)
FRACTURE_CAUSES: tuple[str, ...] = get_args(FractureCause)
PROCEDURE_TYPES: tuple[str, ...] = get_args(ProcedureType)
CEMENT_LEAKAGE: tuple[str, ...] = get_args(CementLeakage)
BIOPSY_RESULTS: tuple[str, ...] = get_args(BiopsyResult)
DIABETES: tuple[str, ...] = get_args(Diabetes)
CURRENT_TREATMENTS: tuple[str, ...] = get_args(CurrentTreatment)
LEVELS: tuple[str, ...] = get_args(Level)
PATHWAYS: tuple[str, ...] = get_args(Pathway)
RISK_TIERS: tuple[str, ...] = get_args(RiskTier)
PRIORITIES: tuple[str, ...] = get_args(Priority)
RECOMMENDED_THERAPIES: tuple[str, ...] = get_args(RecommendedTherapy)
SEVERITIES: tuple[str, ...] = get_args(Severity)
