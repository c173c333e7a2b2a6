"""Analyst commands for ``osteoref``: cohort report, Dask scoring, site recalibration.

Plain functions with typer annotations; ``api.cli`` registers them (see docs/analysts.md).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from api import cli_exit
from risk.errors import OsteorefError, RecalibrationRefused

# The commands import what they run inside their bodies, so each one's `--help` loads
# neither pandas, Dask, scikit-learn nor WeasyPrint (tests/api/test_cli_startup.py).
if TYPE_CHECKING:
    from risk.model.artefact import Recalibration
    from risk.scale.recalibrate import Method, RecalibrationResult

# The default of --holdout-fraction: risk.scale.recalibrate.HOLDOUT_FRACTION, written out
# here so the option's help needs no import of the fitting code (a test pins the two equal).
HOLDOUT_FRACTION = 0.3

console = Console(soft_wrap=True)  # never hard-wrap at 80 columns into a pipe or a file
error_console = Console(stderr=True, soft_wrap=True)
USER_ERROR = cli_exit.USAGE


def _fail(exc: OsteorefError, status: int = USER_ERROR) -> typer.Exit:
    error_console.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
    return typer.Exit(status)


def report(
    cohort: Annotated[Path, typer.Option(help="Scored cohort (.csv or .parquet).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="HTML report; JSON goes beside it.")],
    referrals_from_db: Annotated[
        bool,
        typer.Option(
            "--referrals-from-db",
            help="Add the referral funnel and loop KPIs from settings.database_url (PCP answers feed KPIs).",
        ),
    ] = False,
    resamples: Annotated[int, typer.Option(min=0, help="Bootstrap resamples for intervals.")] = 200,
    model: Annotated[
        Path | None,
        typer.Option(help="Artefact that scored the cohort (spots its training data) [settings]."),
    ] = None,
) -> None:
    """Write a self-contained HTML cohort report (FLS KPIs, profile, site performance) and JSON."""
    from api.analytics import funnel_from_database, loop_from_database  # noqa: PLC0415 (only when run)
    from api.settings import get_settings  # noqa: PLC0415 (only when run)
    from reports.cohort.build import report_from_file  # noqa: PLC0415 (only when run)
    from risk.model.artefact import load_artefact  # noqa: PLC0415 (only when run)

    try:
        url = get_settings().database_url
        funnel = funnel_from_database(url) if referrals_from_db else None
        tables = loop_from_database(url) if referrals_from_db else None
        artefact = load_artefact(model or get_settings().model_path)
        written = report_from_file(
            cohort, output, funnel=funnel, resamples=resamples, artefact=artefact,
            loop=tables.kpis(dt.datetime.now(dt.UTC)) if tables else None,
            treatment_starts=tables.treatment_starts() if tables else None,
        )  # fmt: skip
    except OsteorefError as exc:
        raise _fail(exc) from None
    console.print(f"[green]report → {written.html}; numbers → {written.json}[/green]", highlight=False)


def score_with_dask(
    input_glob: str,
    output_dir: Path,
    model: Path | None = None,
    scheduler: str | None = None,
    carry_inputs: bool = False,
) -> None:
    """The ``--engine dask`` branch of ``osteoref score``: Parquet parts under ``output_dir``.

    ``scheduler`` is a Dask scheduler address (tcp://host:8786); without one a local
    cluster of 2 single-threaded worker processes is started for the run.
    """
    from distributed import Client, LocalCluster  # noqa: PLC0415 (only the Dask engine needs it)

    from api.settings import get_settings  # noqa: PLC0415 (only when run)
    from risk.assess import Assessor  # noqa: PLC0415 (only when run)
    from risk.scale.dask_engine import score_dask  # noqa: PLC0415 (only when run)

    settings = get_settings()
    try:
        assessor = Assessor.load(model or settings.model_path, settings.rule_config())
        if scheduler:
            with Client(scheduler) as client:  # type: ignore[no-untyped-call]
                summary = score_dask(
                    input_glob, output_dir, assessor, client=client, carry_inputs=carry_inputs
                )
        else:
            with (
                LocalCluster(n_workers=2, threads_per_worker=1) as cluster,  # type: ignore[no-untyped-call]
                Client(cluster) as client,  # type: ignore[no-untyped-call]
            ):
                summary = score_dask(
                    input_glob, output_dir, assessor, client=client, carry_inputs=carry_inputs
                )
    except OsteorefError as exc:
        raise _fail(exc) from None
    console.print(
        f"scored {summary.scored} rows → {output_dir}/part-*.parquet; {summary.failed} rejected → "
        f"{output_dir}/errors/; {summary.rows_per_second:,.0f} rows/s",
        highlight=False,
    )
    raise typer.Exit(cli_exit.for_failed_rows(summary.failed))


def recalibrate(
    cohort: Annotated[Path, typer.Option(help="Site cohort with §3 outcome columns.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Recalibrated model artefact (.json).")],
    *,
    site: Annotated[str, typer.Option(help="Site label, recorded in the model version.")],
    model: Annotated[
        Path | None, typer.Option(help="Model artefact to recalibrate (default: OSTEOREF_MODEL_PATH).")
    ] = None,
    method: Annotated[str, typer.Option(help="'logistic' (intercept + slope) or 'intercept'.")] = "logistic",
    holdout_fraction: Annotated[
        float, typer.Option(min=0.05, max=0.95, help="Share of patients held out to check the fit.")
    ] = HOLDOUT_FRACTION,
    seed: Annotated[int, typer.Option(help="Seed of the fit / held-out split.")] = 0,
    resamples: Annotated[int, typer.Option(min=0, help="Bootstrap resamples of the validation.")] = 200,
    force: Annotated[
        bool, typer.Option(help="Write even if worse calibrated on the held-out part (recorded).")
    ] = False,
) -> None:
    """Refit intercept/slope on part of a site's cohort, check on the rest, write a new artefact."""
    if method not in ("logistic", "intercept"):
        raise typer.BadParameter("method must be 'logistic' or 'intercept'", param_hint="--method")
    from api.settings import get_settings  # noqa: PLC0415 (only when run)
    from risk.cohort import read_training_cohort  # noqa: PLC0415 (only when run)
    from risk.model.artefact import save_artefact  # noqa: PLC0415 (only when run)
    from risk.model.scorer import RefractureModel  # noqa: PLC0415 (only when run)
    from risk.scale.recalibrate import recalibrate as recalibrate_model  # noqa: PLC0415 (only when run)

    chosen: Method = "logistic" if method == "logistic" else "intercept"
    try:
        base = RefractureModel.load(model or get_settings().model_path)
        frame = read_training_cohort(cohort)
        result = recalibrate_model(
            base, frame, site, method=chosen, holdout_fraction=holdout_fraction, resamples=resamples,
            seed=seed, force=force,
        )  # fmt: skip
        save_artefact(result.artefact, output)
    except RecalibrationRefused as refused:
        if refused.check is not None:
            _print_held_out(refused.check)
        raise _fail(refused, cli_exit.REFUSED) from None
    except OsteorefError as exc:
        raise _fail(exc) from None
    _print_check(result)
    console.print(f"[green]{result.artefact.model_version} → {output}[/green]", highlight=False)


def _print_check(result: RecalibrationResult) -> None:
    for update in result.updates:
        console.print(
            f"{update.months} months: a = {update.intercept:+.3f}, b = {update.slope:.3f} "
            f"(fitted on {result.check.fit_rows} patients, {update.events} events)",
            highlight=False,
        )
    _print_held_out(result.check)


def _print_held_out(check: Recalibration) -> None:
    """Before → after on the held-out patients: printed whether the candidate is written or refused."""
    console.print(f"held-out check on {check.holdout_rows} patients not used for the fit:", highlight=False)
    for before, after in zip(check.before, check.after, strict=True):
        console.print(
            f"  {before.months} mo  O/E {before.o_e} → {after.o_e}  slope {before.calibration_slope} → "
            f"{after.calibration_slope}  intercept {before.calibration_intercept} → "
            f"{after.calibration_intercept}",
            highlight=False,
        )
    if check.forced:
        console.print("[yellow]worse than the base model on the held-out part; written because of --force "
                      "(recorded in the artefact)[/yellow]", highlight=False)  # fmt: skip
