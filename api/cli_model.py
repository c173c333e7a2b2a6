"""`osteoref synth | train | validate`: the synthetic cohort and the model's life cycle."""

from __future__ import annotations

import hashlib
from pathlib import Path

from rich.console import Console

from risk.cohort import read_training_cohort, table_format, write_table
from risk.errors import FieldError, InvalidInput
from risk.model.artefact import save_artefact
from risk.model.develop import train_from_frame
from risk.model.plots import write_calibration_plot
from risk.model.scorer import RefractureModel
from risk.model.validation import validate_model
from risk.synth import synthesize, write_csv
from risk.synth.export import with_demo_pcp


def synth(n: int, seed: int, output: Path, console: Console, *, demo_pcp: bool = False) -> None:
    """Write a deterministic synthetic cohort (with §3 outcome columns, and §4 demo PCP columns)."""
    cohort = synthesize(n, seed).cohort
    if demo_pcp:
        cohort = with_demo_pcp(cohort)
    if table_format(output) == "csv":
        write_csv(cohort, output)
    else:
        write_table(cohort, output)
    extra = " with demonstration PCP columns" if demo_pcp else ""
    console.print(f"wrote {n} synthetic patients (seed {seed}){extra} to {output}")


def train(
    cohort: Path, output: Path, seed: int, version: str, console: Console, *, force: bool = False
) -> None:
    """Develop, temporally validate and refit the model; write the JSON artefact (never over one unasked)."""
    if output.exists() and not force:
        raise InvalidInput(
            f"{output} exists (models/refracture.json is the shipped model); write elsewhere, "
            "or pass --force to replace it",
            [FieldError("output", str(output), "must not exist without --force")],
        )
    frame = read_training_cohort(cohort)
    # The artefact records the training file's own SHA-256 (as `sha256sum` prints it, and as
    # risk.model.ship records it), not a hash of the parsed frame.
    digest = hashlib.sha256(cohort.read_bytes()).hexdigest()
    artefact = train_from_frame(frame, model_version=version, seed=seed, data_sha256=digest)
    output.parent.mkdir(parents=True, exist_ok=True)
    save_artefact(artefact, output)
    if artefact.validation is not None:
        console.print(str(artefact.validation))
    console.print(f"trained on {len(frame)} patients; model written to {output}")


def validate(cohort: Path, model_path: Path, plot: Path | None, console: Console) -> None:
    """Validate a model artefact on a cohort with outcomes; optionally plot calibration."""
    model = RefractureModel.load(model_path)
    report = validate_model(model, read_training_cohort(cohort))
    console.print(str(report))
    if plot is not None:
        write_calibration_plot(report, plot)
        console.print(f"calibration plot written to {plot}")
