"""Rebuild the shipped artefact from the shipped sample cohort: ``uv run python -m risk.model.ship``."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import pandas as pd

from risk.cohort.training import read_training_cohort
from risk.model.artefact import save_artefact
from risk.model.develop import train_from_frame
from risk.model.plots import write_calibration_plot
from risk.synth import synthesize

SAMPLE = Path("data/sample/cohort.csv")
ARTEFACT = Path("models/refracture.json")
PLOT = Path("models/refracture-calibration.png")
VERSION = "1.0.0"


def sample_cohort() -> tuple[pd.DataFrame, str | None]:
    """The sample cohort via the cohort reader, or the identical synthetic draw if not shipped."""
    if SAMPLE.exists():
        digest = hashlib.sha256(SAMPLE.read_bytes()).hexdigest()
        return read_training_cohort(SAMPLE), digest
    return synthesize(5000, 7).cohort, None


def main() -> None:
    """Train, validate, write the artefact and its calibration plot."""
    frame, digest = sample_cohort()
    artefact = train_from_frame(frame, model_version=VERSION, data_sha256=digest)
    save_artefact(artefact, ARTEFACT)
    if artefact.validation is not None:
        write_calibration_plot(artefact.validation, PLOT)
        sys.stdout.write(f"{artefact.validation}\n")
    source = "sample CSV" if digest else "synthesize(5000, 7)"
    sys.stdout.write(f"wrote {ARTEFACT} and {PLOT} from the {source}\n")


if __name__ == "__main__":
    main()
