"""What `osteoref letters` runs: a cohort in, every row's letters (with --store, referrals) out, resumably."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
import typer
from pydantic import ValidationError
from rich.console import Console
from sqlalchemy.exc import SQLAlchemyError

from api import cli_exit
from api.cli_letters_store import REFERRALS_NAME, Problem, ReferralStore, referral_store
from api.cli_progress import print_summary, row_progress
from api.referrals.adapters import letterhead_from
from api.settings import Settings, get_settings
from reports import Letterhead, Recipient, Referrer
from reports.batch import MANIFEST_NAME, LetterRun
from reports.batch_rows import RenderedRow, cell_text
from reports.scored_row import ScoredRow
from risk.assess import Assessor
from risk.cohort import (
    ECHOED_ERROR_COLUMNS,
    ERROR_COLUMNS,
    TableWriter,
    ValidatedChunk,
    read_cohort_chunks,
    validate_frame,
)
from risk.cohort.frame import empty_errors
from risk.cohort.kpi_columns import KPI_ONLY_NAMES
from risk.cohort.records import record_from_row
from risk.contract import PatientRecord
from risk.errors import InvalidInput, OsteorefError
from risk.whole_file import same_file

console = Console(soft_wrap=True)  # never hard-wrap at 80 columns into a pipe or a file
error_console = Console(stderr=True, soft_wrap=True)
USER_ERROR = cli_exit.USAGE
ERRORS_NAME = "errors.csv"
FIRST_ERRORS = 5  # shown on the terminal; the rest are in errors.csv and manifest.csv
# Rows turned into objects (record, assessment, addressees) and rendered at a time: with the
# read chunk, what bounds a run's memory; large enough to keep every render process busy.
SCORE_BATCH = 1_000
M = TypeVar("M", Recipient, Referrer)


@dataclass
class RunTotals:
    """What the run did, for the summary line, the first problems shown and the exit status."""

    invalid: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    created: int = 0
    existing: int = 0
    store_failed: int = 0
    first_errors: list[str] = field(default_factory=list)  # manifest errors, at most FIRST_ERRORS

    def rendered(self, outcome: RenderedRow) -> None:
        """Count one row's manifest status, keeping the first few error reasons."""
        row = outcome.manifest
        self.statuses[row.status] += 1
        if row.status == "error" and len(self.first_errors) < FIRST_ERRORS:
            self.first_errors.append(f"data row {row.row_id}: {'; '.join(row.errors)}")

    def stored(self, referrals: ReferralStore, failed: int) -> None:
        """Count the outcome of ``--store``."""
        self.created, self.existing, self.store_failed = referrals.created, referrals.existing, failed

    @property
    def failed(self) -> int:
        """Rows that produced no usable output: invalid, letter errors, referrals not stored."""
        return self.invalid + self.statuses.get("error", 0) + self.store_failed


def run_letters(
    cohort: Path,
    output: Path,
    *,
    html: bool,
    jobs: int | None,
    store: bool,
    model: Path | None,
    chunk_rows: int,
) -> None:
    """Write every row's letters (what ``osteoref letters`` runs); exits with the failed-row status."""
    settings = get_settings()
    totals = RunTotals()
    with _user_errors():
        _refuse_overwriting(cohort, output)
        assessor = Assessor.load(model or settings.model_path, settings.rule_config())
        letterhead = letterhead_from(settings)
        output.mkdir(parents=True, exist_ok=True)
        run = LetterRun(
            output, letterhead=letterhead, html=html, jobs=jobs or os.cpu_count() or 1, keep_pages=store
        )
        with (
            TableWriter(output / ERRORS_NAME, echoed=ECHOED_ERROR_COLUMNS) as errors,
            _store(store, settings, assessor, letterhead, output) as referrals,
            row_progress(console, "letters") as bar,
            run,
        ):
            errors.write(empty_errors())
            run.progress = bar.update if bar is not None else None
            not_stored: list[Problem] = []  # referrals that failed: listed after the invalid rows
            for batch in _scored_batches(cohort, assessor, errors, totals, chunk_rows):
                # One batch at a time: validated, scored, rendered, written, stored, then dropped.
                for outcome in run.render(batch):
                    totals.rendered(outcome)
                    problem = referrals.store(outcome) if referrals is not None else None
                    if problem is not None:
                        not_stored.append(problem)
            if referrals is not None:
                errors.write(pd.DataFrame(not_stored, columns=list(ERROR_COLUMNS)))
                totals.stored(referrals, len(not_stored))
    _print_summary(totals, output, store)
    _print_first_errors(output / ERRORS_NAME, totals.first_errors)
    raise typer.Exit(cli_exit.for_failed_rows(totals.failed))


def _refuse_overwriting(cohort: Path, output: Path) -> None:
    """A cohort kept in the output folder under a name the run writes would be replaced by it."""
    for name in (ERRORS_NAME, MANIFEST_NAME, REFERRALS_NAME):
        if same_file(cohort, output / name):
            raise InvalidInput(f"the cohort {cohort} is the run's own {name}; move it out of {output}")


def _store(
    enabled: bool, settings: Settings, assessor: Assessor, letterhead: Letterhead, output: Path
) -> AbstractContextManager[ReferralStore | None]:
    """The referral store for ``--store``; without it, nothing."""
    return referral_store(settings, assessor, letterhead, output) if enabled else nullcontext()


@contextmanager
def _user_errors() -> Iterator[None]:
    """Bad files, options, artefacts or an unusable database: one red line, no traceback."""
    try:
        yield
    except (OsteorefError, SQLAlchemyError) as exc:
        message = f"database error ({type(exc).__name__})" if isinstance(exc, SQLAlchemyError) else exc
        error_console.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
        raise typer.Exit(USER_ERROR) from None


def _scored_batches(
    cohort: Path, assessor: Assessor, errors: TableWriter, totals: RunTotals, chunk_rows: int
) -> Iterator[list[ScoredRow]]:
    """Read, validate and assess the cohort chunk by chunk, up to SCORE_BATCH rows at a time.

    Rejected rows are written to ``errors`` and counted; nothing of a batch is kept once
    the next one is asked for.
    """
    first_row = 1
    for raw in read_cohort_chunks(cohort, chunk_rows):
        # The FLS KPI columns (as `osteoref score` accepts them) play no part in a letter.
        chunk = validate_frame(raw.drop(columns=[c for c in raw.columns if c in KPI_ONLY_NAMES]), first_row)
        first_row += len(raw)
        refused: list[Problem] = []  # only the rows refused, so it stays small
        for start in range(0, len(chunk.valid), SCORE_BATCH):
            rows, problems = _score_batch(chunk, slice(start, start + SCORE_BATCH), assessor)
            refused += problems
            yield rows
        parts = [part for part in (chunk.errors, pd.DataFrame(refused, columns=ERROR_COLUMNS)) if len(part)]
        if parts:
            rejected = pd.concat(parts).sort_values("row", kind="stable")
            errors.write(rejected)
            totals.invalid += int(rejected["row"].nunique())


def _score_batch(
    chunk: ValidatedChunk, rows: slice, assessor: Assessor
) -> tuple[list[ScoredRow], list[Problem]]:
    """The valid rows in ``rows`` as ScoredRows, and the rows refused on the way (bad §4 cells)."""
    scored: list[ScoredRow] = []
    problems: list[Problem] = []
    valid = chunk.valid.iloc[rows]
    cells = chunk.passthrough.reindex(valid.index).to_dict("index")
    for row_id, row in zip(valid.index.tolist(), valid.to_dict("records"), strict=True):
        own = {str(name): value for name, value in cells.get(row_id, {}).items()}
        try:
            record = _record(row)
            recipient = _addressee(Recipient, "pcp_", own)
            referrer = _addressee(Referrer, "referrer_", own)
        except _Refused as refused:
            problems.extend({"row": row_id, **problem} for problem in refused.problems)
            continue
        scored.append(ScoredRow(record, assessor.assess(record), recipient, referrer, int(row_id), own))
    return scored, problems


class _Refused(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems)
        self.problems = problems


def _record(row: Mapping[Any, Any]) -> PatientRecord:
    # validate_frame applies the same contract, so this is a guard, not a second opinion.
    try:
        return record_from_row(row)
    except ValidationError as error:
        raise _Refused(_problems(error, "", row)) from None


def _addressee(model: type[M], prefix: str, cells: Mapping[Any, Any]) -> M | None:
    """The §4 columns with ``prefix`` as a Recipient/Referrer; None without a name."""
    values: dict[str, Any] = {name: _text(cells.get(prefix + name)) for name in model.model_fields}
    if "address" in values:
        values["address"] = [line.strip() for line in (values["address"] or "").split(";") if line.strip()]
    if not values["name"]:
        return None
    try:
        return model.model_validate({key: value for key, value in values.items() if value is not None})
    except ValidationError as error:
        raise _Refused(_problems(error, prefix, cells)) from None


def _problems(error: ValidationError, prefix: str, cells: Mapping[Any, Any]) -> list[Problem]:
    found = []
    for item in error.errors():
        name = f"{prefix}{item['loc'][0]}" if item["loc"] else prefix.rstrip("_")
        found.append({"field": name, "value": _text(cells.get(name)) or "", "rule": item["msg"]})
    return found


def _text(value: Any) -> str | None:
    """A §4 cell as stripped text; empty, NaN and None are missing."""
    return cell_text(value).strip() or None


def _print_summary(totals: RunTotals, output: Path, store: bool) -> None:
    counts = ", ".join(f"{count} {status}" for status, count in sorted(totals.statuses.items()))
    stored = f"; referrals {totals.created} new, {totals.existing} existing" if store else ""
    text = (
        f"letters → {output}: {counts or 'no rows'}; {totals.invalid} invalid → "
        f"{output / ERRORS_NAME}{stored}; {totals.failed} failed"
    )
    print_summary(console, text, failed=totals.failed)


def _print_first_errors(errors_file: Path, letter_errors: list[str]) -> None:
    """The first few reasons on the terminal, so a failed run says why without opening a file."""
    rejected = pd.read_csv(errors_file, dtype=str, keep_default_na=False, nrows=FIRST_ERRORS)
    lines = letter_errors + [
        f"data row {r.row}: {r.field} {r.rule} (value {r.value!r})" for r in rejected.itertuples()
    ]
    if not lines:
        return
    total = len(lines)
    error_console.print(f"[yellow]first {min(total, FIRST_ERRORS)} problem(s):[/yellow]", highlight=False)
    for line in lines[:FIRST_ERRORS]:
        error_console.print(f"  {line}", highlight=False, markup=False)
    error_console.print(
        f"  (data row 1 is the first row under the header; all problems: {errors_file} and "
        f"{errors_file.parent / MANIFEST_NAME})",
        highlight=False,
        markup=False,
    )
