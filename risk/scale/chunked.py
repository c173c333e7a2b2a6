"""Stream a cohort file through ``score_chunk`` a chunk at a time: memory bounded by ``chunk_rows``."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from risk.assess import Assessor
from risk.cohort import ECHOED_ERROR_COLUMNS, ERROR_COLUMNS, TableWriter, read_cohort_chunks
from risk.errors import InvalidInput
from risk.scale.chunk import score_chunk, scored_columns
from risk.scale.memory import PeakRss
from risk.whole_file import same_file


@dataclass(frozen=True)
class ScaleSummary:
    """Rows scored and rejected, wall time and peak RSS (MiB, process tree) of one run."""

    scored: int
    failed: int
    seconds: float
    peak_rss_mib: float

    @property
    def rows_per_second(self) -> float:
        """Input rows (scored + rejected) per wall-clock second."""
        return (self.scored + self.failed) / self.seconds if self.seconds > 0 else float("nan")


def errors_path_for(output: Path) -> Path:
    """``scored.parquet`` → ``scored.errors.parquet``."""
    return output.with_name(f"{output.stem}.errors{output.suffix}")


def refuse_overwriting(source: Path, output: Path, errors: Path) -> None:
    """Refuse a run whose scores or errors would overwrite its input, or each other.

    Writing over the file being read lost the rows not yet read (the run then reported
    success on what it had), and one file cannot hold both the scores and the errors.
    """
    for role, path in (("scored", output), ("errors", errors)):
        if same_file(source, path):
            raise InvalidInput(f"the {role} file {path} is the input file; write it to another file")
    if same_file(output, errors):
        raise InvalidInput(f"the scored and errors files are one file ({output}); give them different names")


def score_file_chunked(
    source: Path,
    output: Path,
    assessor: Assessor,
    chunk_rows: int = 100_000,
    *,
    errors: Path | None = None,
    carry_inputs: bool = False,
    on_chunk: Callable[[int], None] | None = None,
) -> ScaleSummary:
    """Score ``source`` into ``output`` chunk by chunk; rejected rows go to ``errors``.

    Both files appear only when the whole input has been read; a run stopped by an error
    leaves neither, and any earlier file at either path as it was.
    """
    errors = errors or errors_path_for(Path(output))
    refuse_overwriting(Path(source), Path(output), errors)
    started = time.perf_counter()
    scored = failed = 0
    first_row = 1
    columns: list[str] = []
    with (
        PeakRss(children=False) as peak,
        TableWriter(Path(output)) as out,
        TableWriter(errors, echoed=ECHOED_ERROR_COLUMNS) as bad,
    ):
        for raw in read_cohort_chunks(Path(source), chunk_rows):
            chunk = score_chunk(raw, assessor, first_row, carry_inputs=carry_inputs)
            columns = scored_columns(list(raw.columns), carry_inputs=carry_inputs)
            if len(chunk.scored):
                out.write(chunk.scored)
            bad.write(chunk.errors)
            scored += len(chunk.scored)
            failed += int(chunk.errors["row"].nunique())
            first_row += len(raw)
            if on_chunk is not None:
                on_chunk(len(raw))
        if scored == 0:
            out.write(pd.DataFrame(columns=columns))
        if first_row == 1:
            bad.write(pd.DataFrame(columns=list(ERROR_COLUMNS)))
    return ScaleSummary(scored, failed, time.perf_counter() - started, peak.peak_mib)
