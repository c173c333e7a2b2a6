"""Automated letter runs over a scored cohort: parallel, resumable, never stopped by one row.

For each row, ``documents_for`` picks the documents (PCP letter + patient copy for a PCP
referral; the oncology notification or the trauma/DXA note for those pathways). Each
document is written as PDF (and HTML on request) to ``output_dir`` as
``<patient_id>_<kind>.pdf``, with a sidecar ``<patient_id>.inputs.json`` holding the hash
of everything the documents depend on (record, assessment, PCP, referrer, letterhead,
options, and the code and templates of this package). A re-run skips a row whose sidecar
hash matches and whose files exist. ``manifest.csv`` lists every row.
"""

from __future__ import annotations

import csv
import hashlib
import json
import multiprocessing
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

import structlog

from reports.batch_rows import MANIFEST_FIELDS, Job, ManifestRow, referral_columns
from reports.documents import documents_for
from reports.models import DocumentKind, Letterhead, Recipient, Referrer
from reports.render import render_html, render_pdf
from reports.versioning import code_digest
from risk.contract import Assessment, PatientRecord

ScoredRow = tuple[PatientRecord, Assessment, Recipient | None, Referrer | None, str | int]
Progress = Callable[[int, int], None]

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
    cells: Mapping[Any, Mapping[str, Any]] | None = None,
) -> list[ManifestRow]:
    """Render every row's documents into ``output_dir``; write and return the manifest rows.

    ``cells`` maps a row id to that input row's §3/§4 cells, which the manifest carries
    through unchanged (contract §1).
    """
    output_dir.mkdir(parents=True, exist_ok=True)
    rows = list(scored_rows)
    results: dict[int, ManifestRow] = {}
    todo: list[tuple[int, Job]] = []
    seen: dict[str, str] = {}
    for index, row in enumerate(rows):
        row_cells = None if cells is None else cells.get(row[4], {})
        planned = _plan(row, output_dir, letterhead, html, seen, cells=row_cells)
        if isinstance(planned, Job):
            todo.append((index, planned))
        else:
            results[index] = planned
    done = len(results)
    _report(progress, done, len(rows))
    for index, result in _execute(todo, jobs):
        results[index] = result
        done += 1
        _report(progress, done, len(rows))
    manifest = [results[i] for i in range(len(rows))]
    write_manifest(manifest, output_dir / MANIFEST_NAME)
    log.info("letters_run", rows=len(rows), rendered=len(todo), jobs=jobs)
    return manifest


def _report(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None:
        progress(done, total)


def _plan(
    row: ScoredRow,
    output_dir: Path,
    letterhead: Letterhead,
    html: bool,
    seen: dict[str, str],
    *,
    cells: Mapping[str, Any] | None,
) -> Job | ManifestRow:
    """A render job for the row, or its finished manifest row (error, nothing to do, unchanged)."""
    record, assessment, recipient, referrer, row_id = row
    kinds = documents_for(assessment)
    base = ManifestRow.start(
        row_id, record, assessment, recipient=recipient, referrer=referrer, kinds=kinds, cells=cells
    )
    problem = _row_problem(row, kinds, seen)
    if problem:
        return base.finish(status="error", errors=[problem])
    if not kinds:
        return base.finish(status="no_documents")
    digest = input_hash(record, assessment, recipient, referrer, letterhead=letterhead, html=html)
    job = Job(base, record, assessment, recipient, referrer, letterhead, html, output_dir, digest)
    if job.unchanged():
        return base.finish(status="unchanged", files=job.file_names(), input_hash=digest)
    return job


def _row_problem(row: ScoredRow, kinds: Sequence[DocumentKind], seen: dict[str, str]) -> str | None:
    record, assessment, recipient, _, row_id = row
    if assessment.patient_id != record.patient_id:
        return "assessment.patient_id does not match the record's patient_id"
    if recipient is None and NEEDS_PCP.intersection(kinds):
        return "pcp_name is required for a letter (contract §4)"
    first = seen.setdefault(record.patient_id, str(row_id))
    if first != str(row_id):
        return f"duplicate patient_id: letters already written for row {first}"
    return None


def _execute(todo: list[tuple[int, Job]], jobs: int) -> Iterable[tuple[int, ManifestRow]]:
    """Run the jobs in this process (jobs ≤ 1) or in ``jobs`` worker processes."""
    if jobs <= 1 or len(todo) <= 1:
        yield from ((index, render_job(job)) for index, job in todo)
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        futures = {pool.submit(render_job, job): index for index, job in todo}
        for future in as_completed(futures):
            yield futures[future], future.result()


def render_job(job: Job) -> ManifestRow:
    """Render and write one row's documents; any failure becomes the row's error."""
    written: list[str] = []
    try:
        for kind in job.kinds():
            page = render_html(
                kind,
                job.record,
                job.assessment,
                job.letterhead,
                job.recipient,
                referrer=job.referrer,
            )
            if job.html:
                written.append(_write(job.output_dir, job.file_name(kind, "html"), page.encode()))
            written.append(_write(job.output_dir, job.file_name(kind, "pdf"), render_pdf(page)))
    except Exception as error:  # one bad row must never stop the run
        log.warning("letter_failed", row_id=job.base.row_id, error=type(error).__name__)
        return job.base.finish(status="error", files=written, errors=[_describe(error)])
    job.save_sidecar(written)
    return job.base.finish(status="rendered", files=written, input_hash=job.digest)


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}".replace("\n", " ")[:300]


def _write(directory: Path, name: str, data: bytes) -> str:
    # Write then rename, so an interrupted run never leaves a truncated letter behind.
    target = directory / name
    partial = target.with_name(f".{name}.partial")
    partial.write_bytes(data)
    partial.replace(target)
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


def write_manifest(rows: Sequence[ManifestRow], path: Path) -> None:
    """``manifest.csv``: one line per input row, in input order (written atomically)."""
    partial = path.with_name(f".{path.name}.partial")
    with partial.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=MANIFEST_FIELDS)
        writer.writeheader()
        writer.writerows(row.as_csv() for row in rows)
    partial.replace(path)


__all__ = ["MANIFEST_NAME", "ScoredRow", "input_hash", "referral_columns", "run_letters"]
