"""Throughput and peak memory of chunked in-process scoring vs Dask on a 2-worker local cluster.

    uv run python benchmarks/bench_scale.py --rows 1000000 10000000   # minutes for 10M
    uv run python benchmarks/bench_scale.py --rows 200000             # quick look

Input: a synthetic cohort tiled to N rows (new patient ids), written once as one Parquet
file (chunked engine) and as Parquet parts of ``--part-rows`` (Dask). Peak RSS is the
sampled resident memory of the process tree (client + scheduler + workers for Dask).
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from distributed import Client, LocalCluster

from api.settings import DEFAULT_MODEL_PATH
from risk.assess import Assessor
from risk.scale import ScaleSummary, score_file_chunked
from risk.scale.dask_engine import score_dask
from risk.synth import synthesize

BASE_ROWS = 50_000


def write_inputs(rows: int, folder: Path, part_rows: int) -> Path:
    """One Parquet file of ``rows`` rows plus parts under ``folder/parts``; returns the file."""
    base = synthesize(BASE_ROWS, 1).cohort
    (folder / "parts").mkdir(parents=True, exist_ok=True)
    single = folder / "cohort.parquet"
    writer: pq.ParquetWriter | None = None
    for start in range(0, rows, part_rows):
        n = min(part_rows, rows - start)
        part = base.iloc[np.arange(start, start + n) % BASE_ROWS].reset_index(drop=True)
        part["patient_id"] = [f"B-{i:09d}" for i in range(start, start + n)]
        table = pa.Table.from_pandas(part, preserve_index=False)
        writer = writer or pq.ParquetWriter(single, table.schema)
        writer.write_table(table)
        pq.write_table(table, folder / "parts" / f"part-{start // part_rows:05d}.parquet")
    if writer is not None:
        writer.close()
    return single


def run(rows: int, part_rows: int, chunk_rows: int) -> list[tuple[str, ScaleSummary]]:
    """Both engines on one input size."""
    assessor = Assessor.load(DEFAULT_MODEL_PATH)
    folder = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    try:
        single = write_inputs(rows, folder, part_rows)
        chunked = score_file_chunked(single, folder / "scored.parquet", assessor, chunk_rows)
        with (
            LocalCluster(
                n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
            ) as cluster,  # type: ignore[no-untyped-call]
            Client(cluster) as client,  # type: ignore[no-untyped-call]
        ):
            dask = score_dask(str(folder / "parts" / "*.parquet"), folder / "dask", assessor, client=client)
        return [("in-process, chunked", chunked), ("Dask, 2 worker processes", dask)]
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def table(rows: int, results: list[tuple[str, ScaleSummary]]) -> pd.DataFrame:
    """Side by side, the chunked in-process run as the baseline (speed-up 1.0)."""
    baseline = results[0][1].rows_per_second
    return pd.DataFrame(
        [
            {
                "rows": rows,
                "engine": name,
                "seconds": round(s.seconds, 1),
                "rows/s": round(s.rows_per_second),
                "vs baseline": round(s.rows_per_second / baseline, 2),
                "peak RSS (MiB)": round(s.peak_rss_mib),
            }
            for name, s in results
        ]
    )


def main() -> None:
    """Parse options and print one table per size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--part-rows", type=int, default=250_000, help="rows per Dask input part")
    parser.add_argument("--chunk-rows", type=int, default=100_000, help="rows per in-process chunk")
    options = parser.parse_args()
    for rows in options.rows:
        print(table(rows, run(rows, options.part_rows, options.chunk_rows)).to_string(index=False))
        print()


if __name__ == "__main__":
    main()
