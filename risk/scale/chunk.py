"""The one vectorised scoring step every engine maps over its chunks or partitions.

``validate_frame`` + ``Assessor.assess_frame``, exactly as ``osteoref score`` does it,
plus two optional carries for cohort reports: KPI-only columns (taken out before the
contract check, checked by pandera, appended unchanged) and a few de-identified inputs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from risk.assess import Assessor
from risk.cohort import PASSTHROUGH_COLUMNS, validate_frame
from risk.cohort.kpi_columns import KPI_ONLY_NAMES
from risk.cohort.schemas import KPI_ONLY_SCHEMA, validate_with
from risk.facts import Facts
from risk.flatten import FLAT_COLUMNS
from risk.rules.derived import age as derived_age

# De-identified inputs the cohort report uses (no names, no birth date).
REPORT_INPUTS: tuple[str, ...] = ("sex", "age_years", "fracture_date", "procedure_date", "dxa_date")


@dataclass(frozen=True)
class ScoredChunk:
    """Scored rows (index reset) and the rejected-row table of one chunk."""

    scored: pd.DataFrame
    errors: pd.DataFrame


def scored_columns(raw_columns: list[str], *, carry_inputs: bool = False) -> list[str]:
    """The output columns for an input with ``raw_columns`` (also the header of an empty output)."""
    passthrough = [c for c in raw_columns if c in PASSTHROUGH_COLUMNS]
    kpi = [c for c in raw_columns if c in KPI_ONLY_NAMES]
    return [*passthrough, *FLAT_COLUMNS, *(REPORT_INPUTS if carry_inputs else ()), *kpi]


def _inputs(valid: pd.DataFrame, facts: Facts) -> pd.DataFrame:
    out = valid[list(REPORT_INPUTS)].copy()
    # The age the rules and the model used (the birth date wins over a given age_years), so a row
    # carrying both never reports one age beside a score computed from the other.
    out["age_years"] = np.asarray(derived_age(facts), dtype=float)
    return out


def score_chunk(
    raw: pd.DataFrame, assessor: Assessor, first_row: int = 1, *, carry_inputs: bool = False
) -> ScoredChunk:
    """Validate and score one raw chunk; ``first_row`` numbers its rows in the whole input."""
    raw = raw.reset_index(drop=True)
    kpi_names = [c for c in raw.columns if c in KPI_ONLY_NAMES]
    kpi = validate_with(KPI_ONLY_SCHEMA, raw[kpi_names], first_row) if kpi_names else None
    checked = validate_frame(raw.drop(columns=kpi_names), first_row)
    parts = [checked.passthrough]
    if len(checked.valid):
        parts.append(assessor.assess_frame(checked.valid, checked.facts).set_axis(checked.valid.index))
    if carry_inputs:
        parts.append(_inputs(checked.valid, checked.facts))
    if kpi is not None:
        parts.append(kpi.set_axis(range(first_row, first_row + len(raw))).loc[checked.valid.index])
    if not len(checked.valid):
        empty = pd.DataFrame(columns=scored_columns(list(raw.columns), carry_inputs=carry_inputs))
        return ScoredChunk(scored=empty, errors=checked.errors)
    scored = pd.concat(parts, axis=1)
    return ScoredChunk(scored=scored.reset_index(drop=True), errors=checked.errors)
