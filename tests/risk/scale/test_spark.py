"""Spark's mapInPandas over the shared scoring function gives the in-process output, exactly."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from risk.assess import Assessor
from risk.cohort import read_cohort_chunks
from risk.flatten import FLAT_COLUMNS
from risk.scale import score_chunk
from risk.scale.spark import SPARK_SCHEMA, spark_scorer

# pyspark is deliberately NOT a project dependency: when it is installed, pandera imports
# pyspark.pandas at import time, which patches pandas globally and warns about pandas 3 —
# it would change every other test. Run this one by hand in a scratch environment:
#   uv pip install pyspark==4.3.0 && uv run --no-sync pytest tests/risk/scale/test_spark.py \
#       -o filterwarnings=default && uv sync --frozen
# (measured on this machine with Java 17: 1 passed in 15 s).
pyspark = pytest.importorskip("pyspark", reason="pyspark is not installed (see the note above)")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs a Java runtime"),
]
SAMPLE = Path(__file__).resolve().parents[3] / "data" / "sample" / "cohort.csv"
ROWS = 400


@pytest.fixture(scope="module")
def spark() -> Iterator[object]:
    from pyspark.sql import SparkSession  # noqa: PLC0415 (only this test starts a JVM)

    os.environ["PYSPARK_PYTHON"] = sys.executable  # workers must use this venv (pyarrow, osteoref)
    session = (
        SparkSession.builder.master("local[2]")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    yield session
    session.stop()


def test_spark_map_in_pandas_matches_in_process(spark: object, assessor: Assessor) -> None:
    raw = next(read_cohort_chunks(SAMPLE, ROWS)).head(ROWS)
    local = score_chunk(raw, assessor).scored[list(FLAT_COLUMNS)]
    frame = spark.createDataFrame(raw.astype(str)).repartition(3)  # type: ignore[attr-defined]
    remote = frame.mapInPandas(spark_scorer(assessor), SPARK_SCHEMA).toPandas()
    assert len(remote) == len(local) == ROWS
    ordered = remote.sort_values("patient_id").reset_index(drop=True)
    expected = local.sort_values("patient_id").reset_index(drop=True)
    for column in FLAT_COLUMNS:
        left, right = ordered[column], expected[column]
        if column == "assessment_date":
            left, right = pd.to_datetime(left), pd.to_datetime(right)
        assert (
            left.astype(object).where(left.notna(), None).tolist()
            == right.astype(object).where(right.notna(), None).tolist()
        ), column
