"""Assessor: the rules and the model combined into the contract's Assessment (contract §2).

One record goes through plain-Python scalars (microseconds, no pandas); a cohort goes
through the same rule table and model on numpy columns and comes out flattened.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd

from risk.contract import Assessment, ModelInfo, PatientRecord
from risk.facts import Facts, facts_from_frame
from risk.flatten import flatten_outcome
from risk.model.scorer import ModelOutput, RefractureModel
from risk.rules.config import RuleConfig
from risk.rules.decisions import relative_risk, risk_estimates
from risk.rules.engine import RULESET_VERSION, RuleOutcome, evaluate
from risk.rules.pathway import has_model_risk
from risk.rules.table import CRITERIA, FLAGS

__all__ = ["RULESET_VERSION", "Assessor"]


class Assessor:
    """Scores records and cohorts with one loaded model and one rule configuration."""

    def __init__(self, model: RefractureModel, config: RuleConfig | None = None) -> None:
        self.model = model
        self.config = config or RuleConfig()
        self.model_info = ModelInfo(name=model.name, version=model.version)
        self._model_payload = self.model_info.model_dump()
        self.ruleset_version = RULESET_VERSION

    @classmethod
    def load(cls, model_path: Path, config: RuleConfig | None = None) -> Assessor:
        """An assessor for the model artefact at ``model_path`` (ModelArtefactError if unusable)."""
        return cls(RefractureModel.load(model_path), config)

    def assess(self, record: PatientRecord) -> Assessment:
        """The Assessment of one validated record (checked against the contract's model)."""
        return Assessment.model_validate(self.assess_payload(record))

    def assess_payload(self, record: PatientRecord) -> dict[str, Any]:
        """The same assessment as plain data with the contract's keys, ready for JSON.

        The API answers with this directly: validating and re-dumping an Assessment per
        request would cost more than the rules and the model together.
        """
        facts = record.facts  # computed once, when the record was validated
        prediction = self.model.predict(facts)
        outcome = evaluate(facts, prediction.risk_12m, self.config)
        has_risk = has_model_risk(outcome.pathway)
        return {
            "patient_id": record.patient_id,
            "assessment_date": record.assessment_date,
            **outcome.decisions(),
            "criteria": [CRITERION_OUT[r.code] for r in CRITERIA if outcome.fired[r.code]],
            "flags": [FLAG_OUT[r.code] for r in FLAGS if outcome.fired[r.code]],
            "risk": self._risk(prediction, outcome) if has_risk else None,
            "contributions": _contributions(prediction) if has_risk else [],
            "model": self._model_payload,
            "missing_inputs": list(prediction.missing_inputs) if has_risk else [],
        }

    def _risk(self, prediction: ModelOutput, outcome: RuleOutcome) -> dict[str, Any]:
        rr = relative_risk(outcome.recommended_therapy, outcome.facts["current_treatment"], self.config)
        return treated_risks(prediction.risk_12m, prediction.risk_24m, rr)

    def assess_frame(self, frame: pd.DataFrame, facts: Facts | None = None) -> pd.DataFrame:
        """A normalised, valid cohort frame → one flat row per patient, same order.

        ``facts`` are the frame's facts when the caller already has them (validation computes them).
        """
        facts = facts_from_frame(frame) if facts is None else facts
        batch = self.model.predict_batch(facts)
        outcome = evaluate(facts, batch.risk_12m, self.config)
        return flatten_outcome(frame, outcome, batch, self.config, self.model_info)


def treated_risks(risk_12m: float, risk_24m: float, rr: float) -> dict[str, Any]:
    """The contract's risk object: ``risk_estimates`` with null for NaN, the NNT a whole number."""
    risk: dict[str, Any] = risk_estimates(risk_12m, risk_24m, rr)  # the cohort's numbers, one row
    nnt = risk["number_needed_to_treat_12m"]
    risk["number_needed_to_treat_12m"] = None if math.isnan(nnt) else int(nnt)
    if math.isnan(rr):  # the treated numbers are NaN exactly when the relative risk is
        risk.update(NO_TREATED_RISK)
    return risk


NO_TREATED_RISK: dict[str, None] = {
    "with_treatment_12m": None,
    "with_treatment_24m": None,
    "absolute_reduction_12m": None,
}


def _contributions(prediction: ModelOutput) -> list[dict[str, Any]]:
    return [
        {"feature": feature, "value": value, "effect": effect}
        for feature, value, effect in prediction.contributions
    ]


CRITERION_OUT: dict[str, dict[str, str]] = {
    r.code: {"code": r.code, "message": r.message, "source": r.source} for r in CRITERIA
}
FLAG_OUT: dict[str, dict[str, str]] = {
    r.code: {"code": r.code, "severity": r.severity or "info", "message": r.message, "source": r.source}
    for r in FLAGS
}
