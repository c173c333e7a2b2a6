"""`osteoref score`: validate and score a cohort file chunk by chunk (bounded memory)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from risk.assess import Assessor
from risk.cohort import ERROR_COLUMNS, TableWriter, read_cohort_chunks, validate_frame
from risk.flatten import FLAT_COLUMNS


@dataclass(frozen=True)
class ScoreSummary:
    """How many rows were scored and how many were rejected."""

    scored: int
    failed: int


def default_errors_path(output: Path) -> Path:
    """``scored.csv`` → ``scored.errors.csv`` (same format as the output)."""
    return output.with_name(f"{output.stem}.errors{output.suffix}")


def _scored_chunk(assessor: Assessor, valid: pd.DataFrame, carried: pd.DataFrame) -> pd.DataFrame:
    flat = assessor.assess_frame(valid.reset_index(drop=True))
    return pd.concat([carried.reset_index(drop=True), flat], axis=1)


def score_file(
    assessor: Assessor,
    source: Path,
    output: Path,
    errors: Path,
    *,
    chunk_rows: int = 100_000,
    on_chunk: Callable[[int], None] | None = None,
) -> ScoreSummary:
    """Score every valid row of ``source`` into ``output``; invalid rows go to ``errors``."""
    scored = failed = 0
    first_row = 1
    carried_columns: list[str] = []
    with TableWriter(output) as out, TableWriter(errors) as bad:
        for raw in read_cohort_chunks(source, chunk_rows):
            checked = validate_frame(raw, first_row)
            carried_columns = list(checked.passthrough.columns)
            if len(checked.valid):
                out.write(_scored_chunk(assessor, checked.valid, checked.passthrough))
            bad.write(checked.errors)
            scored += len(checked.valid)
            failed += int(checked.errors["row"].nunique())
            first_row += len(raw)
            if on_chunk is not None:
                on_chunk(len(raw))
        if scored == 0:  # still leave a file with the header, not a stale or missing one
            out.write(pd.DataFrame(columns=[*carried_columns, *FLAT_COLUMNS]))
        if first_row == 1:
            bad.write(pd.DataFrame(columns=list(ERROR_COLUMNS)))
    return ScoreSummary(scored=scored, failed=failed)
