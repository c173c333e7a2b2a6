"""Derived values of rules.md ('Derived values'), computed alike for a record or a cohort."""

from __future__ import annotations

from risk import ops
from risk.facts import Facts

DAYS_ON_THERAPY_FOR_FAILURE = 365
MIN_EVALUABLE_LUMBAR_VERTEBRAE = 2  # ISCD: never report spine BMD from fewer than two


def derive(facts: Facts) -> Facts:
    """The facts plus every derived value the rules use (a new dict; input untouched)."""
    f = dict(facts)
    f["age"] = ops.where(ops.isnan(f["age_from_birth_date"]), f["age_years"], f["age_from_birth_date"])
    spine_counts = f["lumbar_vertebrae_evaluable"] >= MIN_EVALUABLE_LUMBAR_VERTEBRAE
    spine = ops.where(spine_counts, f["t_score_lumbar_spine"], float("nan"))
    f["lowest_t"] = ops.fmin(f["t_score_femoral_neck"], f["t_score_total_hip"], spine)
    f["any_t_score"] = ops.any_of(
        ops.notnan(f["t_score_femoral_neck"]),
        ops.notnan(f["t_score_total_hip"]),
        ops.notnan(f["t_score_lumbar_spine"]),
    )
    f["vertebral_fractures"] = f["n_levels"] + f["prior_vertebral_fractures"]
    f["days_since_fracture"] = f["assessment_date"] - f["fracture_date"]
    f["fracture_on_therapy"] = ops.all_of(
        f["current_treatment"] != "none",
        ops.notnan(f["treatment_start_date"]),
        f["fracture_date"] - f["treatment_start_date"] >= DAYS_ON_THERAPY_FOR_FAILURE,
    )
    f["days_since_last_dose"] = f["assessment_date"] - f["last_dose_date"]
    return f
