"""Normalised cohort rows back into PatientRecords, so batch runs can use the per-record paths."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

import pandas as pd

from risk.cohort.columns import CONTRACT_COLUMNS
from risk.contract import PatientRecord

# Whole-number fields arrive as floats when a column holds a missing cell (NaN forces float).
INTEGER_FIELDS = frozenset(spec.name for spec in CONTRACT_COLUMNS if spec.kind == "integer")
LIST_FIELDS = frozenset(spec.name for spec in CONTRACT_COLUMNS if spec.kind == "levels")


def _missing(value: Any) -> bool:
    if value is None or isinstance(value, list | str):
        return value is None
    return bool(pd.isna(value))


def _json_value(name: str, value: Any) -> Any:
    """One normalised cell as the JSON value the contract expects."""
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if name in LIST_FIELDS:
        return value if isinstance(value, list) else str(value).split(";")
    if hasattr(value, "item"):  # numpy scalar → Python scalar
        value = value.item()
    if name in INTEGER_FIELDS and isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def record_from_row(row: Mapping[Any, Any]) -> PatientRecord:
    """A normalised cohort row (``validate_frame(...).valid``) as a validated PatientRecord.

    Missing cells are left out (so the model's defaults apply), dates become ISO strings,
    ``treated_levels`` is split on ';'. The record is validated in JSON mode, exactly like
    an API body, so a row and the same patient sent to the API give the same record.
    """
    data = {
        name: _json_value(name, row[name])
        for name in PatientRecord.model_fields
        if name in row and not _missing(row[name])
    }
    return PatientRecord.model_validate_json(json.dumps(data))


def records_from_frame(frame: pd.DataFrame) -> Iterator[PatientRecord]:
    """Every row of a normalised, valid cohort frame as a PatientRecord, in frame order."""
    for row in frame.to_dict("records"):
        yield record_from_row(row)
