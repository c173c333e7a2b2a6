from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from distributed import Client, LocalCluster

from risk.assess import Assessor
from risk.cohort import write_table
from risk.errors import InvalidCohort
from risk.scale import score_file_chunked
from risk.scale.dask_engine import read_parts, score_dask

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    """Two single-threaded worker processes, as on a real cluster (pickling included)."""
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,  # type: ignore[no-untyped-call]
        Client(cluster) as dask_client,  # type: ignore[no-untyped-call]
    ):
        yield dask_client


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_dask_output_is_identical_to_in_process(
    client: Client, assessor: Assessor, cohort: pd.DataFrame, tmp_path: Path, suffix: str
) -> None:
    for i in range(3):
        write_table(cohort.iloc[i * 1000 : (i + 1) * 1000], tmp_path / f"cohort-{i}{suffix}")
    write_table(cohort, tmp_path / f"all{suffix}")
    # One 100k-row chunk in-process against three 1000-row partitions on the cluster.
    local = score_file_chunked(tmp_path / f"all{suffix}", tmp_path / "local.parquet", assessor)
    remote = score_dask(str(tmp_path / f"cohort-*{suffix}"), tmp_path / "scored", assessor, client=client)
    assert (remote.scored, remote.failed) == (local.scored, local.failed) == (2998, 2)
    pd.testing.assert_frame_equal(
        read_parts(tmp_path / "scored"), pd.read_parquet(tmp_path / "local.parquet"), check_exact=True
    )
    pd.testing.assert_frame_equal(
        read_parts(tmp_path / "scored", errors=True),
        pd.read_parquet(tmp_path / "local.errors.parquet"),
        check_exact=True,
    )


def test_no_matching_file_is_an_invalid_cohort(assessor: Assessor, tmp_path: Path) -> None:
    with pytest.raises(InvalidCohort, match="no file matches"):
        score_dask(str(tmp_path / "*.parquet"), tmp_path / "out", assessor)
