"""Training/validation cohorts: a patient table plus the outcome columns of contract §3."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from risk.cohort.cells import parse_column
from risk.cohort.columns import TRAINING_COLUMNS, TRAINING_SPECS
from risk.cohort.frame import ValidatedChunk, validate_frame
from risk.cohort.io import read_cohort_chunks
from risk.errors import FieldError, InvalidCohort

MAX_LISTED_ERRORS = 10


def _outcomes(raw: pd.DataFrame, first_row: int) -> tuple[pd.DataFrame, list[FieldError]]:
    raw = raw.reset_index(drop=True)
    values: dict[str, pd.Series] = {}
    errors: list[FieldError] = []
    for spec in TRAINING_SPECS:
        parsed = parse_column(spec, raw[spec.name])
        for mask, rule in parsed.problems:
            errors += [
                FieldError(spec.name, raw[spec.name].iloc[i], rule, row=first_row + int(i))
                for i in mask.nonzero()[0][:MAX_LISTED_ERRORS]
            ]
        values[spec.name] = parsed.values
    frame = pd.DataFrame(values).set_axis(pd.RangeIndex(first_row, first_row + len(raw), name="row"))
    return frame, errors


def _ints(column: pd.Series) -> list[int]:
    values: list[int] = column.astype("int64").tolist()
    return values


def _chunk_errors(checked: ValidatedChunk) -> list[FieldError]:
    head = checked.errors.head(MAX_LISTED_ERRORS)
    rows: list[int] = head["row"].astype("int64").tolist()
    return [
        FieldError(str(field), value, str(rule), row=row)
        for row, field, value, rule in zip(rows, head["field"], head["value"], head["rule"], strict=True)
    ]


def read_training_cohort(path: Path, chunk_rows: int = 100_000) -> pd.DataFrame:
    """The normalised cohort plus parsed §3 columns; InvalidCohort lists the first bad rows."""
    parts: list[pd.DataFrame] = []
    errors: list[FieldError] = []
    first_row = 1
    for raw in read_cohort_chunks(Path(path), chunk_rows):
        absent = [c for c in TRAINING_COLUMNS if c not in raw.columns]
        if absent:
            raise InvalidCohort(f"{path}: training cohort lacks column(s): {', '.join(absent)}")
        checked = validate_frame(raw, first_row)
        outcomes, outcome_errors = _outcomes(raw, first_row)
        errors += _chunk_errors(checked) + outcome_errors
        if not errors:
            parts.append(checked.valid.join(outcomes))
        first_row += len(raw)
    if errors:
        errors.sort(key=lambda e: e.row or 0)
        listed = "; ".join(f"row {e.row} {e.field}={e.value!r}: {e.rule}" for e in errors[:MAX_LISTED_ERRORS])
        raise InvalidCohort(f"{path}: invalid training cohort rows: {listed}", errors[:MAX_LISTED_ERRORS])
    if not parts:
        raise InvalidCohort(f"{path}: training cohort has no rows")
    return pd.concat(parts).reset_index(drop=True)
