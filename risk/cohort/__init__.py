"""Cohort files: read (CSV/Parquet, chunked), validate against the contract, normalise, write."""

from risk.cohort.columns import CONTRACT_COLUMNS, PASSTHROUGH_COLUMNS, ColumnSpec
from risk.cohort.frame import (
    ECHOED_ERROR_COLUMNS,
    ERROR_COLUMNS,
    ValidatedChunk,
    check_columns,
    validate_frame,
)
from risk.cohort.io import TableWriter, read_cohort_chunks, table_format, write_table
from risk.cohort.training import read_training_cohort

__all__ = [
    "CONTRACT_COLUMNS",
    "ECHOED_ERROR_COLUMNS",
    "ERROR_COLUMNS",
    "PASSTHROUGH_COLUMNS",
    "ColumnSpec",
    "TableWriter",
    "ValidatedChunk",
    "check_columns",
    "read_cohort_chunks",
    "read_training_cohort",
    "table_format",
    "validate_frame",
    "write_table",
]
