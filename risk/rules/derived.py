"""Derived values of rules.md ('Derived values'), computed alike for a record or a cohort.

The model's features use the same functions (age, lowest T-score, vertebral fracture
count), so each clinical definition — e.g. ISCD's two-vertebra rule — lives only here.
"""

from __future__ import annotations

from risk import ops
from risk.facts import Facts

DAYS_ON_THERAPY_FOR_FAILURE = 365
MIN_EVALUABLE_LUMBAR_VERTEBRAE = 2  # ISCD: never report spine BMD from fewer than two


def age(f: Facts) -> ops.Value:
    """Whole years at assessment_date from birth_date, else age_years."""
    return ops.where(ops.isnan(f["age_from_birth_date"]), f["age_years"], f["age_from_birth_date"])


def spine_evaluable(f: Facts) -> ops.Value:
    """Whether a spine T-score may be used: ≥2 evaluable lumbar vertebrae (missing count: no)."""
    return f["lumbar_vertebrae_evaluable"] >= MIN_EVALUABLE_LUMBAR_VERTEBRAE


def lowest_t(f: Facts) -> ops.Value:
    """Lowest of FN, TH and LS T-scores; the spine counts only with ≥2 evaluable vertebrae."""
    spine = ops.where(spine_evaluable(f), f["t_score_lumbar_spine"], float("nan"))
    return ops.fmin(f["t_score_femoral_neck"], f["t_score_total_hip"], spine)


def vertebral_fractures(f: Facts) -> ops.Value:
    """Cemented levels plus prior vertebral fractures."""
    return f["n_levels"] + f["prior_vertebral_fractures"]


def derive(facts: Facts) -> Facts:
    """The facts plus every derived value the rules use (a new dict; input untouched)."""
    f = dict(facts)
    f["age"] = age(f)
    f["lowest_t"] = lowest_t(f)
    f["any_t_score"] = ops.any_of(
        ops.notnan(f["t_score_femoral_neck"]),
        ops.notnan(f["t_score_total_hip"]),
        ops.notnan(f["t_score_lumbar_spine"]),
    )
    f["vertebral_fractures"] = vertebral_fractures(f)
    f["days_since_fracture"] = f["assessment_date"] - f["fracture_date"]
    f["fracture_on_therapy"] = ops.all_of(
        f["current_treatment"] != "none",
        ops.notnan(f["treatment_start_date"]),
        f["fracture_date"] - f["treatment_start_date"] >= DAYS_ON_THERAPY_FOR_FAILURE,
    )
    f["days_since_last_dose"] = f["assessment_date"] - f["last_dose_date"]
    return f
