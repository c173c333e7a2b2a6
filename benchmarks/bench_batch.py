"""A million rows: file reading, validation, rules + model, and file → file, beside a bare numpy predictor.

Run: uv run python benchmarks/bench_batch.py [--rows 1000000] [--synth 100000] [--end-to-end]
The synthetic cohort is tiled to --rows (synthesising a million patients is itself slow).
With --end-to-end, ``score_file_chunked`` (what ``osteoref score`` runs) scores the CSV and
a Parquet copy file → file in a child process, which reports its own peak RSS
(``VmHWM`` from /proc, model loading included); above 2M rows only those are run.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from api.settings import DEFAULT_MODEL_PATH
from risk.assess import Assessor
from risk.cohort import read_cohort_chunks, validate_frame, write_table
from risk.rules.config import RuleConfig
from risk.synth import synthesize, write_csv

# Stage-by-stage timings only up to this size: above it the whole frame does not fit comfortably.
STAGED_MAX_ROWS = 2_000_000

CHILD = """
import os, sys, time
# One core, as the target says: Arrow's and BLAS's threads share it rather than a second CPU.
os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
from pathlib import Path
from api.settings import DEFAULT_MODEL_PATH
from risk.assess import Assessor
from risk.rules.config import RuleConfig
from risk.scale import score_file_chunked
assessor = Assessor.load(DEFAULT_MODEL_PATH, RuleConfig())
started = time.perf_counter()
summary = score_file_chunked(Path(sys.argv[1]), Path(sys.argv[2]), assessor, carry_inputs=True)
seconds = time.perf_counter() - started
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the forking parent across exec.
peak_kib = next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(seconds, summary.scored, summary.failed, peak_kib)
"""


def _timed(label: str, rows: int, started: float) -> float:
    seconds = time.perf_counter() - started
    print(f"{label:<48} {seconds:7.2f} s  {rows / seconds:12,.0f} rows/s")
    return seconds


def base_cohort(rows: int, synth_rows: int) -> pd.DataFrame:
    """The synthetic cohort that is repeated to make the benchmark input."""
    return synthesize(min(rows, synth_rows), seed=1).cohort


def build_csv(base: pd.DataFrame, rows: int, path: Path) -> None:
    """A cohort CSV of ``rows`` rows: the base cohort's CSV body repeated (bytes, no frame)."""
    write_csv(base, path)
    header, body = path.read_bytes().split(b"\n", 1)
    lines = body.splitlines(keepends=True)
    whole, rest = divmod(rows, len(lines))
    with path.open("wb") as handle:
        handle.write(header + b"\n")
        for _ in range(whole):
            handle.write(body)
        handle.writelines(lines[:rest])


def build_parquet(base: pd.DataFrame, rows: int, path: Path) -> None:
    """The same cohort as Parquet (typed columns), written block by block."""
    table = pa.Table.from_pandas(base, preserve_index=False)
    with pq.ParquetWriter(path, table.schema) as writer:
        left = rows
        while left > 0:
            writer.write_table(table.slice(0, min(left, len(table))))
            left -= len(table)


def staged(path: Path, rows: int) -> float:
    """Read, validate, assess_frame and CSV writing timed apart; the assess_frame seconds."""
    assessor = Assessor.load(DEFAULT_MODEL_PATH, RuleConfig())
    started = time.perf_counter()
    chunks = list(read_cohort_chunks(path))
    _timed("read CSV (100k-row chunks)", rows, started)
    started = time.perf_counter()
    first, checked = 1, []
    for raw in chunks:
        checked.append(validate_frame(raw, first))
        first += len(raw)
    _timed("validate + normalise (+ facts, cross-field)", rows, started)
    # Chunk by chunk with validation's facts, as ``osteoref score`` runs it.
    started = time.perf_counter()
    flat = pd.concat([assessor.assess_frame(chunk.valid, chunk.facts) for chunk in checked])
    scoring = _timed("assess_frame (rules + model + flatten)", len(flat), started)
    started = time.perf_counter()
    write_table(flat, path.with_name("staged.csv"))
    _timed("write scored CSV (TableWriter)", len(flat), started)
    return scoring


def bare_numpy(rows: int, terms: int = 18) -> float:
    """The baseline: a bare linear-logistic predictor over ``rows`` rows."""
    design = np.random.default_rng(0).normal(size=(rows, terms))
    weights = np.linspace(-0.5, 0.5, terms)
    started = time.perf_counter()
    1.0 / (1.0 + np.exp(-(design @ weights - 1.0)))
    return _timed(f"bare numpy expit(X @ w + b), {terms} terms", rows, started)


def _child_run(source: Path) -> tuple[float, float]:
    """One file → file run in a fresh process pinned to one core: (seconds, peak RSS in MiB)."""
    output = source.with_name(f"scored{source.suffix}")
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(source), str(output)], check=True, capture_output=True, text=True
    )
    seconds_text, _, _, peak_kib = done.stdout.split()
    return float(seconds_text), int(peak_kib) / 1024


def end_to_end(source: Path, rows: int, repeats: int = 1) -> tuple[float, float]:
    """File → file, best of ``repeats`` runs (the median beside it): (best seconds, its peak RSS)."""
    runs = sorted(_child_run(source) for _ in range(repeats))
    seconds, peak_mib = runs[0]
    label = f"file → file {source.suffix[1:]}, one core"
    spread = f"  (median {rows / runs[len(runs) // 2][0]:,.0f} of {repeats})" if repeats > 1 else ""
    print(
        f"{label:<48} {seconds:7.2f} s  {rows / seconds:12,.0f} rows/s  peak RSS {peak_mib:,.0f} MiB{spread}"
    )
    return seconds, peak_mib


def main() -> None:
    """Print rows/s of each stage, the end-to-end figures and their ratios to bare numpy."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--synth", type=int, default=100_000)
    parser.add_argument("--end-to-end", action="store_true", help="also score file → file (CSV, Parquet)")
    parser.add_argument("--repeats", type=int, default=1, help="end-to-end runs per format (best and median)")
    args = parser.parse_args()
    base = base_cohort(args.rows, args.synth)
    with tempfile.TemporaryDirectory() as tmp:
        csv_path, parquet_path = Path(tmp) / "cohort.csv", Path(tmp) / "cohort.parquet"
        build_csv(base, args.rows, csv_path)
        scoring = staged(csv_path, args.rows) if args.rows <= STAGED_MAX_ROWS else None
        bare = bare_numpy(min(args.rows, STAGED_MAX_ROWS))
        if scoring is not None:
            print(f"assess_frame / bare numpy = ×{scoring / bare:,.0f}")
        if args.end_to_end:
            scale = args.rows / min(args.rows, STAGED_MAX_ROWS)
            build_parquet(base, args.rows, parquet_path)
            for source in (csv_path, parquet_path):
                seconds, _ = end_to_end(source, args.rows, args.repeats)
                kind = source.suffix[1:]
                print(f"  {kind} file → file / bare numpy = ×{seconds / (bare * scale):,.0f}")
                if scoring is not None:
                    print(f"  {kind} file → file / assess_frame = ×{seconds / scoring:.2f}")


if __name__ == "__main__":
    main()
