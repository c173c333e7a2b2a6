from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from distributed import Client, LocalCluster

from risk.assess import Assessor
from risk.cohort import write_table
from risk.errors import InvalidCohort, InvalidInput
from risk.scale import score_file_chunked
from risk.scale.dask_engine import read_parts, score_dask
from risk.whole_file import folder_lock, partial_path

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


def test_a_second_run_into_the_same_folder_leaves_none_of_the_first_runs_parts(
    assessor: Assessor, cohort: pd.DataFrame, tmp_path: Path
) -> None:
    """Three input files made part-00000..2; one file then overwrote only part-00000, and
    read_parts returned the new part beside two stale ones: patients scored twice or not now."""
    for i in range(3):
        write_table(cohort.iloc[i * 1000 : (i + 1) * 1000], tmp_path / f"cohort-{i}.parquet")
    score_dask(str(tmp_path / "cohort-*.parquet"), tmp_path / "scored", assessor)
    assert len(list((tmp_path / "scored").glob("part-*.parquet"))) == 3
    again = score_dask(str(tmp_path / "cohort-1.parquet"), tmp_path / "scored", assessor)
    assert sorted(p.name for p in (tmp_path / "scored").glob("part-*.parquet")) == ["part-00000.parquet"]
    assert len(read_parts(tmp_path / "scored")) == again.scored == 1000
    assert read_parts(tmp_path / "scored")["patient_id"].tolist() == cohort["patient_id"][1000:2000].tolist()
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_a_failed_run_keeps_the_earlier_output_and_leaves_no_staging(
    assessor: Assessor, cohort: pd.DataFrame, tmp_path: Path
) -> None:
    """The second run's first partition is scored before its second fails: once, its part
    replaced the earlier run's part-00000, a mixture of two runs."""
    write_table(cohort.head(500), tmp_path / "good.csv")
    score_dask(str(tmp_path / "good.csv"), tmp_path / "scored", assessor)
    earlier = read_parts(tmp_path / "scored")
    (tmp_path / "second").mkdir()
    # A bad FLS KPI cell stops the run (it is no contract field to reject the row for).
    write_table(cohort.iloc[500:1000].assign(fls_assessment_date=""), tmp_path / "second" / "a.csv")
    write_table(cohort.iloc[1000:1010].assign(fls_assessment_date="soon"), tmp_path / "second" / "b.csv")
    with pytest.raises(InvalidCohort, match="fls_assessment_date='soon'"):
        score_dask(str(tmp_path / "second" / "*.csv"), tmp_path / "scored", assessor)
    pd.testing.assert_frame_equal(read_parts(tmp_path / "scored"), earlier)
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_a_folder_holding_other_files_is_refused_and_left_alone(assessor: Assessor, tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "notes.txt").write_text("the analyst's own file")
    with pytest.raises(InvalidInput, match="holds files that are not an earlier run's parts"):
        score_dask(str(tmp_path / "*.parquet"), tmp_path / "out", assessor)
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["notes.txt"]


def test_a_whole_file_error_on_a_worker_reaches_the_client_as_itself(
    client: Client, assessor: Assessor, cohort: pd.DataFrame, tmp_path: Path
) -> None:
    """pandera's error rode along as the hidden context and could not be unpickled: the client
    got ``Exception: b'\\x80\\x05...'`` (cells included) instead of the one-line InvalidCohort."""
    write_table(cohort.head(10).assign(fls_assessment_date="soon"), tmp_path / "bad.csv")
    with pytest.raises(InvalidCohort, match="row 1 fls_assessment_date='soon'") as raised:
        score_dask(str(tmp_path / "bad.csv"), tmp_path / "scored", assessor, client=client)
    assert raised.value.__context__ is None


@pytest.mark.parametrize("folder", ["scored", "errors"])
def test_an_earlier_runs_folder_is_replaced_whatever_its_name(
    assessor: Assessor, cohort: pd.DataFrame, tmp_path: Path, folder: str
) -> None:
    """An output folder itself named 'errors' once had its own errors/ taken for a stranger."""
    write_table(cohort.head(20), tmp_path / "in.csv")
    score_dask(str(tmp_path / "in.csv"), tmp_path / folder, assessor)
    again = score_dask(str(tmp_path / "in.csv"), tmp_path / folder, assessor)
    assert len(read_parts(tmp_path / folder)) == again.scored > 0


def test_a_stranger_inside_errors_is_refused_too(assessor: Assessor, tmp_path: Path) -> None:
    (tmp_path / "out" / "errors").mkdir(parents=True)
    (tmp_path / "out" / "part-00000.parquet").write_bytes(b"")
    (tmp_path / "out" / "errors" / "notes.txt").write_text("mine")
    with pytest.raises(InvalidInput, match="holds files that are not an earlier run's parts"):
        score_dask(str(tmp_path / "*.parquet"), tmp_path / "out", assessor)
    assert (tmp_path / "out" / "errors" / "notes.txt").read_text() == "mine"


def test_a_second_run_into_a_folder_being_written_is_refused_and_the_first_is_untouched(
    assessor: Assessor, cohort: pd.DataFrame, tmp_path: Path
) -> None:
    """The second run emptied the first one's staging folder: both then published a mixture."""
    write_table(cohort.head(20), tmp_path / "in.csv")
    score_dask(str(tmp_path / "in.csv"), tmp_path / "scored", assessor)
    earlier = read_parts(tmp_path / "scored")
    staging = partial_path(tmp_path / "scored")
    with folder_lock(tmp_path / "scored"):  # a first run, mid-way through its partitions
        (staging / "errors").mkdir(parents=True)
        (staging / "part-00000.parquet").write_bytes(b"being written")
        with pytest.raises(InvalidInput, match=r"another run is writing .*scored now"):
            score_dask(str(tmp_path / "in.csv"), tmp_path / "scored", assessor)
        assert (staging / "part-00000.parquet").read_bytes() == b"being written"
    pd.testing.assert_frame_equal(read_parts(tmp_path / "scored"), earlier)


def test_a_semicolon_separated_file_is_named_before_dask_parses_it(
    assessor: Assessor, cohort: pd.DataFrame, tmp_path: Path
) -> None:
    cohort.head(5).to_csv(tmp_path / "regional.csv", sep=";", decimal=",", index=False)
    with pytest.raises(InvalidCohort, match="separated by semicolons, not commas"):
        score_dask(str(tmp_path / "regional.csv"), tmp_path / "scored", assessor)
    assert not (tmp_path / "scored").exists()
