"""Decisions of rules.md §4 as precedence tables: therapy, specialist, priority, treated risk."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from risk import ops
from risk.contract.enums import RecommendedTherapy
from risk.rules.config import RuleConfig

Fired = Mapping[str, ops.Value]

CONTINUE_FIRST = frozenset({"denosumab", "teriparatide", "abaloparatide", "romosozumab"})
CONTINUE_BISPHOSPHONATE = frozenset({"oral_bisphosphonate", "zoledronic_acid"})
ANTIRESORPTIVE_DRUGS = frozenset({"oral_bisphosphonate", "zoledronic_acid", "denosumab"})
ANABOLIC_DRUGS = frozenset({"teriparatide", "abaloparatide", "romosozumab"})


@dataclass(frozen=True, slots=True)
class TherapyStep:
    """One row of the recommended_therapy precedence (first match wins)."""

    therapy: RecommendedTherapy
    condition: Callable[[Fired, ops.Value, ops.Value], ops.Value]  # (fired, pathway, current)


THERAPY_PRECEDENCE: tuple[TherapyStep, ...] = (
    TherapyStep("oncology_management", lambda fired, pathway, current: pathway == "oncology"),
    TherapyStep("none", lambda fired, pathway, current: pathway == "trauma_review"),
    TherapyStep(
        "specialist_decision",
        lambda fired, pathway, current: ops.any_of(
            fired["EGFR_BELOW_30"], fired["ONJ_OR_AFF_HISTORY"], fired["FRACTURE_ON_THERAPY"]
        ),
    ),
    TherapyStep("continue_current", lambda f, p, current: ops.is_in(current, CONTINUE_FIRST)),
    TherapyStep(
        "anabolic_first",
        lambda fired, p, c: ops.any_of(fired["VH_MULTIPLE_VERTEBRAL"], fired["VH_VERY_LOW_BMD"]),
    ),
    TherapyStep("continue_current", lambda f, p, current: ops.is_in(current, CONTINUE_BISPHOSPHONATE)),
)
DEFAULT_THERAPY: RecommendedTherapy = "antiresorptive_first"


def recommend_therapy(fired: Fired, pathway: ops.Value, current: ops.Value) -> ops.Value:
    """The drug-class suggestion: the first precedence row that holds."""
    return ops.first_match(
        [step.condition(fired, pathway, current) for step in THERAPY_PRECEDENCE],
        [step.therapy for step in THERAPY_PRECEDENCE],
        DEFAULT_THERAPY,
    )


def relative_risk(therapy: ops.Value, current: ops.Value, config: RuleConfig) -> ops.Value:
    """Relative risk of the recommended class; NaN where no treated risk is given."""
    continuing = therapy == "continue_current"
    anabolic = ops.any_of(therapy == "anabolic_first", continuing & ops.is_in(current, ANABOLIC_DRUGS))
    antiresorptive = ops.any_of(
        therapy == "antiresorptive_first", continuing & ops.is_in(current, ANTIRESORPTIVE_DRUGS)
    )
    return ops.where(
        anabolic,
        config.relative_risk_anabolic,
        ops.where(antiresorptive, config.relative_risk_antiresorptive, float("nan")),
    )


def number_needed_to_treat(reduction: ops.Value) -> ops.Value:
    """1 / absolute risk reduction, rounded up; NaN where there is no reduction.

    Rounding to 9 decimals first keeps 1/0.1 = 10.000000000000002 at 10, not 11.
    """
    if not ops.is_array(reduction):  # one record: plain floats, no numpy error state
        return float(math.ceil(round(1 / reduction, 9))) if reduction > 0 else math.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(reduction > 0, np.ceil(np.round(1 / reduction, 9)), np.nan)


def risk_estimates(risk_12m: ops.Value, risk_24m: ops.Value, rr: ops.Value) -> dict[str, ops.Value]:
    """The contract's risk numbers from untreated risks and the class relative risk.

    NaN where a number is not given (no relative risk, no reduction): one record's floats
    or a cohort's columns, so the API's risk object and the flat file's columns agree.
    """
    treated_12m = risk_12m * rr
    reduction = risk_12m - treated_12m
    return {
        "new_vertebral_fracture_12m": risk_12m,
        "new_vertebral_fracture_24m": risk_24m,
        "with_treatment_12m": treated_12m,
        "with_treatment_24m": risk_24m * rr,
        "absolute_reduction_12m": reduction,
        "number_needed_to_treat_12m": number_needed_to_treat(reduction),
    }


def choose_priority(
    any_urgent_flag: ops.Value, very_high: ops.Value, refer_to_specialist: ops.Value
) -> ops.Value:
    """urgent if any urgent flag; else soon if very high or specialist; else routine."""
    return ops.first_match(
        [any_urgent_flag, ops.any_of(very_high, refer_to_specialist)], ["urgent", "soon"], "routine"
    )
