"""Configurable numbers of the rule layer (rules.md §3 HIGH_MODEL_RISK, §4 relative risks)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RuleConfig:
    """Thresholds the clinical owner may tune; defaults are those of rules.md."""

    high_model_risk_threshold: float = 0.20
    relative_risk_antiresorptive: float = 0.40
    relative_risk_anabolic: float = 0.25
