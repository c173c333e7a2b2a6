"""pandera schemas of a *scored* cohort (input of cohort reports), checked once at the boundary.

The schema is built from column tables (flat assessment columns, the contract inputs the
report uses, §3 outcomes, §4 referral columns and the KPI-only columns), so a new column
is one table row. Failures become ``InvalidCohort`` naming data rows, columns and checks.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from risk.cohort.columns import REFERRAL_COLUMNS
from risk.cohort.io import read_cohort_chunks
from risk.cohort.kpi_columns import KPI_COLUMNS
from risk.contract.enums import PATHWAYS, PRIORITIES, RECOMMENDED_THERAPIES, RISK_TIERS, SEXES
from risk.errors import FieldError, InvalidCohort
from risk.flatten import RISK_COLUMNS

MAX_LISTED = 10
TRUE_TEXT = frozenset({"true", "1", "yes"})
FALSE_TEXT = frozenset({"false", "0", "no"})
DATE = "datetime64[ns]"


def _date(required: bool = False) -> pa.Column:
    return pa.Column(DATE, nullable=True, required=required, coerce=True)


def _enum(values: tuple[object, ...], required: bool = True, nullable: bool = False) -> pa.Column:
    return pa.Column(object, pa.Check.isin(list(values)), nullable=nullable, required=required)


def _probability() -> pa.Column:
    return pa.Column(float, pa.Check.in_range(0.0, 1.0), nullable=True, coerce=True)


FLAT_SCHEMA: dict[str, pa.Column] = {
    "patient_id": pa.Column(str, pa.Check.str_length(1, 64), unique=True),
    "assessment_date": _date(required=True),
    "pathway": _enum(PATHWAYS),
    "risk_tier": _enum(RISK_TIERS, nullable=True),
    "priority": _enum(PRIORITIES),
    "refer_to_pcp": pa.Column("boolean", coerce=True),
    "refer_to_specialist": pa.Column("boolean", coerce=True),
    "recommended_therapy": _enum(RECOMMENDED_THERAPIES),
    "criteria": pa.Column(object, nullable=True),
    "flags": pa.Column(object, nullable=True),
    **{name: _probability() for name in RISK_COLUMNS[:-1]},
    "number_needed_to_treat_12m": pa.Column("Int64", pa.Check.ge(1), nullable=True, coerce=True),
    "model_name": pa.Column(str),
    "model_version": pa.Column(str),
    "missing_inputs": pa.Column(object, nullable=True),
}
INPUT_SCHEMA: dict[str, pa.Column] = {  # contract inputs a report may use, all optional
    "sex": _enum(SEXES, required=False, nullable=True),
    "age_years": pa.Column(float, pa.Check.in_range(18, 110), nullable=True, required=False, coerce=True),
    "fracture_date": _date(),
    "procedure_date": _date(),
    "dxa_date": _date(),
}
OUTCOME_SCHEMA: dict[str, pa.Column] = {  # contract §3
    "time_months": pa.Column(float, pa.Check.gt(0), nullable=True, required=False, coerce=True),
    "event": pa.Column("Int64", pa.Check.isin([0, 1, 2]), nullable=True, required=False, coerce=True),
    "treated_after_procedure": pa.Column(
        "Int64", pa.Check.isin([0, 1]), nullable=True, required=False, coerce=True
    ),
}
KPI_SCHEMA: dict[str, pa.Column] = {
    c.name: (
        _date() if c.kind == "date" else pa.Column("boolean", nullable=True, required=False, coerce=True)
    )
    for c in KPI_COLUMNS
    if c.origin == "KPI-only"
}
REFERRAL_SCHEMA = {name: pa.Column(object, nullable=True, required=False) for name in REFERRAL_COLUMNS}

SCORED_COHORT = pa.DataFrameSchema(
    {**FLAT_SCHEMA, **INPUT_SCHEMA, **OUTCOME_SCHEMA, **KPI_SCHEMA, **REFERRAL_SCHEMA},
    strict=True,
    name="scored cohort",
)
BOOL_COLUMNS = tuple(name for name, column in SCORED_COHORT.columns.items() if str(column.dtype) == "boolean")
KPI_ONLY_SCHEMA = pa.DataFrameSchema(KPI_SCHEMA, strict=False, name="KPI columns")


def _bool_cell(value: object) -> object:
    if isinstance(value, str):
        text = value.strip().lower()
        if text in TRUE_TEXT:
            return True
        if text in FALSE_TEXT:
            return False
    return value  # left for pandera to reject (or keep: already a bool / missing)


def prepare_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Empty cells → missing, true/false text → bools (CSV cells arrive as strings)."""
    out = frame.replace({"": pd.NA}).astype(object).where(frame.notna() & (frame != ""), None)
    for name in BOOL_COLUMNS:
        if name in out:
            out[name] = out[name].map(_bool_cell)
    return out


def _failure_errors(exc: pa.errors.SchemaErrors, first_row: int) -> list[FieldError]:
    cases = exc.failure_cases
    errors = []
    for case in cases.head(MAX_LISTED).itertuples(index=False):
        index = getattr(case, "index", None)
        row = None if index is None or pd.isna(index) else first_row + int(index)
        column = str(getattr(case, "column", None) or "(columns)")
        errors.append(FieldError(column, getattr(case, "failure_case", None), str(case.check), row=row))
    return errors


def validate_with(schema: pa.DataFrameSchema, frame: pd.DataFrame, first_row: int = 1) -> pd.DataFrame:
    """``frame`` checked and coerced by ``schema``; InvalidCohort lists rows, columns and checks."""
    prepared = prepare_text(frame.reset_index(drop=True))
    try:
        return schema.validate(prepared, lazy=True)
    except pa.errors.SchemaErrors as exc:
        problem = _invalid(schema, exc, first_row)
    # Raised outside the handler, so pandera's error is not even its hidden context: on a Dask
    # cluster the context travels with the error, and pandera's cannot be unpickled (the client
    # then got an Exception holding raw pickle bytes, cells included, instead of this error).
    raise problem


def _invalid(schema: pa.DataFrameSchema, exc: pa.errors.SchemaErrors, first_row: int) -> InvalidCohort:
    errors = _failure_errors(exc, first_row)
    listed = "; ".join(
        f"{'row ' + str(e.row) if e.row is not None else 'file'} {e.field}={e.value!r}: {e.rule}"
        for e in errors
    )
    total = len(exc.failure_cases)
    return InvalidCohort(f"invalid {schema.name}: {total} problem(s): {listed}", errors)


def validate_scored_cohort(frame: pd.DataFrame) -> pd.DataFrame:
    """A scored cohort frame checked against SCORED_COHORT (rows numbered from 1)."""
    return validate_with(SCORED_COHORT, frame)


def read_scored_cohort(path: Path) -> pd.DataFrame:
    """Read and validate a whole scored cohort file (CSV or Parquet)."""
    parts = list(read_cohort_chunks(Path(path)))
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    return validate_scored_cohort(frame)
