"""`osteoref letters`: the command's options; the run itself is in ``api.cli_letters_run``.

The options live apart from the pipeline so `osteoref letters --help` loads neither pandas,
WeasyPrint nor the database (tests/api/test_cli_startup.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def letters(
    cohort: Annotated[Path, typer.Option(help="Cohort file (.csv or .parquet) with §4 pcp_* columns.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Directory for letters and manifest.")],
    html: Annotated[bool, typer.Option("--html", help="Also write each document as HTML.")] = False,
    jobs: Annotated[int | None, typer.Option(min=1, help="Render processes (default: CPU count).")] = None,
    store: Annotated[bool, typer.Option("--store", help="Record PCP referrals in the database.")] = False,
    model: Annotated[Path | None, typer.Option(help="Model artefact (default: OSTEOREF_MODEL_PATH).")] = None,
    chunk_rows: Annotated[int, typer.Option(min=1, help="Rows read per chunk.")] = 100_000,
) -> None:
    """Write every row's letters (resumable: unchanged rows are skipped); exit = failed rows."""
    from api.cli_letters_run import run_letters  # noqa: PLC0415 (only when run)

    run_letters(cohort, output, html=html, jobs=jobs, store=store, model=model, chunk_rows=chunk_rows)
