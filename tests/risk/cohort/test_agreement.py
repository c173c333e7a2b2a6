"""Batch validation and PatientRecord agree on which rows are valid, and on their facts."""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from risk.cohort import CONTRACT_COLUMNS, ColumnSpec, validate_frame
from risk.contract import PatientRecord
from risk.facts import facts_from_frame, facts_from_record

PROCEDURE = dt.date(2024, 3, 1)
DAY = dt.timedelta(days=1)


def _edges(spec: ColumnSpec) -> st.SearchStrategy[float]:
    low, high = float(spec.ge if spec.ge is not None else 0), float(spec.le if spec.le is not None else 0)
    edges = [low, high, math.nextafter(low, -math.inf), math.nextafter(high, math.inf)]
    edges += [low - 1, high + 1, (low + high) / 2]
    if spec.kind == "integer":
        edges += [low + 0.5, high - 0.5, low + 1]
    inside = st.floats(low, high) if spec.kind == "number" else st.integers(int(low), int(high)).map(float)
    return st.sampled_from(edges) | inside


def _valid(spec: ColumnSpec) -> st.SearchStrategy[Any]:
    if spec.kind in ("number", "integer"):
        low, high = float(spec.ge or 0), float(spec.le or 0)
        if spec.kind == "integer":
            return st.integers(int(low), int(high)).map(float)
        return st.sampled_from([low, high]) | st.floats(low, high)
    if spec.kind == "bool":
        return st.booleans()
    if spec.kind == "enum":
        return st.sampled_from(spec.choices)
    if spec.kind == "levels":
        return st.lists(st.sampled_from(spec.choices), min_size=1, max_size=3, unique=True)
    if spec.name == "patient_id":
        return st.sampled_from(["P-1", "a.b_c", "x" * 64])
    return st.sampled_from(["Ann", "x" * 100])


def _edgy(spec: ColumnSpec) -> st.SearchStrategy[Any]:
    if spec.kind in ("number", "integer"):
        return _edges(spec)
    if spec.kind == "enum":
        return st.sampled_from([*spec.choices, "bogus", "Female"])
    if spec.kind == "levels":
        levels = st.sampled_from([*spec.choices, "T13", "l1"])
        return st.lists(levels, min_size=0, max_size=3)
    if spec.name == "patient_id":
        return st.sampled_from(["x" * 65, "bad id", "é", "P1"])
    if spec.kind == "string":
        return st.sampled_from(["x" * 101, "Bo"])
    return _valid(spec)


@st.composite
def raw_records(draw: st.DrawFn) -> dict[str, Any]:
    """A record as Python values, at most one field pushed to (or past) its edges.

    Absent keys are missing. Dates cluster at the cross-field rule edges when pushed.
    """
    bad = draw(st.sampled_from([None, "dates", *(s.name for s in CONTRACT_COLUMNS)]))
    record: dict[str, Any] = {}
    for spec in CONTRACT_COLUMNS:
        if spec.kind == "date":
            continue
        if spec.required or draw(st.booleans()):
            record[spec.name] = draw(_edgy(spec) if spec.name == bad else _valid(spec))
    record.update(draw(_dates(edgy=bad == "dates")))
    if "age_years" not in record and "birth_date" not in record and bad != "dates":
        record["age_years"] = 70.0
    return record


@st.composite
def _dates(draw: st.DrawFn, edgy: bool) -> dict[str, dt.date]:
    near = st.sampled_from([-DAY, 0 * DAY, DAY] if edgy else [-DAY, 0 * DAY])
    record = {"procedure_date": PROCEDURE}
    assessed = PROCEDURE + draw(st.sampled_from([-DAY, 0 * DAY, 30 * DAY] if edgy else [30 * DAY]))
    if draw(st.booleans()):
        record["assessment_date"] = assessed
    else:
        assessed = dt.date.today()
    if draw(st.booleans()):
        years = draw(st.sampled_from([18, 110, 111, 50] if edgy else [19, 50, 109]))
        # day 28 at most: every year has it, so the birthday edge stays exact
        born = dt.date(assessed.year - years, assessed.month, min(assessed.day, 28))
        record["birth_date"] = born + draw(near)
    for name in ("dxa_date", "last_dose_date", "treatment_start_date"):
        if draw(st.booleans()):
            record[name] = assessed - draw(near)
    if draw(st.booleans()):
        record["fracture_date"] = PROCEDURE - draw(near)
    return record


def _json_value(spec: ColumnSpec, value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _csv_cell(spec: ColumnSpec, value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(value)
    if isinstance(value, float):
        return repr(value)
    return str(value)


SPECS = {spec.name: spec for spec in CONTRACT_COLUMNS}


def _pydantic(record: dict[str, Any]) -> PatientRecord | None:
    body = {k: _json_value(SPECS[k], v) for k, v in record.items()}
    try:
        return PatientRecord.model_validate_json(json.dumps(body))
    except ValidationError:
        return None


def _same_fact(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or a == b
    return bool(a == b)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(raw_records(), min_size=1, max_size=25))
def test_frame_validation_agrees_with_patient_record(records: list[dict[str, Any]]) -> None:
    cells = {
        spec.name: [_csv_cell(spec, r[spec.name]) if spec.name in r else "" for r in records]
        for spec in CONTRACT_COLUMNS
    }
    raw = pd.DataFrame(cells, dtype="str")
    checked = validate_frame(raw, first_row=1)
    expected = [_pydantic(r) for r in records]
    accepted = [i + 1 for i, e in enumerate(expected) if e is not None]
    assert list(checked.valid.index) == accepted, checked.errors.to_string()
    facts = facts_from_frame(checked.valid)
    for position, model in enumerate(e for e in expected if e is not None):
        for name, value in facts_from_record(model).items():
            assert _same_fact(value, np.asarray(facts[name]).tolist()[position]), name


DATE_CELLS = [
    "2024-03-01",
    " 2024-03-01 ",  # CSV trims blanks around a cell; JSON does not (checked below)
    "1709251200",  # Unix seconds of 2024-03-01: pydantic's JSON date read it as that day
    "1709251200000",  # milliseconds
    "0",
    "-86400",
    "２０２４-03-01",  # full-width digits: pandas' %Y read them as 2024
    "𝟐𝟎𝟐𝟒-03-01",  # mathematical bold digits
    "2024-02-30",
    "2024-3-01",
    "20240301",
    "2024-03-01T00:00:00",
]


def _csv_accepts(cell: str) -> bool:
    row = {"patient_id": "P1", "sex": "female", "age_years": "70", "treated_levels": "L1"}
    checked = validate_frame(pd.DataFrame([{**row, "procedure_date": cell}], dtype=str), 1)
    return len(checked.valid) == 1


def _json_accepts(cell: str) -> bool:
    body = {"patient_id": "P1", "sex": "female", "age_years": 70, "treated_levels": ["L1"]}
    try:
        PatientRecord.model_validate_json(json.dumps({**body, "procedure_date": cell}))
    except ValidationError:
        return False
    return True


def test_a_date_is_yyyy_mm_dd_in_ascii_digits_in_json_and_csv_alike() -> None:
    accepted = {cell: (_json_accepts(cell), _csv_accepts(cell)) for cell in DATE_CELLS}
    assert accepted == {cell: (cell == "2024-03-01", cell.strip() == "2024-03-01") for cell in DATE_CELLS}


def test_a_nul_in_a_name_is_refused_by_csv_as_by_the_api() -> None:
    row = {"patient_id": "P1", "sex": "female", "age_years": "70", "treated_levels": "L1"}
    row["procedure_date"] = "2024-03-01"
    frame = pd.DataFrame([{**row, "given_name": "Ann\x00e"}, {**row, "given_name": "Anne"}], dtype=str)
    checked = validate_frame(frame, 1)
    assert checked.errors[["row", "field", "rule"]].values.tolist() == [
        [1, "given_name", "text must not contain NUL"]
    ]
    assert list(checked.valid["given_name"]) == ["Anne"]
