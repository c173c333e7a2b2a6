"""Test factories: valid PatientRecords from a minimal base, and records as a normalised frame."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

import pandas as pd

from risk.contract import PatientRecord
from risk.facts import BOOL_FIELDS, DATE_FIELDS, NUMBER_FIELDS

ASSESSMENT_DATE = dt.date(2026, 3, 2)
BASE: dict[str, Any] = {
    "patient_id": "test-1",
    "age_years": 72,
    "sex": "female",
    "procedure_date": "2026-02-02",
    "assessment_date": ASSESSMENT_DATE.isoformat(),
    "treated_levels": ["L3"],
    "fracture_cause": "low_energy",
    "t_score_total_hip": -2.0,
}


def days_before(days: int, on: dt.date = ASSESSMENT_DATE) -> str:
    """An ISO date ``days`` days before ``on``."""
    return (on - dt.timedelta(days=days)).isoformat()


def make_record(**overrides: Any) -> PatientRecord:
    """A valid record: BASE with overrides (a value of None removes the key)."""
    data = {**BASE, **overrides}
    data = {key: value for key, value in data.items() if value is not None}
    return PatientRecord.model_validate_json(json.dumps(data))


def records_to_frame(records: Sequence[PatientRecord]) -> pd.DataFrame:
    """Records as a normalised cohort frame (the shape ``risk.facts.facts_from_frame`` reads)."""
    frame = pd.DataFrame([record.model_dump() for record in records])
    frame["treated_levels"] = frame["treated_levels"].map(";".join)
    for name in DATE_FIELDS:
        frame[name] = pd.to_datetime(frame[name])
    for name in NUMBER_FIELDS:
        frame[name] = frame[name].astype(float)
    for name in BOOL_FIELDS:
        frame[name] = frame[name].astype(bool)
    frame["intravertebral_cleft"] = frame["intravertebral_cleft"].astype("boolean")
    return frame
