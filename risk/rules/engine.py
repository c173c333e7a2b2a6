"""The one rule engine: evaluates the pathway, criteria, flags and decisions tables.

It runs on facts in ``risk.ops`` style, so the same call scores one record (scalars)
or a whole cohort (numpy columns). The model's 12-month risk enters only through the
HIGH_MODEL_RISK flag, which can add a flag and raise a priority, never lower one.
"""

from __future__ import annotations

from dataclasses import dataclass

from risk import ops
from risk.facts import Facts
from risk.rules.config import RuleConfig
from risk.rules.decisions import choose_priority, recommend_therapy
from risk.rules.derived import derive
from risk.rules.pathway import OSTEOPOROSIS_T_SCORE, choose_pathway
from risk.rules.table import CRITERIA, FLAGS, RULES

RULESET_VERSION = "2026.11.1"

# Which codes feed which decision, read off the table once rather than on every call.
VERY_HIGH_CODES = tuple(r.code for r in CRITERIA if r.very_high)
SPECIALIST_CODES = tuple(r.code for r in FLAGS if r.specialist)
URGENT_CODES = tuple(r.code for r in FLAGS if r.severity == "urgent")


@dataclass(frozen=True, slots=True)
class RuleOutcome:
    """What the rules decided, per patient (scalars for a record, arrays for a cohort)."""

    facts: Facts
    pathway: ops.Value
    risk_tier: ops.Value  # "very_high" / "high" / None
    fired: dict[str, ops.Value]  # rule code → bool
    refer_to_pcp: ops.Value
    refer_to_specialist: ops.Value
    recommended_therapy: ops.Value
    priority: ops.Value

    def decisions(self) -> dict[str, ops.Value]:
        """The decision fields of contract §2, by their contract names."""
        return {
            "pathway": self.pathway,
            "risk_tier": self.risk_tier,
            "priority": self.priority,
            "refer_to_pcp": self.refer_to_pcp,
            "refer_to_specialist": self.refer_to_specialist,
            "recommended_therapy": self.recommended_therapy,
        }


def evaluate(facts: Facts, model_risk_12m: ops.Value, config: RuleConfig) -> RuleOutcome:
    """Apply rules.md to facts; ``model_risk_12m`` is NaN where no model risk exists."""
    f = derive(facts)
    pathway = choose_pathway(f)
    f["p1"], f["p2"], f["p3"] = (
        pathway == "oncology",
        pathway == "trauma_review",
        pathway == "osteoporosis",
    )
    f["osteoporosis_by_bmd"] = (f["fracture_cause"] == "high_energy_trauma") & (
        f["lowest_t"] <= OSTEOPOROSIS_T_SCORE
    )
    f["model_risk_12m"] = model_risk_12m
    f["high_model_risk_threshold"] = config.high_model_risk_threshold
    fired = {rule.code: rule.condition(f) for rule in RULES}
    very_high = ops.any_of(*[fired[code] for code in VERY_HIGH_CODES])
    therapy = recommend_therapy(fired, pathway, f["current_treatment"])
    specialist = ops.any_of(therapy == "anabolic_first", *[fired[code] for code in SPECIALIST_CODES])
    urgent = ops.any_of(*[fired[code] for code in URGENT_CODES])
    return RuleOutcome(
        facts=f,
        pathway=pathway,
        risk_tier=ops.where(f["p3"], ops.where(very_high, "very_high", "high"), None),
        fired=fired,
        refer_to_pcp=f["p3"],
        refer_to_specialist=specialist,
        recommended_therapy=therapy,
        priority=choose_priority(urgent, very_high, specialist),
    )
