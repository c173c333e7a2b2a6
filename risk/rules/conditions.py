"""Named clinical conditions shared by more than one rule (each threshold lives here once)."""

from __future__ import annotations

from risk import ops
from risk.facts import Facts

RECENT_FRACTURE_DAYS = 730
MULTIPLE_VERTEBRAL_FRACTURES = 2
VERY_LOW_T_SCORE = -3.0
GC_MODERATE_MG, GC_MODERATE_MONTHS = 7.5, 3
GC_HIGH_MG, GC_HIGH_MONTHS = 30.0, 1
FALLS_HIGH_RISK = 2
DENOSUMAB_DUE_DAYS, DENOSUMAB_OVERDUE_DAYS = 183, 210
EGFR_SEVERE, EGFR_MODERATE = 30.0, 35.0
VITAMIN_D_DEFICIENT_NG_ML = 20.0
CALCIUM_LOW_MG_DL, CALCIUM_HIGH_MG_DL = 8.5, 10.5
ALP_HIGH_U_L = 150.0
YOUNG_AGE = 50
DXA_AGE = 50


def high_dose_glucocorticoid(f: Facts) -> ops.Value:
    """VH_GLUCOCORTICOID: ≥7.5 mg/d for ≥3 months, or ≥30 mg/d for ≥1 month."""
    dose, months = f["glucocorticoid_mg_per_day"], f["glucocorticoid_months"]
    return ops.any_of(
        (dose >= GC_MODERATE_MG) & (months >= GC_MODERATE_MONTHS),
        (dose >= GC_HIGH_MG) & (months >= GC_HIGH_MONTHS),
    )


def high_fall_risk(f: Facts) -> ops.Value:
    """Two or more falls in the last 12 months."""
    return f["falls_last_12_months"] >= FALLS_HIGH_RISK


def on_denosumab(f: Facts) -> ops.Value:
    """Current treatment is denosumab."""
    return f["current_treatment"] == "denosumab"


def no_t_score(f: Facts) -> ops.Value:
    """No DXA T-score at any site."""
    return ops.not_(f["any_t_score"])
