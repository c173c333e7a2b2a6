"""The `osteoref` command line: score, synth, train, validate, serve.

User errors (bad files, bad options, unusable artefacts) print one red line and exit
non-zero without a traceback; `score` exits with the number of rejected rows (≤ 255).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from api import cli_analyst, cli_keys, cli_letters, cli_loop, cli_model
from api.cli_fhir import fhir_assess
from api.settings import get_settings
from risk.assess import Assessor
from risk.errors import OsteorefError
from risk.scale import ScaleSummary, errors_path_for, score_file_chunked

app = typer.Typer(help="Post-kyphoplasty re-fracture risk scoring.", no_args_is_help=True)
console = Console()
error_console = Console(stderr=True)
app.add_typer(cli_keys.app, name="keys")
app.add_typer(cli_loop.reminders, name="reminders")
app.add_typer(cli_loop.delivery, name="delivery")
app.command("fhir-assess")(fhir_assess)
app.command()(cli_analyst.report)
app.command()(cli_analyst.recalibrate)
app.command()(cli_letters.letters)
MAX_EXIT = 255
USER_ERROR = 1


@contextmanager
def user_errors(exit_code: int = USER_ERROR) -> Iterator[None]:
    """Turn osteoref's own errors into one red line and an exit status."""
    try:
        yield
    except OsteorefError as exc:
        error_console.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(exit_code) from None


@contextmanager
def _progress(enabled: bool) -> Iterator[Callable[[int], None] | None]:
    if not enabled:
        yield None
        return
    columns = (TextColumn("scoring"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("rows", total=None)
        yield lambda rows: progress.advance(task, rows)


InputOpt = Annotated[Path, typer.Option("--input", "-i", help="Cohort file (.csv or .parquet).")]
OutputOpt = Annotated[Path, typer.Option("--output", "-o", help="Scored file (.csv or .parquet).")]


@app.command()
def score(
    input_path: InputOpt,
    output: OutputOpt,
    errors: Annotated[Path | None, typer.Option(help="Rejected rows [<output>.errors.*].")] = None,
    model: Annotated[Path | None, typer.Option(help="Model artefact [settings].")] = None,
    chunk_rows: Annotated[int, typer.Option(min=1, help="Rows per chunk.")] = 100_000,
    engine: Annotated[str, typer.Option(help="'pandas' (chunked, in-process) or 'dask'.")] = "pandas",
    scheduler: Annotated[str | None, typer.Option(help="Dask scheduler [local 2 workers].")] = None,
    carry_inputs: Annotated[bool, typer.Option(help="Keep sex/age/dates for reports.")] = False,
) -> None:
    """Validate and score a cohort; invalid rows go to the errors file.

    With ``--engine dask``, ``--input`` may be a glob ('cohort/*.parquet') and ``--output``
    is a directory of Parquet parts; the same vectorised scoring runs on each partition.
    """
    if engine == "dask":
        cli_analyst.score_with_dask(str(input_path), output, model, scheduler, carry_inputs)
        return
    if engine != "pandas":
        error_console.print(f"[red]error:[/red] --engine must be 'pandas' or 'dask', not {engine!r}")
        raise typer.Exit(USER_ERROR)
    settings = get_settings()
    errors = errors or errors_path_for(output)
    with user_errors(MAX_EXIT):
        assessor = Assessor.load(model or settings.model_path, settings.rule_config())
        with _progress(console.is_terminal) as on_chunk:
            summary = score_file_chunked(
                input_path,
                output,
                assessor,
                chunk_rows,
                errors=errors,
                carry_inputs=carry_inputs,
                on_chunk=on_chunk,
            )
    _print_summary(summary, output, errors)
    raise typer.Exit(min(summary.failed, MAX_EXIT))


def _print_summary(summary: ScaleSummary, output: Path, errors: Path) -> None:
    colour = "green" if summary.failed == 0 else "yellow"
    console.print(
        f"[{colour}]scored {summary.scored} rows → {output}; {summary.failed} rejected → {errors}[/{colour}]",
        highlight=False,
        soft_wrap=True,
    )


@app.command()
def synth(
    output: OutputOpt,
    n: Annotated[int, typer.Option("--n", min=1, help="Number of patients.")] = 5000,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 7,
) -> None:
    """Write a synthetic cohort with outcome columns."""
    with user_errors():
        cli_model.synth(n, seed, output, console)


@app.command()
def train(
    cohort: Annotated[Path, typer.Option(help="Training cohort with §3 outcome columns.")],
    output: Annotated[Path, typer.Option(help="Model artefact to write.")] = Path("models/refracture.json"),
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    version: Annotated[str, typer.Option(help="Model version to record.")] = "1.0.0",
) -> None:
    """Train the re-fracture model and write its artefact."""
    with user_errors():
        cli_model.train(cohort, output, seed, version, console)


@app.command()
def validate(
    cohort: Annotated[Path, typer.Option(help="Cohort with §3 outcome columns.")],
    model: Annotated[Path, typer.Option(help="Model artefact.")],
    plot: Annotated[Path | None, typer.Option(help="Write a calibration plot (.png).")] = None,
) -> None:
    """Validate a model artefact on another cohort."""
    with user_errors():
        cli_model.validate(cohort, model, plot, console)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
) -> None:
    """Run the HTTP API with uvicorn."""
    uvicorn.run("api.main:app", host=host, port=port)


def main() -> None:
    """Console-script entry point."""
    app()
