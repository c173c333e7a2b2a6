"""Score cohort files on a Dask cluster: ``map_partitions`` over the in-process ``score_chunk``.

Each partition writes its own Parquet part (``part-00000.parquet`` …) and rejected rows
to ``errors/``; the graph returns only per-partition counts, so nothing large travels
back to the client. Partition lengths are counted first so rejected rows keep their
1-based row numbers in the whole input, as in the chunked path.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import dask
import dask.dataframe as dd
import pandas as pd
from distributed import Client

from risk.assess import Assessor
from risk.cohort import write_table
from risk.errors import InvalidCohort
from risk.scale.chunk import score_chunk
from risk.scale.chunked import ScaleSummary
from risk.scale.memory import PeakRss

PART = "part-{:05d}.parquet"
SUMMARY_META = pd.DataFrame({"scored": pd.Series(dtype="int64"), "failed": pd.Series(dtype="int64")})


def read_partitions(input_glob: str) -> dd.DataFrame:
    """Raw partitions of the matching files: Parquet typed, CSV as strings (like the chunked reader)."""
    pattern = Path(input_glob)
    paths = sorted(str(p) for p in pattern.parent.glob(pattern.name))
    if not paths:
        raise InvalidCohort(f"{input_glob}: no file matches")
    suffixes = {Path(p).suffix.lower() for p in paths}
    if suffixes == {".parquet"}:
        frame: dd.DataFrame = dd.read_parquet(paths)
        return frame
    if suffixes == {".csv"}:
        text: dd.DataFrame = dd.read_csv(paths, dtype=str, keep_default_na=False, encoding="utf-8")
        return text
    raise InvalidCohort(f"{input_glob}: mixes or uses unsupported file types {sorted(suffixes)}")


def _score_partition(
    raw: pd.DataFrame,
    assessor: Assessor,
    offsets: list[int],
    output_dir: str,
    *,
    carry_inputs: bool,
    partition_info: dict[str, Any] | None = None,
) -> pd.DataFrame:
    number = 0 if partition_info is None else int(partition_info["number"])
    chunk = score_chunk(raw, assessor, offsets[number] + 1, carry_inputs=carry_inputs)
    write_table(chunk.scored, Path(output_dir) / PART.format(number))
    write_table(chunk.errors, Path(output_dir) / "errors" / PART.format(number))
    return pd.DataFrame({"scored": [len(chunk.scored)], "failed": [int(chunk.errors["row"].nunique())]})


def _offsets(ddf: dd.DataFrame, client: Client | None) -> list[int]:
    lengths = ddf.map_partitions(len)  # type: ignore[no-untyped-call]
    counts = client.compute(lengths).result() if client else lengths.compute()  # type: ignore[no-untyped-call]
    starts = [0]
    for count in list(counts)[:-1]:
        starts.append(starts[-1] + int(count))
    return starts


def score_dask(
    input_glob: str,
    output_dir: Path,
    assessor: Assessor,
    *,
    client: Client | None = None,
    carry_inputs: bool = False,
) -> ScaleSummary:
    """Score every file matching ``input_glob`` into Parquet parts under ``output_dir``."""
    started = time.perf_counter()
    output_dir = Path(output_dir)
    (output_dir / "errors").mkdir(parents=True, exist_ok=True)
    with PeakRss() as peak, dask.config.set({"dataframe.convert-string": False}):
        ddf = read_partitions(input_glob)
        offsets = _offsets(ddf, client)
        summary = ddf.map_partitions(  # type: ignore[no-untyped-call]
            _score_partition, assessor, offsets, str(output_dir), carry_inputs=carry_inputs, meta=SUMMARY_META
        )
        counts = client.compute(summary).result() if client else summary.compute()  # type: ignore[no-untyped-call]
    return ScaleSummary(
        scored=int(counts["scored"].sum()),
        failed=int(counts["failed"].sum()),
        seconds=time.perf_counter() - started,
        peak_rss_mib=peak.peak_mib,
    )


def read_parts(output_dir: Path, *, errors: bool = False) -> pd.DataFrame:
    """The scored (or rejected) rows of a ``score_dask`` output directory, in input order."""
    folder = Path(output_dir) / "errors" if errors else Path(output_dir)
    parts = [pd.read_parquet(p) for p in sorted(folder.glob("part-*.parquet"))]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
