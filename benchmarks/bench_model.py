"""Scoring speed of the hand scorer beside bare-logistic baselines measured in the same run."""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from risk.facts import facts_from_frame
from risk.model.features import COLUMN_NAMES
from risk.model.scorer import RefractureModel
from risk.synth import synthesize

ARTEFACT = Path(__file__).resolve().parents[1] / "models" / "refracture.json"
CALLS, REPEATS, BATCH_ROWS = 20_000, 5, 1_000_000


def per_call_us(fn: Callable[[], object]) -> float:
    """Median over repeats of the mean µs per call."""
    fn()
    runs = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        for _ in range(CALLS):
            fn()
        runs.append((time.perf_counter() - start) / CALLS * 1e6)
    return statistics.median(runs)


def rows_per_s(fn: Callable[[], object], rows: int) -> float:
    """Best of three runs, rows per second."""
    times = []
    for _ in range(3):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return rows / min(times)


def main() -> None:
    model = RefractureModel.load(ARTEFACT)
    cohort = synthesize(1000, 1).cohort
    facts = facts_from_frame(cohort)
    one = {k: (v[0].item() if hasattr(v[0], "item") else v[0]) for k, v in facts.items()}
    p = len(COLUMN_NAMES)
    w, x, b = [0.1] * p, [0.5] * p, -2.0
    ours = per_call_us(lambda: model.predict(one))
    bare = per_call_us(lambda: 1 / (1 + math.exp(-(sum(wi * xi for wi, xi in zip(w, x, strict=True)) + b))))
    print(
        f"per record: predict {ours:.1f} µs | bare math.exp LR ({p} features) {bare:.2f} µs"
        f" | ratio {ours / bare:.0f}×"
    )

    big = {k: np.resize(v, BATCH_ROWS) for k, v in facts.items()}
    xs, wv = np.random.default_rng(0).normal(size=(BATCH_ROWS, p)), np.full(p, 0.1)
    batch = rows_per_s(lambda: model.predict_batch(big), BATCH_ROWS)
    numpy_lr = rows_per_s(lambda: xs @ wv + b, BATCH_ROWS)
    print(
        f"batch {BATCH_ROWS:,} rows: predict_batch {batch / 1e6:.2f} M rows/s"
        f" | bare numpy x @ w + b {numpy_lr / 1e6:.1f} M rows/s | ratio {numpy_lr / batch:.0f}×"
    )


if __name__ == "__main__":
    main()
