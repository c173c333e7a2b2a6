"""Facts: one record or a whole cohort turned into the same named values for the rules.

A fact is a float (NaN when missing), a bool, an enum string, or a date as a day
number (days since 1970-01-01, NaN when missing). ``facts_from_record`` gives Python
scalars; ``facts_from_frame`` gives numpy columns of a normalised cohort frame (see
``risk.cohort.frame``). Everything downstream (derived values, rules, model features)
is written once, in ``risk.ops`` style, against these names.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

if TYPE_CHECKING:
    from risk.contract.patient import PatientRecord

Facts = dict[str, Any]

EPOCH = dt.date(1970, 1, 1)

NUMBER_FIELDS: tuple[str, ...] = (
    "age_years",
    "weight_kg",
    "height_cm",
    "t_score_femoral_neck",
    "t_score_total_hip",
    "t_score_lumbar_spine",
    "lumbar_vertebrae_evaluable",
    "ct_hu",
    "prior_fragility_fractures",
    "prior_vertebral_fractures",
    "falls_last_12_months",
    "glucocorticoid_mg_per_day",
    "glucocorticoid_months",
    "egfr",
    "serum_calcium_mg_dl",
    "vitamin_d_ng_ml",
    "alkaline_phosphatase_u_l",
)
BOOL_FIELDS: tuple[str, ...] = (
    "parent_hip_fracture",
    "current_smoker",
    "alcohol_3_or_more_units_per_day",
    "rheumatoid_arthritis",
    "active_malignancy",
    "myeloma",
    "history_atypical_femoral_fracture",
    "history_osteonecrosis_of_jaw",
)
OPTIONAL_BOOL_FIELDS: tuple[str, ...] = ("intravertebral_cleft",)  # 1.0 / 0.0 / NaN
ENUM_FIELDS: tuple[str, ...] = (
    "sex",
    "fracture_cause",
    "procedure_type",
    "cement_leakage",
    "biopsy_result",
    "diabetes",
    "current_treatment",
)
DATE_FIELDS: tuple[str, ...] = (
    "birth_date",
    "assessment_date",
    "fracture_date",
    "procedure_date",
    "dxa_date",
    "treatment_start_date",
    "last_dose_date",
)
UPPER_THORACIC = frozenset({"T1", "T2", "T3", "T4", "T5", "T6"})
THORACOLUMBAR_JUNCTION = frozenset({"T11", "T12", "L1", "L2"})


EPOCH_ORDINAL = EPOCH.toordinal()
_NAN = math.nan


def day_number(value: dt.date | None) -> float:
    """A date as days since 1970-01-01; NaN when missing."""
    return _NAN if value is None else float(value.toordinal() - EPOCH_ORDINAL)


def whole_years(born: dt.date, on: dt.date) -> int:
    """Completed years of age on a date."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def facts_from_record(record: PatientRecord) -> Facts:
    """Scalar facts of one validated record."""
    # The validated fields straight from the instance dict, conversions inlined: this runs
    # inside every request's validation, where attribute and helper calls add up.
    fields = record.__dict__
    facts: Facts = {
        name: _NAN if (number := fields[name]) is None else float(number)
        for name in NUMBER_FIELDS + OPTIONAL_BOOL_FIELDS
    }
    facts.update({name: fields[name] for name in BOOL_FIELDS + ENUM_FIELDS})
    facts.update(
        {
            name: _NAN if (day := fields[name]) is None else float(day.toordinal() - EPOCH_ORDINAL)
            for name in DATE_FIELDS
        }
    )
    facts["fracture_date"] = day_number(record.index_fracture_date)
    born = fields["birth_date"]
    facts["age_from_birth_date"] = (
        _NAN if born is None else float(whole_years(born, fields["assessment_date"]))
    )
    treated_levels = fields["treated_levels"]
    levels = set(treated_levels)
    facts["n_levels"] = float(len(treated_levels))
    facts["level_t1_t6"] = not levels.isdisjoint(UPPER_THORACIC)
    facts["level_t11_l2"] = not levels.isdisjoint(THORACOLUMBAR_JUNCTION)
    return facts


def facts_from_frame(frame: pd.DataFrame) -> Facts:
    """Column facts of a normalised cohort frame (every contract column, defaults applied)."""
    facts: Facts = {name: frame[name].to_numpy(dtype=float, na_value=np.nan) for name in NUMBER_FIELDS}
    facts.update({name: frame[name].to_numpy(dtype=bool) for name in BOOL_FIELDS})
    # Validation gives enum columns as object labels: no copy here.
    facts.update({name: frame[name].to_numpy(dtype=object) for name in ENUM_FIELDS})
    facts.update(
        {
            name: frame[name].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
            for name in OPTIONAL_BOOL_FIELDS
        }
    )
    days = {name: _days(frame[name]) for name in DATE_FIELDS}  # each date column converted once
    facts.update({name: _day_numbers(column) for name, column in days.items()})
    facts["age_from_birth_date"] = _whole_years_column(days["birth_date"], days["assessment_date"])
    facts.update(_level_facts(pa.array(frame["treated_levels"].astype("str"))))
    return facts


def _level_facts(levels: pa.Array | pa.ChunkedArray) -> Facts:
    """Level count and spinal regions, worked out once per distinct list of levels, then taken per row.

    A cohort holds a few hundred distinct lists: three RE2 passes over 100k rows cost 9 ms,
    over their dictionary a few microseconds (a missing list is its own entry, with no facts).
    """
    if isinstance(levels, pa.ChunkedArray):
        levels = levels.combine_chunks()
    encoded = pc.dictionary_encode(levels, null_encoding="encode")
    distinct, rows = encoded.dictionary, encoded.indices.to_numpy(zero_copy_only=False)
    counts = np.asarray(pc.count_substring(distinct, ";").to_numpy(zero_copy_only=False), dtype=float)
    return {
        "n_levels": (counts + 1)[rows],
        "level_t1_t6": _matches(distinct, r"(?:^|;)T[1-6](?:;|$)")[rows],
        "level_t11_l2": _matches(distinct, r"(?:^|;)(?:T11|T12|L1|L2)(?:;|$)")[rows],
    }


def _matches(text: pa.Array | pa.ChunkedArray, pattern: str) -> npt.NDArray[np.bool_]:
    """Rows whose text matches ``pattern`` (Arrow's RE2, without pandas' per-call regex checks)."""
    found = pc.fill_null(pc.match_substring_regex(text, pattern), False)
    return np.asarray(found.to_numpy(zero_copy_only=False), dtype=bool)


def _days(column: pd.Series) -> npt.NDArray[np.datetime64]:
    """The column as numpy days (NaT where missing); a naive datetime column is cast, not re-parsed."""
    if column.dtype.kind == "M" and getattr(column.dtype, "tz", None) is None:
        return column.to_numpy().astype("datetime64[D]")
    return pd.to_datetime(column).to_numpy(dtype="datetime64[D]")


def _day_numbers(days: npt.NDArray[np.datetime64]) -> np.ndarray:
    result = days.astype("int64").astype(float)
    result[np.isnat(days)] = np.nan
    return result


def _whole_years_column(
    born_days: npt.NDArray[np.datetime64], on_days: npt.NDArray[np.datetime64]
) -> np.ndarray:
    """Completed years from ``born_days`` to ``on_days`` (NaN where either is missing), integer arithmetic."""
    born_year, born_key = _march_year_and_key(born_days)
    on_year, on_key = _march_year_and_key(on_days)
    result = (on_year - born_year - (on_key < born_key)).astype(float)
    result[np.isnat(born_days) | np.isnat(on_days)] = np.nan
    return result


def _march_year_and_key(
    days: npt.NDArray[np.datetime64],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Each day's year counted from 1 March, and its place in that year (month * 100 + day).

    H. Hinnant's days-to-civil algorithm, vectorised: numpy's own month and year casts cost
    25 ns a cell. Years starting in March keep 29 February last, so a birthday on it falls
    due on 1 March in other years, as the calendar comparison does.
    """
    shifted = days.astype(np.int64) + 719_468  # days since 0000-03-01
    era = np.floor_divide(shifted, 146_097)
    day_of_era = shifted - era * 146_097
    year_of_era = (day_of_era - day_of_era // 1_460 + day_of_era // 36_524 - day_of_era // 146_096) // 365
    day_of_year = day_of_era - (365 * year_of_era + year_of_era // 4 - year_of_era // 100)
    month = (5 * day_of_year + 2) // 153  # 0 = March … 11 = February
    day = day_of_year - (153 * month + 2) // 5
    return year_of_era + era * 400, month * 100 + day
