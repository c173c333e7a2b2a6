"""Cross-field contract rules on both sides of their bounds, on facts as records and cohorts give them."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from risk.cohort import validate_frame
from risk.contract.cross_field import CROSS_FIELD_RULES
from risk.facts import day_number

FUTURE_BIRTH = next(r for r in CROSS_FIELD_RULES if r.rule == "birth_date must not be in the future")


def test_a_birth_today_is_not_in_the_future_and_tomorrow_is() -> None:
    today = dt.date.today()
    days = np.array([day_number(today - dt.timedelta(days=1)), day_number(today), day_number(today) + 1])
    assert FUTURE_BIRTH.broken({"birth_date": days}).tolist() == [False, False, True]
    assert not FUTURE_BIRTH.broken({"birth_date": float("nan")})  # no birth date: age_years instead


def test_a_cohort_row_born_in_the_future_is_rejected_naming_the_rule() -> None:
    raw = pd.DataFrame(
        {"patient_id": ["P1"], "birth_date": ["2090-01-01"], "sex": ["female"],
         "procedure_date": ["2120-01-10"], "assessment_date": ["2120-02-01"], "treated_levels": ["L1"]}
    )  # fmt: skip
    errors = validate_frame(raw).errors
    assert errors[["row", "field", "value", "rule"]].values.tolist() == [
        [1, "birth_date", "2090-01-01", "birth_date must not be in the future"]
    ]
