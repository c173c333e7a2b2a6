"""The `osteoref` command line: score, synth, train, validate, serve.

User errors (bad files, bad options, unusable artefacts) print one red line and exit 2
without a traceback; a run with rejected rows exits 3 (``api.cli_exit``).
"""

from __future__ import annotations

import gc
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from api import cli_exit
from api.cli_lazy import LazyCommand, lazy_group
from api.cli_progress import print_summary, row_progress
from risk.errors import OsteorefError

if TYPE_CHECKING:
    from risk.scale import ScaleSummary

# Commands in other modules, imported only when run (or asked for their own --help): listing
# them reads this table, so `osteoref --help` loads neither pandas nor the web stack.
# Each help line is the first paragraph of the command's own help (tests/api/test_cli_startup.py).
LAZY_COMMANDS = (
    LazyCommand(
        "fhir-assess",
        "api.cli_fhir:fhir_assess",
        "Map a FHIR Bundle to a PatientRecord, assess it, print record + assessment + mapping report.",
    ),
    LazyCommand(
        "report",
        "api.cli_analyst:report",
        "Write a self-contained HTML cohort report (FLS KPIs, profile, site performance) and JSON.",
    ),
    LazyCommand(
        "recalibrate",
        "api.cli_analyst:recalibrate",
        "Refit intercept/slope on part of a site's cohort, check on the rest, write a new artefact.",
    ),
    LazyCommand(
        "letters",
        "api.cli_letters:letters",
        "Write every row's letters (resumable: unchanged rows are skipped); exit = failed rows.",
    ),
)
LAZY_SUB_APPS = (
    LazyCommand("keys", "api.cli_keys:app", "Manage API keys (stored hashed; a new key is shown once)."),
    LazyCommand(
        "reminders", "api.cli_loop:reminders", "Re-send unacknowledged letters and escalate to the worklist."
    ),
    LazyCommand(
        "delivery",
        "api.cli_loop:delivery",
        "Send queued letters, make print batches, put back a batch never printed.",
    ),
)

app = typer.Typer(
    cls=lazy_group(LAZY_COMMANDS, LAZY_SUB_APPS),
    help="Post-kyphoplasty re-fracture risk scoring.",
    no_args_is_help=True,
)
# soft_wrap: never hard-wrap at 80 columns when the output is a file or a pipe (paths stay whole).
console = Console(soft_wrap=True)
error_console = Console(stderr=True, soft_wrap=True)
USER_ERROR = cli_exit.USAGE
PUBLIC_BASE_URL_ENV = "OSTEOREF_PUBLIC_BASE_URL"
ROW_NOTE = " (row = data row: 1 is the first row under the header)"


@contextmanager
def user_errors(exit_code: int = USER_ERROR, *, then: str = "") -> Iterator[None]:
    """Turn osteoref's own errors into one red line (``then`` appended) and an exit status."""
    try:
        yield
    except OsteorefError as exc:
        error_console.print(f"[red]error:[/red] {exc}{then}", highlight=False, soft_wrap=True)
        raise typer.Exit(exit_code) from None


InputOpt = Annotated[Path, typer.Option("--input", "-i", help="Cohort file (.csv or .parquet).")]
OutputOpt = Annotated[Path, typer.Option("--output", "-o", help="Scored file (.csv or .parquet).")]


@app.command()
def score(
    input_path: InputOpt,
    output: OutputOpt,
    errors: Annotated[
        Path | None,
        typer.Option(
            help="Rejected rows (default: <output>.errors.csv); 'row' counts data rows, 1 = the first "
            "row under the header (CSV file line = row + 1)."
        ),
    ] = None,
    model: Annotated[Path | None, typer.Option(help="Model artefact (default: OSTEOREF_MODEL_PATH).")] = None,
    chunk_rows: Annotated[int, typer.Option(min=1, help="Rows per chunk.")] = 100_000,
    engine: Annotated[str, typer.Option(help="'pandas' (chunked, in-process) or 'dask'.")] = "pandas",
    scheduler: Annotated[
        str | None, typer.Option(help="Dask scheduler address (default: a local cluster of 2 workers).")
    ] = None,
    carry_inputs: Annotated[
        bool,
        typer.Option(
            "--carry-inputs/--minimal",
            help="Keep sex, age and dates for `osteoref report` (default); --minimal writes only the scores.",
        ),
    ] = True,
) -> None:
    """Validate and score a cohort; invalid rows go to the errors file (exit 3 if any, 2 on bad input).

    With --engine dask, --input may be a glob ('cohort/*.parquet') and --output is a
    directory of Parquet parts; the same vectorised scoring runs on each partition.
    """
    # Imported here, not at the top: `osteoref --help` must not pay for pandas, Dask or the model.
    from api.settings import get_settings  # noqa: PLC0415 (only when run)
    from risk.assess import Assessor  # noqa: PLC0415 (only when run)
    from risk.scale import errors_path_for, score_file_chunked  # noqa: PLC0415 (only when run)

    if engine == "dask":
        from api import cli_analyst  # noqa: PLC0415 (only when run)

        cli_analyst.score_with_dask(str(input_path), output, model, scheduler, carry_inputs)
        return
    if engine != "pandas":
        error_console.print(f"[red]error:[/red] --engine must be 'pandas' or 'dask', not {engine!r}")
        raise typer.Exit(USER_ERROR)
    settings = get_settings()
    errors = errors or errors_path_for(output)
    with user_errors(then=f"; nothing was written (an earlier {output} or {errors} is unchanged)"):
        assessor = Assessor.load(model or settings.model_path, settings.rule_config())
        with row_progress(console, "scoring") as bar:
            summary = score_file_chunked(
                input_path,
                output,
                assessor,
                chunk_rows,
                errors=errors,
                carry_inputs=carry_inputs,
                on_chunk=bar.advance if bar is not None else None,
            )
    _print_summary(summary, output, errors)
    raise typer.Exit(cli_exit.for_failed_rows(summary.failed))


def _print_summary(summary: ScaleSummary, output: Path, errors: Path) -> None:
    note = ROW_NOTE if summary.failed else ""
    text = f"scored {summary.scored} rows → {output}; {summary.failed} rejected → {errors}{note}"
    print_summary(console, text, failed=summary.failed)


@app.command()
def synth(
    output: Annotated[Path, typer.Option("--output", "-o", help="Cohort file to write (.csv or .parquet).")],
    n: Annotated[int, typer.Option("--n", min=1, help="Number of patients.")] = 5000,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 7,
    demo_pcp: Annotated[
        bool,
        typer.Option(
            "--demo-pcp",
            help="Also write made-up contract §4 columns (pcp_name, pcp_address, …) so "
            "`osteoref letters` can run on the file.",
        ),
    ] = False,
) -> None:
    """Write a synthetic cohort with outcome columns (add --demo-pcp for letter runs)."""
    from api import cli_model  # noqa: PLC0415 (the model's life cycle loads pandas and scikit-learn: only when run)

    with user_errors():
        cli_model.synth(n, seed, output, console, demo_pcp=demo_pcp)


@app.command()
def train(
    cohort: Annotated[Path, typer.Option(help="Training cohort with §3 outcome columns.")],
    output: Annotated[Path, typer.Option(help="Model artefact to write (.json); not over an existing file.")],
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    version: Annotated[str, typer.Option(help="Model version to record.")] = "1.0.0",
    force: Annotated[bool, typer.Option("--force", help="Replace an existing artefact at --output.")] = False,
) -> None:
    """Train the re-fracture model and write its artefact (an existing file needs --force)."""
    from api import cli_model  # noqa: PLC0415 (the model's life cycle loads pandas and scikit-learn: only when run)

    with user_errors():
        cli_model.train(cohort, output, seed, version, console, force=force)


@app.command()
def validate(
    cohort: Annotated[Path, typer.Option(help="Cohort with §3 outcome columns.")],
    model: Annotated[Path, typer.Option(help="Model artefact.")],
    plot: Annotated[Path | None, typer.Option(help="Write a calibration plot (.png).")] = None,
) -> None:
    """Validate a model artefact on another cohort."""
    from api import cli_model  # noqa: PLC0415 (the model's life cycle loads pandas and scikit-learn: only when run)

    with user_errors():
        cli_model.validate(cohort, model, plot, console)


def bound_base_url(host: str, port: int) -> str:
    """The URL links should use for a server bound to ``host:port`` (all interfaces → this host's name)."""
    name = socket.getfqdn() if host in ("0.0.0.0", "::", "") else host  # noqa: S104 (a comparison)
    return f"http://[{name}]:{port}" if ":" in name else f"http://{name}:{port}"


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
) -> None:
    """Run the API and the web pages with uvicorn (links use this host and port unless
    OSTEOREF_PUBLIC_BASE_URL is set)."""
    # Settings are read once, when uvicorn imports api.main below: set the default first.
    os.environ.setdefault(PUBLIC_BASE_URL_ENV, bound_base_url(host, port))
    import uvicorn  # noqa: PLC0415 (only when run)

    # Importing the app builds a few hundred thousand objects that live as long as the process
    # (schemas, routes, tables); the cyclic GC would re-scan them dozens of times on the way,
    # a sixth of the time to /ready. The lifespan freezes them and turns the GC back on.
    gc.disable()
    uvicorn.run("api.main:app", host=host, port=port)


def main() -> None:
    """Console-script entry point."""
    app()
