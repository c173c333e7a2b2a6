"""``osteoref reminders run`` and ``osteoref delivery run|print-batch|requeue-batch``: the PCP loop.

Each builds the loop on ``OSTEOREF_DATABASE_URL`` (migrated first) and renders PDFs in
this process. Exit status 0 also when another run holds the lease (it is not an error
for a CronJob that overlaps); the summary says so.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from risk.errors import OsteorefError
from risk.whole_file import WholeFile, cannot_write

# The loop (database, channels, reports) is imported when a command runs, so `--help`
# stays light (tests/api/test_cli_startup.py).
if TYPE_CHECKING:
    from api.db.engine import Database
    from api.delivery.wiring import LoopComponents

reminders = typer.Typer(
    help="Re-send unacknowledged letters and escalate to the worklist.", no_args_is_help=True
)
delivery = typer.Typer(
    help="Send queued letters, make print batches, put back a batch never printed.", no_args_is_help=True
)
console = Console()
error_console = Console(stderr=True)


def _render(pages: Sequence[str]) -> list[bytes]:
    from reports.render import render_pdf  # noqa: PLC0415  (WeasyPrint: only when a letter goes)

    return [render_pdf(page) for page in pages]


@contextmanager
def _loop() -> Iterator[tuple[Database, LoopComponents]]:
    from api.db import migrate  # noqa: PLC0415 (only when run)
    from api.db.engine import Database  # noqa: PLC0415 (only when run)
    from api.delivery.wiring import build_loop  # noqa: PLC0415 (only when run)
    from api.settings import get_settings  # noqa: PLC0415 (only when run)

    settings = get_settings()
    database = Database.connect(settings.database_url)
    try:
        migrate.upgrade(database.engine)
        yield database, build_loop(database, settings, _render)
    except OsteorefError as error:
        error_console.print(f"[red]error:[/red] {error}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    finally:
        database.dispose()


@reminders.command("run")
def run_reminders() -> None:
    """Retry due deliveries, re-send letters unacknowledged past their threshold, escalate."""
    from api.db.types import utcnow  # noqa: PLC0415 (only when run)
    from api.reminders.job import ReminderJob  # noqa: PLC0415 (only when run)
    from api.settings import get_settings  # noqa: PLC0415 (only when run)

    with _loop() as (database, loop):
        job = ReminderJob(database, loop.dispatcher, loop.deliveries, get_settings().reminders, utcnow)
        summary = job.run()
    if not summary.ran:
        console.print("another reminders run holds the lease; nothing done")
        return
    console.print(
        f"reminders queued {summary.reminders_queued}, escalated {summary.escalated}, "
        f"letters delivered {summary.delivered}",
        highlight=False,
    )


@delivery.command("run")
def run_deliveries() -> None:
    """Try every delivery that is due (first attempts and retries)."""
    with _loop() as (_, loop):
        summary = loop.dispatcher.run_due()
    console.print(
        f"delivered {summary.delivered}, retrying {summary.retrying}, failed {summary.failed}",
        highlight=False,
    )


def _save(file: WholeFile, pdf: bytes) -> None:
    try:
        file.handle.write(pdf)
        file.publish()
    except OSError as exc:
        raise cannot_write(file.path, exc) from None


@delivery.command("print-batch")
def print_batch(
    output: Annotated[Path, typer.Option("--output", "-o", help="The batch PDF to write.")],
) -> None:
    """Write one PDF of every letter waiting for post, behind a cover sheet."""
    with _loop() as (_, loop):
        # Opened first and published before the letters count as printed: a batch that
        # cannot be saved puts its letters back in the queue rather than losing them.
        file = WholeFile(output)
        try:
            batch = loop.print_batches.make(None, keep=lambda pdf: _save(file, pdf))
        finally:
            file.discard()  # nothing left to drop once published
    console.print(f"{batch.letters} letters → {output} (batch {batch.id})", highlight=False)


@delivery.command("requeue-batch")
def requeue_batch(
    batch_id: Annotated[uuid.UUID, typer.Argument(help="The batch id (printed by print-batch).")],
) -> None:
    """Put the letters of a batch that was never printed back in the queue (once per batch)."""
    with _loop() as (_, loop):
        done = loop.print_batches.requeue(None, batch_id)
    console.print(
        f"batch {done.reference}: {done.requeued} letters back in the queue, "
        f"{done.back_to_draft} referrals back to draft, {len(done.skipped)} skipped",
        highlight=False,
        soft_wrap=True,
    )
    for letter in done.skipped:  # R-… references, not patient identifiers
        console.print(f"  skipped {letter.reference}: {letter.reason}", highlight=False)
