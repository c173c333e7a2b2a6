"""Pathway choice (rules.md §1): first match wins, as a table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from risk import ops
from risk.contract.enums import Pathway
from risk.facts import Facts

OSTEOPOROSIS_T_SCORE = -2.5


@dataclass(frozen=True, slots=True)
class PathwayRule:
    """One row of the pathway table."""

    code: str
    pathway: Pathway
    condition: Callable[[Facts], ops.Value]


def _oncology(f: Facts) -> ops.Value:
    return ops.any_of(f["biopsy_result"] == "malignant", f["myeloma"], f["fracture_cause"] == "malignancy")


def _trauma_review(f: Facts) -> ops.Value:
    # NaN > -2.5 is false, so the null case is spelled out.
    not_osteoporotic_by_bmd = ops.any_of(ops.isnan(f["lowest_t"]), f["lowest_t"] > OSTEOPOROSIS_T_SCORE)
    return ops.all_of(f["fracture_cause"] == "high_energy_trauma", not_osteoporotic_by_bmd)


PATHWAY_RULES: tuple[PathwayRule, ...] = (
    PathwayRule("P1", "oncology", _oncology),
    PathwayRule("P2", "trauma_review", _trauma_review),
)
DEFAULT_PATHWAY: Pathway = "osteoporosis"  # P3
# rules.md P1: the oncology pathway's result never uses the model's risk.
NO_MODEL_RISK_PATHWAY: Pathway = "oncology"


def choose_pathway(facts: Facts) -> ops.Value:
    """The pathway of each patient: the first row of the table whose condition holds."""
    return ops.first_match(
        [rule.condition(facts) for rule in PATHWAY_RULES],
        [rule.pathway for rule in PATHWAY_RULES],
        DEFAULT_PATHWAY,
    )


def has_model_risk(pathway: ops.Value) -> ops.Value:
    """Whether a result on this pathway carries the model's risk (P1, oncology, never does)."""
    return pathway != NO_MODEL_RISK_PATHWAY


def model_eligible(facts: Facts) -> ops.Value:
    """Whether the model is for this patient: every one P1 does not take to the oncology pathway.

    The very P1 condition of the pathway table, so training, validation and recalibration
    select exactly the patients whose results show a model risk.
    """
    return ops.not_(_oncology(facts))
