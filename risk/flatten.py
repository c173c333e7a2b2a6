"""A cohort's rule outcome and model risks as flat, file-ready columns (one row per patient)."""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

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


def join_codes(masks: Sequence[tuple[str, npt.NDArray[np.bool_]]], n: int) -> pd.Series:
    """Per row, the names whose mask holds, ';'-joined — via bit sets, not a Python loop per row.

    The result is an Arrow-backed str column taken from the few distinct labels: a million
    Python strings would be converted back to Arrow by every writer, one by one.
    """
    bits = np.zeros(n, dtype=np.int64)
    for position, (_, mask) in enumerate(masks):
        bits |= np.asarray(mask, dtype=np.int64) << position
    # Hash-based factorize is O(n); the few distinct bit sets are then labelled once each.
    inverse, unique = pd.factorize(bits)
    names = tuple(name for name, _ in masks)
    return _taken([_joined(names, int(u)) for u in unique], inverse)


@functools.lru_cache(maxsize=1 << 16)
def _joined(names: tuple[str, ...], bits: int) -> str:
    """The names whose bit is set, ';'-joined; cached, as every chunk meets the same few thousand sets."""
    return ";".join(name for position, name in enumerate(names) if (bits >> position) & 1)


def _taken(labels: list[str], positions: npt.NDArray[np.intp]) -> pd.Series:
    """The str column whose row i is ``labels[positions[i]]``, built in Arrow."""
    text = pc.take(pa.array(labels, type=pa.large_string()), pa.array(positions))
    return pd.Series(pd.array(text, dtype="str"), copy=False)


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
        "patient_id": frame["patient_id"],
        "assessment_date": pd.to_datetime(frame["assessment_date"]).to_numpy(),
        **outcome.decisions(),
        "criteria": join_codes([(r.code, outcome.fired[r.code]) for r in CRITERIA], n),
        "flags": join_codes([(r.code, outcome.fired[r.code]) for r in FLAGS], n),
        **risk,
        "number_needed_to_treat_12m": pd.array(nnt, dtype="Float64").astype("Int64"),
        "model_name": _taken([model.name], np.zeros(n, dtype=np.intp)),
        "model_version": _taken([model.version], np.zeros(n, dtype=np.intp)),
        # No model risk, no missing inputs: the rows' masks are cleared, so they join to "".
        "missing_inputs": join_codes([(name, mask & has_risk) for name, mask in batch.missing.items()], n),
    }
    # The rules' decisions stay object columns: turning a million labels into Arrow strings
    # one by one costs more than the rules; the joined codes come as Arrow text already.
    series = {name: _column(values, name, frame.index) for name, values in columns.items()}
    # copy=False: the columns are fresh arrays already; consolidating them into 2-D blocks
    # would copy every one of them again (half the cost of building the frame).
    return pd.DataFrame(series, copy=False)[list(FLAT_COLUMNS)]


# The rules' label columns, kept as object arrays (pandas would infer and convert them to str);
# the joined codes and model labels arrive as str Series already.
RULE_LABELS = frozenset({"pathway", "risk_tier", "priority", "recommended_therapy"})


def _column(values: object, name: str, index: pd.Index) -> pd.Series:
    """One output column on the frame's index, without copying its data."""
    if isinstance(values, pd.Series):
        return values.set_axis(index)
    return pd.Series(values, index=index, dtype=object if name in RULE_LABELS else None, copy=False)
