"""`osteoref letters`: a cohort in, every row's letters (and, with --store, referrals) out, resumably."""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, TypeVar

import pandas as pd
import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy.exc import SQLAlchemyError

from api.auth.principal import Principal, create_key
from api.db import keys_repo
from api.db.engine import Database
from api.referrals.adapters import ReportLetters, letterhead_from
from api.referrals.schemas import PcpIn, ReferralCreate, ReferrerIn
from api.referrals.service import ReferralService
from api.referrals.views import LinkBuilder
from api.referrals.wiring import open_database
from api.settings import Settings, get_settings
from reports import Letterhead, Recipient, Referrer
from reports.batch import ScoredRow, run_letters
from reports.batch_rows import ManifestRow
from reports.models import Signatory
from risk.assess import Assessor
from risk.cohort import ERROR_COLUMNS, TableWriter, ValidatedChunk, read_cohort_chunks, validate_frame
from risk.cohort.frame import empty_errors
from risk.cohort.kpi_columns import KPI_ONLY_NAMES
from risk.cohort.records import record_from_row
from risk.contract import PatientRecord
from risk.errors import Conflict, OsteorefError

console = Console()
error_console = Console(stderr=True)
USER_ERROR = 1
MAX_EXIT = 255
ERRORS_NAME = "errors.csv"
REFERRALS_NAME = "referrals.csv"
REFERRALS_FIELDS = ("row_id", "patient_id", "referral_id", "created")
LETTERS_KEY_LABEL = "letters-cli"
LETTERS_KEY_ROLE = "clinician"
LETTERS_DONE = frozenset({"rendered", "unchanged"})
Problem = dict[str, Any]  # one errors.csv line: row, field, value, rule
M = TypeVar("M", Recipient, Referrer)


@dataclass
class RunTotals:
    """What the run did, for the summary line and the exit status."""

    invalid: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    created: int = 0
    existing: int = 0
    store_failed: int = 0

    def stored(self, lines: list[dict[str, str]], problems: list[Problem]) -> None:
        """Count the outcome of ``--store``."""
        self.created = sum(line["created"] == "true" for line in lines)
        self.existing = len(lines) - self.created
        self.store_failed = len(problems)

    @property
    def failed(self) -> int:
        """Rows that produced no usable output: invalid, letter errors, referrals not stored."""
        return self.invalid + self.statuses.get("error", 0) + self.store_failed


def letters(
    cohort: Annotated[Path, typer.Option(help="Cohort file (.csv or .parquet) with §4 pcp_* columns.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Directory for letters and manifest.")],
    html: Annotated[bool, typer.Option("--html", help="Also write each document as HTML.")] = False,
    jobs: Annotated[int | None, typer.Option(min=1, help="Render processes (default: CPU count).")] = None,
    store: Annotated[bool, typer.Option("--store", help="Record PCP referrals in the database.")] = False,
    model: Annotated[Path | None, typer.Option(help="Model artefact (default: settings.model_path).")] = None,
    chunk_rows: Annotated[int, typer.Option(min=1, help="Rows read per chunk.")] = 100_000,
) -> None:
    """Write every row's letters (resumable: unchanged rows are skipped); exit = failed rows."""
    settings = get_settings()
    totals = RunTotals()
    with _user_errors():
        assessor = Assessor.load(model or settings.model_path, settings.rule_config())
        letterhead = letterhead_from(settings)
        output.mkdir(parents=True, exist_ok=True)
        with TableWriter(output / ERRORS_NAME) as errors:
            errors.write(empty_errors())
            scored, cells = _score_cohort(cohort, assessor, errors, totals, chunk_rows)
            with _progress(console.is_terminal) as progress:
                workers = jobs or os.cpu_count() or 1
                manifest = run_letters(
                    scored,
                    output,
                    letterhead=letterhead,
                    html=html,
                    jobs=workers,
                    progress=progress,
                    cells=cells,
                )
            totals.statuses = Counter(row.status for row in manifest)
            if store:
                done = zip(scored, manifest, strict=True)
                lines, problems = _store(settings, assessor, letterhead, done, output)
                errors.write(pd.DataFrame(problems, columns=list(ERROR_COLUMNS)))
                totals.stored(lines, problems)
    _print_summary(totals, output, store)
    raise typer.Exit(min(totals.failed, MAX_EXIT))


@contextmanager
def _user_errors() -> Iterator[None]:
    """Bad files, options, artefacts or an unusable database: one red line, no traceback."""
    try:
        yield
    except (OsteorefError, SQLAlchemyError) as exc:
        message = f"database error ({type(exc).__name__})" if isinstance(exc, SQLAlchemyError) else exc
        error_console.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
        raise typer.Exit(USER_ERROR) from None


@contextmanager
def _progress(enabled: bool) -> Iterator[Any]:
    if not enabled:
        yield None
        return
    columns = (TextColumn("letters"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("rows", total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


def _score_cohort(
    cohort: Path, assessor: Assessor, errors: TableWriter, totals: RunTotals, chunk_rows: int
) -> tuple[list[ScoredRow], dict[int, dict[str, Any]]]:
    """Validate and assess every chunk; rejected rows are written to ``errors`` and counted.

    Also returns each valid row's own §3/§4 cells, for the manifest to carry unchanged.
    """
    scored: list[ScoredRow] = []
    cells: dict[int, dict[str, Any]] = {}
    first_row = 1
    for raw in read_cohort_chunks(cohort, chunk_rows):
        # The FLS KPI columns (as `osteoref score` accepts them) play no part in a letter.
        chunk = validate_frame(raw.drop(columns=[c for c in raw.columns if c in KPI_ONLY_NAMES]), first_row)
        first_row += len(raw)
        rows, problems = _score_chunk(chunk, assessor)
        parts = [part for part in (chunk.errors, pd.DataFrame(problems, columns=ERROR_COLUMNS)) if len(part)]
        if parts:
            rejected = pd.concat(parts).sort_values("row", kind="stable")
            errors.write(rejected)
            totals.invalid += int(rejected["row"].nunique())
        scored.extend(rows)
        for row, values in chunk.passthrough.to_dict("index").items():
            cells[int(str(row))] = {str(name): value for name, value in values.items()}
    return scored, cells


def _score_chunk(chunk: ValidatedChunk, assessor: Assessor) -> tuple[list[ScoredRow], list[Problem]]:
    """The valid rows as (record, assessment, PCP, referrer, row) and the rows refused on the way."""
    rows: list[ScoredRow] = []
    problems: list[Problem] = []
    cells = chunk.passthrough.to_dict("index")
    for row_id, row in zip(chunk.valid.index.tolist(), chunk.valid.to_dict("records"), strict=True):
        try:
            record = _record(row)
            recipient = _addressee(Recipient, "pcp_", cells.get(row_id, {}))
            referrer = _addressee(Referrer, "referrer_", cells.get(row_id, {}))
        except _Refused as refused:
            problems.extend({"row": row_id, **problem} for problem in refused.problems)
            continue
        rows.append((record, assessor.assess(record), recipient, referrer, int(row_id)))
    return rows, problems


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
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return str(value).strip() or None


def _store(
    settings: Settings,
    assessor: Assessor,
    letterhead: Letterhead,
    done: Iterable[tuple[ScoredRow, ManifestRow]],
    output: Path,
) -> tuple[list[dict[str, str]], list[Problem]]:
    """Record each PCP referral whose letters exist, list them in referrals.csv; (lines, failures)."""
    lines: list[dict[str, str]] = []
    problems: list[Problem] = []
    with _referrals(settings, assessor, letterhead) as (service, actor):
        for (record, assessment, recipient, referrer, row_id), outcome in done:
            if not assessment.refer_to_pcp or recipient is None or outcome.status not in LETTERS_DONE:
                continue
            try:
                body = referral_body(record, recipient, Signatory.of(letterhead, referrer))
                created, new = service.create(actor, body, idempotency_key(body))
            except (OsteorefError, ValidationError) as error:
                problems.append({"row": row_id, "field": "referral", "value": "", "rule": str(error)[:300]})
                continue
            ids = {"row_id": str(row_id), "patient_id": record.patient_id, "referral_id": str(created.id)}
            lines.append({**ids, "created": str(new).lower()})
    pd.DataFrame(lines, columns=list(REFERRALS_FIELDS)).to_csv(output / REFERRALS_NAME, index=False)
    return lines, problems


@contextmanager
def _referrals(
    settings: Settings, assessor: Assessor, letterhead: Letterhead
) -> Iterator[tuple[ReferralService, Principal]]:
    """The referral workflow on ``settings.database_url``, acting as the letters-cli key."""
    try:
        database = open_database(settings)
    except RuntimeError as error:  # production refuses to run beside an active development key
        raise OsteorefError(str(error)) from None
    try:
        links = LinkBuilder(settings.public_base_url)
        yield ReferralService(database, assessor, ReportLetters(letterhead), links), letters_actor(database)
    finally:
        database.dispose()


def referral_body(record: PatientRecord, recipient: Recipient, signer: Signatory) -> ReferralCreate:
    """The API body of a referral: the letter's record, PCP and signatory."""
    return ReferralCreate(
        patient=record,
        pcp=PcpIn.model_validate(recipient.model_dump()),
        referrer=ReferrerIn.model_validate(signer.model_dump()),
    )


def idempotency_key(body: ReferralCreate) -> str:
    """``letters-<sha256[:40]>`` of the record, PCP and referrer: same inputs, same referral."""
    canonical = json.dumps(body.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return f"letters-{hashlib.sha256(canonical.encode()).hexdigest()[:40]}"


def letters_actor(database: Database) -> Principal:
    """The active ``letters-cli`` clinician key, created on first use (its secret is never shown)."""
    principal = _active_letters_key(database)
    if principal is None:
        # Nobody authenticates with this key: it only attributes the stored referrals and audit.
        create_key(database, LETTERS_KEY_ROLE, LETTERS_KEY_LABEL, actor=None)
        principal = _active_letters_key(database)
    if principal is None:  # pragma: no cover - revoked between create and read
        raise Conflict("the letters-cli key was revoked while it was being created")
    return principal


def _active_letters_key(database: Database) -> Principal | None:
    with database.reader() as session:
        for key in keys_repo.list_keys(session):
            if key.label == LETTERS_KEY_LABEL and key.role == LETTERS_KEY_ROLE and key.revoked_at is None:
                return Principal(key_id=key.id, role=key.role)
    return None


def _print_summary(totals: RunTotals, output: Path, store: bool) -> None:
    counts = ", ".join(f"{count} {status}" for status, count in sorted(totals.statuses.items()))
    stored = f"; referrals {totals.created} new, {totals.existing} existing" if store else ""
    colour = "green" if totals.failed == 0 else "yellow"
    console.print(
        f"[{colour}]letters → {output}: {counts or 'no rows'}; {totals.invalid} invalid → "
        f"{output / ERRORS_NAME}{stored}; {totals.failed} failed[/{colour}]",
        highlight=False,
        soft_wrap=True,
    )
