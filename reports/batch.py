"""Automated letter runs over a scored cohort: parallel, resumable, never stopped by one row.

For each row, ``documents_for`` picks the documents (PCP letter + patient copy for a PCP
referral; the oncology notification or the trauma/DXA note for those pathways). Each
document is written as PDF (and HTML on request) to ``output_dir`` as
``<patient_id>_<kind>.pdf``, with a sidecar ``<patient_id>.inputs.json`` holding the hash
of everything the documents depend on (record, assessment, PCP, referrer, letterhead,
options, and the code and templates of this package). A re-run skips a row whose sidecar
hash matches and whose files exist. ``manifest.csv`` lists every row.

A ``LetterRun`` takes the rows chunk by chunk (render, write the manifest lines, hand
back the outcomes, keep nothing), so a run's memory is bounded by its chunk size;
``run_letters`` is the same run over rows already in memory.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import multiprocessing
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from pathlib import Path
from types import TracebackType

import structlog

from reports.batch_rows import MANIFEST_FIELDS, Job, ManifestRow, RenderedRow, referral_columns
from reports.documents import documents_for
from reports.models import DocumentKind, Letterhead, Recipient, Referrer
from reports.render import render_html, render_pdf
from reports.scored_row import ScoredRow
from reports.versioning import code_digest
from risk.contract import Assessment, PatientRecord
from risk.whole_file import WholeFile, write_whole

Progress = Callable[[int, int | None], None]  # (rows done, total rows or None when streaming)
Pages = dict[DocumentKind, str]

MANIFEST_NAME = "manifest.csv"
# Every document is addressed to the PCP, except the oncology note (to the treating team).
NEEDS_PCP = frozenset(DocumentKind) - {DocumentKind.ONCOLOGY_NOTIFICATION}

log = structlog.get_logger(__name__)


def run_letters(
    scored_rows: Iterable[ScoredRow],
    output_dir: Path,
    *,
    letterhead: Letterhead,
    html: bool = False,
    jobs: int = 1,
    progress: Progress | None = None,
) -> list[ManifestRow]:
    """Render every row's documents into ``output_dir``; write and return the manifest rows.

    The rows are taken as one chunk; a cohort too large for memory goes through ``LetterRun``.
    """
    rows = list(scored_rows)
    with LetterRun(output_dir, letterhead=letterhead, html=html, jobs=jobs, progress=progress) as run:
        return [outcome.manifest for outcome in run.render(rows, total=len(rows))]


class LetterRun:
    """One letter run, fed chunk by chunk; the manifest is written as the chunks go by.

    Holds only what must outlive a chunk: the worker pool, the open manifest, and the
    patient_ids already seen (a duplicate is an error row wherever it occurs).
    """

    def __init__(
        self,
        output_dir: Path,
        *,
        letterhead: Letterhead,
        html: bool = False,
        jobs: int = 1,
        progress: Progress | None = None,
        keep_pages: bool = False,
    ) -> None:
        self.output_dir, self.letterhead, self.html = output_dir, letterhead, html
        self.jobs, self.progress, self.keep_pages = jobs, progress, keep_pages
        self.rows_done = 0
        self.rendered = 0
        self._seen: dict[str, str] = {}
        self._pool: Executor | None = None
        self._manifest: ManifestWriter | None = None

    def __enter__(self) -> LetterRun:
        self.output_dir.mkdir(parents=True, exist_ok=True)
        self._manifest = ManifestWriter(self.output_dir / MANIFEST_NAME)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._pool is not None:
            self._pool.shutdown()
        if self._manifest is not None:
            self._manifest.close(complete=error is None)
        if error is None:
            log.info("letters_run", rows=self.rows_done, rendered=self.rendered, jobs=self.jobs)

    def render(self, rows: Sequence[ScoredRow], *, total: int | None = None) -> list[RenderedRow]:
        """Render one chunk's documents and write its manifest lines; the outcomes in input order."""
        if self._manifest is None:
            raise RuntimeError("LetterRun.render outside its with-block")
        outcomes: dict[int, RenderedRow] = {}
        todo: list[tuple[int, Job]] = []
        for index, row in enumerate(rows):
            planned = _plan(row, self, self._seen)
            if isinstance(planned, Job):
                todo.append((index, planned))
            else:
                outcomes[index] = RenderedRow(row, planned)
        self._advance(len(outcomes), total)
        for index, (manifest, pages) in self._execute(todo):
            outcomes[index] = RenderedRow(rows[index], manifest, pages)
            self._advance(1, total)
        ordered = [outcomes[i] for i in range(len(rows))]
        self._manifest.write(outcome.manifest for outcome in ordered)
        self.rendered += len(todo)
        return ordered

    def _advance(self, rows: int, total: int | None) -> None:
        self.rows_done += rows
        if self.progress is not None:
            self.progress(self.rows_done, total)

    def _execute(self, todo: list[tuple[int, Job]]) -> Iterator[tuple[int, tuple[ManifestRow, Pages]]]:
        """Run the jobs in this process (jobs ≤ 1) or in the run's ``jobs`` worker processes."""
        if self.jobs <= 1 or len(todo) <= 1:
            yield from ((index, render_job(job)) for index, job in todo)
            return
        if self._pool is None:  # started on first use and kept for every later chunk
            context = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(max_workers=self.jobs, mp_context=context)
        futures = {self._pool.submit(render_job, job): index for index, job in todo}
        for future in as_completed(futures):
            yield futures[future], future.result()


def _plan(row: ScoredRow, run: LetterRun, seen: dict[str, str]) -> Job | ManifestRow:
    """A render job for the row, or its finished manifest row (error, nothing to do, unchanged)."""
    kinds = documents_for(row.assessment)
    base = ManifestRow.start(row, kinds)
    problem = _row_problem(row, kinds, seen)
    if problem:
        return base.finish(status="error", errors=[problem])
    if not kinds:
        return base.finish(status="no_documents")
    digest = input_hash(
        row.record, row.assessment, row.recipient, row.referrer, letterhead=run.letterhead, html=run.html
    )
    job = Job(base, row, run.letterhead, run.html, run.output_dir, digest, run.keep_pages)
    if job.unchanged():
        return base.finish(status="unchanged", files=job.file_names(), input_hash=digest)
    return job


def _row_problem(row: ScoredRow, kinds: Sequence[DocumentKind], seen: dict[str, str]) -> str | None:
    if row.assessment.patient_id != row.record.patient_id:
        return "assessment.patient_id does not match the record's patient_id"
    if row.recipient is None and NEEDS_PCP.intersection(kinds):
        return "pcp_name is required for a letter (contract §4)"
    first = seen.setdefault(row.record.patient_id, str(row.row_id))
    if first != str(row.row_id):
        return f"duplicate patient_id: letters already written for row {first}"
    return None


def render_job(job: Job) -> tuple[ManifestRow, Pages]:
    """Render and write one row's documents; any failure becomes the row's error.

    Returns the manifest row and, when the job asks to keep them, each document's HTML.
    """
    written: list[str] = []
    pages: Pages = {}
    row = job.row
    try:
        for kind in job.kinds():
            page = render_html(
                kind, row.record, row.assessment, job.letterhead, row.recipient, referrer=row.referrer
            )
            if job.keep_pages:
                pages[kind] = page
            if job.html:
                written.append(_write(job.output_dir, job.file_name(kind, "html"), page.encode()))
            written.append(_write(job.output_dir, job.file_name(kind, "pdf"), render_pdf(page)))
    except Exception as error:  # one bad row must never stop the run
        log.warning("letter_failed", row_id=job.base.row_id, error=type(error).__name__)
        return job.base.finish(status="error", files=written, errors=[_describe(error)]), {}
    job.save_sidecar(written)
    return job.base.finish(status="rendered", files=written, input_hash=job.digest), pages


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}".replace("\n", " ")[:300]


def _write(directory: Path, name: str, data: bytes) -> str:
    # Written whole, so an interrupted run never leaves a truncated letter behind.
    write_whole(directory / name, data)
    return name


def input_hash(
    record: PatientRecord,
    assessment: Assessment,
    recipient: Recipient | None,
    referrer: Referrer | None,
    *,
    letterhead: Letterhead,
    html: bool,
) -> str:
    """SHA-256 of everything the row's documents depend on, this package's code included."""
    payload = {
        "record": record.model_dump(mode="json"),
        "assessment": assessment.model_dump(mode="json"),
        "recipient": recipient.model_dump(mode="json") if recipient else None,
        "referrer": referrer.model_dump(mode="json") if referrer else None,
        "letterhead": letterhead.model_dump(mode="json"),
        "html": html,
        "code": code_digest(),
    }
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


class ManifestWriter:
    """``manifest.csv`` written line by line, in input order, into a partial file.

    The partial file replaces the manifest only when the run completes, so an interrupted
    run leaves the previous manifest as it was.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file = WholeFile(path)
        self._handle = io.TextIOWrapper(self._file.handle, encoding="utf-8", newline="")
        self._writer = csv.DictWriter(self._handle, fieldnames=MANIFEST_FIELDS)
        self._writer.writeheader()

    def write(self, rows: Iterable[ManifestRow]) -> None:
        """Append rows to the manifest."""
        self._writer.writerows(row.as_csv() for row in rows)

    def close(self, *, complete: bool) -> None:
        """Publish the manifest (``complete``) or drop the partial file."""
        self._handle.flush()
        self._handle.detach()  # the binary file is closed by publish or discard, not by the wrapper
        if complete:
            self._file.publish()
        else:
            self._file.discard()


__all__ = [
    "MANIFEST_NAME",
    "LetterRun",
    "ManifestWriter",
    "ScoredRow",
    "input_hash",
    "referral_columns",
    "run_letters",
]
