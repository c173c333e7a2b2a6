"""Contract rules that involve more than one field, as one table for records and cohorts.

Each rule names the field it reports, the rule as a user reads it, and a condition
that holds when the rule is *broken*; the condition is written in ``risk.ops`` style
over facts, so the API (one record) and batch validation (a cohort) share it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from risk import ops
from risk.facts import Facts, day_number, facts_from_record

if TYPE_CHECKING:
    from risk.contract.patient import PatientRecord


@dataclass(frozen=True, slots=True)
class CrossFieldRule:
    """A contract constraint between fields; ``broken`` is true where it is violated."""

    field: str
    rule: str
    broken: Callable[[Facts], ops.Value]


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken cross-field rule of one record."""

    field: str
    message: str


def _is_after(earlier: str, later: str) -> Callable[[Facts], ops.Value]:
    # NaN compares false, so a missing date never breaks an ordering rule.
    return lambda f: f[earlier] > f[later]


CROSS_FIELD_RULES: tuple[CrossFieldRule, ...] = (
    CrossFieldRule(
        "birth_date",
        "one of birth_date / age_years is required",
        lambda f: ops.isnan(f["birth_date"]) & ops.isnan(f["age_years"]),
    ),
    CrossFieldRule(
        "birth_date",
        "birth_date must not be after assessment_date",
        _is_after("birth_date", "assessment_date"),
    ),
    CrossFieldRule(
        "birth_date",
        "birth_date must not be in the future",
        # The contract says "not in the future"; assessment_date has no upper bound, so the
        # check above alone let a birth in 2030 through with a 2050 assessment.
        lambda f: f["birth_date"] > day_number(dt.date.today()),
    ),
    CrossFieldRule(
        "birth_date",
        "age at assessment_date must be 18–110 years",
        lambda f: (f["age_from_birth_date"] < 18) | (f["age_from_birth_date"] > 110),
    ),
    CrossFieldRule(
        "assessment_date",
        "assessment_date must not be before procedure_date",
        _is_after("procedure_date", "assessment_date"),
    ),
    CrossFieldRule(
        "fracture_date",
        "fracture_date must not be after procedure_date",
        _is_after("fracture_date", "procedure_date"),
    ),
    CrossFieldRule(
        "dxa_date",
        "dxa_date must not be after assessment_date",
        _is_after("dxa_date", "assessment_date"),
    ),
    CrossFieldRule(
        "last_dose_date",
        "last_dose_date must not be after assessment_date",
        _is_after("last_dose_date", "assessment_date"),
    ),
    CrossFieldRule(
        "prior_vertebral_fractures",
        "prior_vertebral_fractures must not exceed prior_fragility_fractures",
        lambda f: f["prior_vertebral_fractures"] > f["prior_fragility_fractures"],
    ),
)


def record_violations(record: PatientRecord, facts: Facts | None = None) -> list[Violation]:
    """Every cross-field rule the record breaks, with a message naming value and rule."""
    facts = facts if facts is not None else facts_from_record(record)
    return [
        Violation(rule.field, f"{rule.rule} (got {rule.field}={getattr(record, rule.field)})")
        for rule in CROSS_FIELD_RULES
        if rule.broken(facts)
    ]
