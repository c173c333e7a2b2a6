"""`osteoref synth | train | validate`: the synthetic cohort and the model's life cycle."""

from __future__ import annotations

import hashlib
from pathlib import Path

from rich.console import Console

from risk.cohort import read_training_cohort, table_format, write_table
from risk.model import (
    RefractureModel,
    save_artefact,
    train_from_frame,
    validate_model,
    write_calibration_plot,
)
from risk.synth import synthesize, write_csv


def synth(n: int, seed: int, output: Path, console: Console) -> None:
    """Write a deterministic synthetic cohort (with §3 outcome columns)."""
    cohort = synthesize(n, seed).cohort
    if table_format(output) == "csv":
        write_csv(cohort, output)
    else:
        write_table(cohort, output)
    console.print(f"wrote {n} synthetic patients (seed {seed}) to {output}")


def train(cohort: Path, output: Path, seed: int, version: str, console: Console) -> None:
    """Develop, temporally validate and refit the model; write the JSON artefact."""
    frame = read_training_cohort(cohort)
    digest = hashlib.sha256(cohort.read_bytes()).hexdigest()  # as risk.model.ship records it
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
