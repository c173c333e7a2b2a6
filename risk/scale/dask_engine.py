"""Score cohort files on a Dask cluster: ``map_partitions`` over the in-process ``score_chunk``.

Each partition writes its own Parquet part (``part-00000.parquet`` …) and rejected rows
to ``errors/``; the graph returns only per-partition counts, so nothing large travels
back to the client. Partition lengths are counted first so rejected rows keep their
1-based row numbers in the whole input, as in the chunked path. The parts are written to
a staging folder that replaces the output folder only when every partition is done: a
run never leaves an earlier run's parts beside its own, nor half of its own.
"""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import dask
import dask.dataframe as dd
import pandas as pd
from distributed import Client

from risk.assess import Assessor
from risk.cohort import write_table
from risk.cohort.io import check_csv_header
from risk.errors import InvalidCohort, InvalidInput
from risk.scale.chunk import score_chunk
from risk.scale.chunked import ScaleSummary
from risk.scale.memory import PeakRss
from risk.whole_file import folder_lock, partial_path, publish_folder

PART = "part-{:05d}.parquet"
PART_NAME = re.compile(r"part-\d{5}\.parquet")
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
        for path in paths:
            check_csv_header(Path(path))
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


def _parts_only(entries: Iterable[Path]) -> bool:
    """Whether every entry is a part file."""
    return all(entry.is_file() and PART_NAME.fullmatch(entry.name) for entry in entries)


def _earlier_output(folder: Path) -> bool:
    """Whether ``folder`` holds nothing but an earlier run's parts and its ``errors`` folder of parts."""
    errors = folder / "errors"
    rest = [entry for entry in folder.iterdir() if entry != errors]
    return _parts_only(rest) and (not errors.exists() or (errors.is_dir() and _parts_only(errors.iterdir())))


def _staging_folder(output_dir: Path) -> Path:
    """An empty staging folder beside ``output_dir``, which must be new, empty or an earlier run's output."""
    if output_dir.exists() and not (output_dir.is_dir() and _earlier_output(output_dir)):
        raise InvalidInput(
            f"{output_dir} holds files that are not an earlier run's parts; give a new or empty folder"
        )
    staging = partial_path(output_dir)
    shutil.rmtree(staging, ignore_errors=True)  # left by a run that was killed
    (staging / "errors").mkdir(parents=True)
    return staging


def _score_into(
    folder: Path, input_glob: str, assessor: Assessor, client: Client | None, *, carry_inputs: bool
) -> pd.DataFrame:
    """Score every partition into ``folder``; the per-partition counts."""
    with dask.config.set({"dataframe.convert-string": False}):
        ddf = read_partitions(input_glob)
        offsets = _offsets(ddf, client)
        summary = ddf.map_partitions(  # type: ignore[no-untyped-call]
            _score_partition, assessor, offsets, str(folder), carry_inputs=carry_inputs, meta=SUMMARY_META
        )
        counts: pd.DataFrame = client.compute(summary).result() if client else summary.compute()  # type: ignore[no-untyped-call]
    return counts


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
    with folder_lock(output_dir):  # one run at a time stages and publishes this folder
        staging = _staging_folder(output_dir)
        try:
            with PeakRss() as peak:
                counts = _score_into(staging, input_glob, assessor, client, carry_inputs=carry_inputs)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        publish_folder(staging, output_dir)
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
