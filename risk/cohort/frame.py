"""Validate a raw cohort chunk against the contract and normalise it for ``facts_from_frame``.

Per-column rules come from ``risk.cohort.columns`` (read off the pydantic model);
cross-field rules are ``risk.contract.cross_field.CROSS_FIELD_RULES`` evaluated on the
facts of the whole chunk at once. A row with any error is reported, never scored.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd

from risk.cohort.cells import Mask, absent_column, parse_column, text_of
from risk.cohort.columns import (
    CONTRACT_COLUMNS,
    CONTRACT_NAMES,
    DERIVED_DEFAULTS,
    PASSTHROUGH_COLUMNS,
    REQUIRED_NAMES,
)
from risk.cohort.kpi_columns import KPI_ONLY_NAMES
from risk.contract.cross_field import CROSS_FIELD_RULES
from risk.errors import InvalidCohort
from risk.facts import Facts, facts_from_frame

ERROR_COLUMNS: tuple[str, ...] = ("row", "field", "value", "rule")
# The errors column that repeats the rejected input as it came in (untrusted text).
ECHOED_ERROR_COLUMNS: tuple[str, ...] = ("value",)
# Column names other tools use for contract fields, suggested when a file uses them.
COLUMN_SYNONYMS: dict[str, str] = {
    "gender": "sex",
    "age": "age_years",
    "dob": "birth_date",
    "date_of_birth": "birth_date",
    "levels": "treated_levels",
    "weight": "weight_kg",
    "height": "height_cm",
    "id": "patient_id",
}


@dataclass(frozen=True)
class ValidatedChunk:
    """Valid rows (normalised, index = 1-based data row), the errors, pass-through columns,
    and the facts of the valid rows (computed once for the cross-field rules, reused to score)."""

    valid: pd.DataFrame
    errors: pd.DataFrame
    passthrough: pd.DataFrame
    facts: Facts


def _closest(name: str, allowed: list[str]) -> str:
    """' (did you mean sex?)' for a near miss or a known synonym, else ''."""
    guess = COLUMN_SYNONYMS.get(name.strip().lower())
    if guess is None:
        close = difflib.get_close_matches(name.strip().lower(), allowed, n=1, cutoff=0.6)
        guess = close[0] if close else None
    return f" (did you mean {guess}?)" if guess else ""


def reject_duplicate_columns(columns: list[str]) -> None:
    """A field named twice is refused: which copy holds the patient's value would be a guess."""
    twice = sorted(name for name, count in Counter(columns).items() if count > 1)
    if twice:
        raise InvalidCohort(f"duplicate column(s): {', '.join(twice)}; each field may appear once")


# Separators a spreadsheet writes in place of the comma (regional "CSV", tab-separated text).
FOREIGN_SEPARATORS: dict[str, str] = {";": "semicolons", "\t": "tabs", "|": "vertical bars"}


def check_columns(columns: list[str]) -> None:
    """Reject duplicate and unknown columns and missing required ones before reading any row."""
    reject_duplicate_columns(columns)
    reject_foreign_separator(columns)
    allowed = [*CONTRACT_NAMES, *PASSTHROUGH_COLUMNS]
    unknown = [c for c in columns if c not in set(allowed)]
    absent = [c for c in REQUIRED_NAMES if c not in columns]
    if unknown:
        named = ", ".join(f"{c}{_closest(c, allowed)}" for c in map(str, unknown))
        missing = f"; missing required column(s): {', '.join(absent)}" if absent else ""
        raise InvalidCohort(
            f"unknown column(s): {named}{missing}; allowed are the contract §1 "
            "fields plus §3 (time_months, event, treated_after_procedure) and §4 referral columns, "
            f"and for cohort scoring and letter runs the FLS KPI columns ({', '.join(KPI_ONLY_NAMES)})"
        )
    if absent:
        raise InvalidCohort(f"missing required column(s): {', '.join(absent)}")


def reject_foreign_separator(columns: list[str]) -> None:
    """A header read as one column that splits into contract names: the file uses another separator."""
    if len(columns) != 1:
        return
    allowed = {*CONTRACT_NAMES, *PASSTHROUGH_COLUMNS}
    for separator, name in FOREIGN_SEPARATORS.items():
        names = str(columns[0]).split(separator)
        if len(names) > 1 and sum(n.strip() in allowed for n in names) * 2 > len(names):
            raise InvalidCohort(
                f"the header reads as one column: the file's columns are separated by {name}, "
                "not commas; save it as comma-separated CSV (in Excel: 'CSV UTF-8 (Comma delimited)')"
            )


def empty_errors() -> pd.DataFrame:
    """An error table with no rows."""
    return pd.DataFrame(
        {name: pd.Series(dtype="int64" if name == "row" else "str") for name in ERROR_COLUMNS}
    )


class _Collector:
    """Accumulates (row, field, value, rule) errors as column slices, not per-row objects."""

    def __init__(self, raw: pd.DataFrame, rows: np.ndarray) -> None:
        self.raw, self.rows = raw, rows
        self.bad_row = np.zeros(len(raw), dtype=bool)
        self.parts: list[pd.DataFrame] = []

    def add(self, field: str, mask: Mask, rule: str) -> None:
        if not mask.any():
            return
        self.bad_row |= mask
        values = text_of(self.raw[field])[mask] if field in self.raw else pd.Series([""] * int(mask.sum()))
        self.parts.append(
            pd.DataFrame({"row": self.rows[mask], "field": field, "value": values.to_numpy(), "rule": rule})
        )

    def table(self) -> pd.DataFrame:
        if not self.parts:
            return empty_errors()
        table = pd.concat(self.parts, ignore_index=True)
        return table.sort_values("row", kind="stable").reset_index(drop=True)


def _parse_all(raw: pd.DataFrame, collector: _Collector) -> dict[str, pd.Series]:
    columns: dict[str, pd.Series] = {}
    for spec in CONTRACT_COLUMNS:
        if spec.name not in raw:
            columns[spec.name] = absent_column(spec, raw.index)
            continue
        parsed = parse_column(spec, raw[spec.name])
        for mask, rule in parsed.problems:
            collector.add(spec.name, mask, rule)
        columns[spec.name] = parsed.values
    return columns


def _apply_defaults(columns: dict[str, pd.Series]) -> None:
    for name, source in DERIVED_DEFAULTS.items():
        columns[name] = columns[name].fillna(columns[source])
    today = pd.Timestamp(dt.date.today()).as_unit("us")
    columns["assessment_date"] = columns["assessment_date"].fillna(today)


def _cross_field(frame: pd.DataFrame, collector: _Collector) -> Facts:
    """Check the cross-field rules on the chunk's facts; the facts, for scoring the valid rows."""
    already_bad = collector.bad_row.copy()
    facts = facts_from_frame(frame)
    for rule in CROSS_FIELD_RULES:
        broken = np.asarray(rule.broken(facts), dtype=bool) & ~already_bad
        collector.add(rule.field, broken, rule.rule)
    return facts


def validate_frame(raw: pd.DataFrame, first_row: int = 1) -> ValidatedChunk:
    """Validate one raw chunk; ``first_row`` is the 1-based data-row number of its first row."""
    check_columns([str(c) for c in raw.columns])
    raw = raw.reset_index(drop=True)
    rows = np.arange(first_row, first_row + len(raw), dtype="int64")
    collector = _Collector(raw, rows)
    columns = _parse_all(raw, collector)
    _apply_defaults(columns)
    # copy=False: the parsed columns are fresh; consolidating them into 2-D blocks copied each again.
    frame = pd.DataFrame(columns, index=raw.index, copy=False)
    facts = _cross_field(frame, collector)
    keep = ~collector.bad_row
    index = pd.Index(rows[keep], name="row")
    valid = frame[keep].set_axis(index)
    carried = [c for c in raw.columns if c in PASSTHROUGH_COLUMNS]
    passthrough = raw.loc[keep, carried].set_axis(index)
    # Taking every row of 40 columns (object ones too) costs more than the rules: skip when all pass.
    kept_facts = facts if keep.all() else {name: column[keep] for name, column in facts.items()}
    return ValidatedChunk(valid=valid, errors=collector.table(), passthrough=passthrough, facts=kept_facts)
