"""A million rows: file reading, validation, then rules + model, beside a bare numpy predictor.

Run: uv run python benchmarks/bench_batch.py [--rows 1000000] [--synth 100000]
The synthetic cohort is tiled to --rows (synthesising a million patients is itself slow).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.special import expit

from api.settings import DEFAULT_MODEL_PATH
from risk.assess import Assessor
from risk.cohort import read_cohort_chunks, validate_frame
from risk.rules.config import RuleConfig
from risk.synth import synthesize, write_csv


def _timed(label: str, rows: int, started: float) -> float:
    seconds = time.perf_counter() - started
    print(f"{label:<44} {seconds:7.2f} s  {rows / seconds:12,.0f} rows/s")
    return seconds


def build_csv(rows: int, synth_rows: int, path: Path) -> None:
    """A cohort CSV of ``rows`` rows (a synthetic cohort repeated)."""
    base = synthesize(min(rows, synth_rows), seed=1).cohort
    tiled = pd.concat([base] * -(-rows // len(base)), ignore_index=True).head(rows)
    write_csv(tiled, path)


def read_and_validate(path: Path, rows: int) -> pd.DataFrame:
    """Read (timed alone), then validate (timed alone); the normalised valid frame."""
    started = time.perf_counter()
    chunks = list(read_cohort_chunks(path))
    _timed("read CSV (strings, 100k-row chunks)", rows, started)
    started = time.perf_counter()
    first, valid = 1, []
    for raw in chunks:
        valid.append(validate_frame(raw, first).valid)
        first += len(raw)
    _timed("validate + normalise", rows, started)
    return pd.concat(valid)


def main() -> None:
    """Print rows/s of each stage and the scoring/bare-numpy ratio."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--synth", type=int, default=100_000)
    args = parser.parse_args()
    assessor = Assessor.load(DEFAULT_MODEL_PATH, RuleConfig())
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cohort.csv"
        build_csv(args.rows, args.synth, path)
        frame = read_and_validate(path, args.rows).reset_index(drop=True)
    started = time.perf_counter()
    flat = assessor.assess_frame(frame)
    scoring = _timed("assess_frame (facts + rules + model + flatten)", len(flat), started)
    terms = len(assessor.model.artefact.horizon(12).coefficients)
    design = np.random.default_rng(0).normal(size=(len(frame), terms))
    weights = np.linspace(-0.5, 0.5, terms)
    started = time.perf_counter()
    expit(design @ weights - 1.0)
    bare = _timed(f"bare numpy expit(X @ w + b), {terms} terms", len(frame), started)
    print(f"assess_frame / bare numpy = ×{scoring / bare:,.0f}")


if __name__ == "__main__":
    main()
