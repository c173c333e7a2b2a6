"""One record scores exactly, bit for bit, as its row of a cohort: one code, not two that agree."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from risk.assess import Assessor
from risk.contract import PatientRecord
from risk.facts import facts_from_frame
from risk.flatten import RISK_COLUMNS
from tests.risk.factories import records_to_frame
from tests.risk.strategies import ASSESSMENT, patient_records

ROOT = Path(__file__).resolve().parents[2]
ASSESSOR = Assessor.load(ROOT / "models" / "refracture.json")
DECISIONS = ("pathway", "risk_tier", "priority", "refer_to_pcp", "refer_to_specialist", "recommended_therapy")
COHORTS = st.lists(patient_records(), min_size=1, max_size=6)


def _flat_value(value: Any) -> Any:
    """A flat-file cell as the API's JSON value: NaN and NA are null, whole numbers ints."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


@settings(max_examples=150, deadline=None)
@given(records=COHORTS)
def test_the_model_scores_a_record_exactly_as_its_cohort_row(records: list[PatientRecord]) -> None:
    batch = ASSESSOR.model.predict_batch(facts_from_frame(records_to_frame(records)))
    joined = batch.missing_inputs()
    for i, record in enumerate(records):
        one = ASSESSOR.model.predict(record.facts)
        assert (one.risk_12m, one.risk_24m) == (batch.risk_12m[i], batch.risk_24m[i])
        assert ";".join(one.missing_inputs) == joined[i]


@settings(max_examples=150, deadline=None)
@given(records=COHORTS)
def test_an_assessment_equals_its_flat_row_exactly(records: list[PatientRecord]) -> None:
    flat = ASSESSOR.assess_frame(records_to_frame(records)).to_dict("records")
    for record, row in zip(records, flat, strict=True):
        payload = ASSESSOR.assess_payload(record)
        assert {k: payload[k] for k in DECISIONS} == {k: _flat_value(row[k]) for k in DECISIONS}
        assert ";".join(c["code"] for c in payload["criteria"]) == row["criteria"]
        assert ";".join(f["code"] for f in payload["flags"]) == row["flags"]
        assert ";".join(payload["missing_inputs"]) == row["missing_inputs"]
        risk = payload["risk"] or dict.fromkeys(RISK_COLUMNS)
        assert risk == {k: _flat_value(row[k]) for k in RISK_COLUMNS}  # ==, not approx


def _same_fact(one: Any, row: Any) -> bool:
    if isinstance(one, float) and math.isnan(one):
        return isinstance(row, float) and math.isnan(row)
    return bool(one == row)


@st.composite
def _born_records(draw: st.DrawFn) -> PatientRecord:
    """A record with a birth date: ages of 18 to 110 on the assessment day, birthdays either side of it."""
    record = draw(patient_records())
    born = draw(
        st.dates(
            ASSESSMENT.replace(year=ASSESSMENT.year - 110), ASSESSMENT.replace(year=ASSESSMENT.year - 18)
        )
    )
    return PatientRecord.model_validate({**record.model_dump(), "birth_date": born})


@settings(max_examples=150, deadline=None)
@given(records=st.lists(_born_records() | patient_records(), min_size=1, max_size=6))
def test_every_fact_of_a_record_is_its_cohort_rows_fact(records: list[PatientRecord]) -> None:
    # Ages across birthdays, day numbers and the level facts are worked out per column in the
    # cohort (integer calendar arithmetic, one RE2 pass per distinct level list): the same values.
    columns = facts_from_frame(records_to_frame(records))
    for i, record in enumerate(records):
        for name, value in record.facts.items():
            assert _same_fact(
                value, columns[name][i].item() if hasattr(columns[name][i], "item") else columns[name][i]
            ), name
