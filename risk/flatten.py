"""A cohort's rule outcome and model risks as flat, file-ready columns (one row per patient)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from risk.contract import ModelInfo
from risk.model.scorer import BatchOutput
from risk.rules.config import RuleConfig
from risk.rules.decisions import relative_risk, risk_estimates
from risk.rules.engine import RuleOutcome
from risk.rules.pathway import has_model_risk
from risk.rules.table import CRITERIA, FLAGS

RISK_COLUMNS: tuple[str, ...] = (
    "new_vertebral_fracture_12m",
    "new_vertebral_fracture_24m",
    "with_treatment_12m",
    "with_treatment_24m",
    "absolute_reduction_12m",
    "number_needed_to_treat_12m",
)
FLAT_COLUMNS: tuple[str, ...] = (
    "patient_id",
    "assessment_date",
    "pathway",
    "risk_tier",
    "priority",
    "refer_to_pcp",
    "refer_to_specialist",
    "recommended_therapy",
    "criteria",
    "flags",
    *RISK_COLUMNS,
    "model_name",
    "model_version",
    "missing_inputs",
)


def join_codes(masks: Sequence[tuple[str, npt.NDArray[np.bool_]]], n: int) -> npt.NDArray[np.object_]:
    """Per row, the names whose mask holds, ';'-joined — via bit sets, not a Python loop per row."""
    bits = np.zeros(n, dtype=np.int64)
    for position, (_, mask) in enumerate(masks):
        bits |= np.asarray(mask, dtype=np.int64) << position
    # Hash-based factorize is O(n); the few distinct bit sets are then labelled once each.
    inverse, unique = pd.factorize(bits)
    labels = np.array(
        [";".join(name for i, (name, _) in enumerate(masks) if (u >> i) & 1) for u in unique],
        dtype=object,
    )
    result: npt.NDArray[np.object_] = labels[inverse]
    return result


def flatten_outcome(
    frame: pd.DataFrame,
    outcome: RuleOutcome,
    batch: BatchOutput,
    config: RuleConfig,
    model: ModelInfo,
) -> pd.DataFrame:
    """The flat columns of FLAT_COLUMNS for every row of a scored cohort."""
    n = len(frame)
    has_risk = has_model_risk(outcome.pathway)
    untreated_12m = np.where(has_risk, batch.risk_12m, np.nan)
    untreated_24m = np.where(has_risk, batch.risk_24m, np.nan)
    rr = relative_risk(outcome.recommended_therapy, outcome.facts["current_treatment"], config)
    risk = risk_estimates(untreated_12m, untreated_24m, rr)  # the API's risk object, as columns
    nnt = risk.pop("number_needed_to_treat_12m")
    columns = {
        "patient_id": frame["patient_id"].to_numpy(),
        "assessment_date": pd.to_datetime(frame["assessment_date"]).to_numpy(),
        **outcome.decisions(),
        "criteria": join_codes([(r.code, outcome.fired[r.code]) for r in CRITERIA], n),
        "flags": join_codes([(r.code, outcome.fired[r.code]) for r in FLAGS], n),
        **risk,
        "number_needed_to_treat_12m": pd.array(nnt, dtype="Float64").astype("Int64"),
        "model_name": model.name,
        "model_version": model.version,
        "missing_inputs": np.where(has_risk, join_codes(list(batch.missing.items()), n), ""),
    }
    # Object dtype on purpose: converting a million labels to Arrow strings costs more
    # than all the rules; writers handle object columns as they are.
    series = {
        name: pd.Series(values, index=frame.index, dtype=object if name in TEXT else None, copy=False)
        for name, values in columns.items()
    }
    # copy=False: the columns are fresh arrays already; consolidating them into 2-D blocks
    # would copy every one of them again (half the cost of building the frame).
    return pd.DataFrame(series, copy=False)[list(FLAT_COLUMNS)]


TEXT = frozenset(
    {
        "pathway",
        "risk_tier",
        "priority",
        "recommended_therapy",
        "criteria",
        "flags",
        "missing_inputs",
        "model_name",
        "model_version",
    }
)
