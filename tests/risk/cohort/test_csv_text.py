"""The Arrow CSV renderer writes exactly the bytes of the pandas writer it replaces."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import numpy as np
import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from api.settings import DEFAULT_MODEL_PATH
from risk.assess import Assessor
from risk.cohort import csv_text as csv_text_module
from risk.cohort import read_cohort_chunks
from risk.cohort.csv_text import csv_text
from risk.cohort.io import csv_ready
from risk.scale import score_chunk
from risk.synth import synthesize, write_csv

AWKWARD_TEXT = [
    "a,b",
    'say "hi"',
    "two\nlines",
    "cr\ronly",
    " padded ",
    "",
    "tab\tx",
    "é ü 漢",
    "a;b",
    "\x85",
]


def pandas_bytes(frame: pd.DataFrame, *, header: bool = True) -> bytes:
    """What the writer wrote before the Arrow renderer: pandas to_csv of csv_ready."""
    buffer = io.StringIO()
    csv_ready(frame).to_csv(buffer, header=header, index=False)
    return buffer.getvalue().encode("utf-8")


def varied_frame() -> pd.DataFrame:
    n = len(AWKWARD_TEXT)
    floats = [0.1217346672287174, 71.0, -0.0, 1e-05, 7.9e-05, 1e16, 1146965415377698.2, np.inf, np.nan, 1 / 3]
    return pd.DataFrame(
        {
            "text": pd.Series(AWKWARD_TEXT, dtype="str"),
            "text_missing": pd.Series([None, "x", *AWKWARD_TEXT[2:]], dtype="str"),
            "objects": np.array([None, "osteoporosis", *AWKWARD_TEXT[2:]], dtype=object),
            "all_none": np.array([None] * n, dtype=object),
            "floats": floats,
            "ints": np.arange(n, dtype=np.int64) - 3,
            "nullable_ints": pd.array([59, None, *range(n - 2)], dtype="Int64"),
            "bools": [True, False] * (n // 2),
            "nullable_bools": pd.array([True, None, *([False] * (n - 2))], dtype="boolean"),
            "dates": pd.to_datetime(
                pd.Series(["2022-08-18", None, "1969-12-31 23:00", *["1951-04-01"] * (n - 3)]),
                format="ISO8601",
            ),
        }
    )


def test_varied_frame_matches_pandas_with_and_without_header() -> None:
    frame = varied_frame()
    assert csv_text(frame, header=True) == pandas_bytes(frame)
    assert csv_text(frame, header=False) == pandas_bytes(frame, header=False)
    assert csv_text(frame.head(0), header=True) == pandas_bytes(frame.head(0))


@pytest.mark.parametrize(
    "column",
    [
        pd.Series([1.5, 2.5], dtype="float32"),
        pd.Series([1, "a"], dtype=object),
        pd.Series(["a", "b"], dtype="category"),
        pd.Series(pd.to_datetime(["2024-01-01", "2024-01-02"]).tz_localize("UTC")),
        pd.Series(pd.to_datetime(["0999-01-01", "2024-01-02"], format="%Y-%m-%d").as_unit("us")),
    ],
    ids=["float32", "mixed objects", "category", "zoned dates", "year 999"],
)
def test_columns_it_is_not_sure_of_are_left_to_pandas(column: pd.Series) -> None:
    assert csv_text(pd.DataFrame({"a": column, "b": ["x", "y"]}), header=True) is None


def test_a_single_column_is_left_to_pandas() -> None:
    assert csv_text(pd.DataFrame({"a": ["", "x"]}), header=True) is None


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=1, max_size=40),
    st.lists(st.text(max_size=8), min_size=1, max_size=40),
)
def test_any_floats_and_text_match_pandas(numbers: list[float], texts: list[str]) -> None:
    n = min(len(numbers), len(texts))
    frame = pd.DataFrame({"x": np.array(numbers[:n], dtype=float), "t": pd.Series(texts[:n], dtype="str")})
    assert csv_text(frame, header=True) == pandas_bytes(frame)


def test_floats_across_magnitudes_match_pandas() -> None:
    rng = np.random.default_rng(14)
    wide, unit = 10 ** rng.uniform(-30, 30, 20_000), rng.random(20_000)
    values = np.concatenate([wide, unit, -unit[:2_000] * 1e-4])
    frame = pd.DataFrame({"x": values, "y": values * 3})
    assert csv_text(frame, header=True) == pandas_bytes(frame)


def test_scored_cohort_and_its_errors_match_pandas(tmp_path: Path) -> None:
    assessor = Assessor.load(DEFAULT_MODEL_PATH)
    write_csv(synthesize(2_000, seed=5).cohort, tmp_path / "in.csv")
    (raw,) = read_cohort_chunks(tmp_path / "in.csv")
    raw.loc[3, "sex"] = 'un,"known"'
    raw.loc[10, "weight_kg"] = "heavy\nset"
    raw.loc[11, "t_score_total_hip"] = ""
    chunk = score_chunk(raw, assessor, first_row=1, carry_inputs=True)
    assert len(chunk.errors) == 2
    for frame in (chunk.scored, chunk.errors):
        assert csv_text(frame, header=True) == pandas_bytes(frame)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.none(), st.datetimes(min_value=dt.datetime(1000, 1, 1), max_value=dt.datetime(9999, 12, 31))
        ),
        min_size=1,
        max_size=30,
    )
)
def test_any_dates_match_pandas(stamps: list[dt.datetime | None]) -> None:
    # Each distinct day is spelled once and taken per row: repeats, NaT and times of day included.
    column = pd.Series(pd.array(stamps * 2, dtype="datetime64[us]"))
    frame = pd.DataFrame({"d": column, "t": "x"})
    assert csv_text(frame, header=True) == pandas_bytes(frame)


def test_floats_below_one_are_spelled_plainly_as_by_python() -> None:
    # Risks live below 1: orjson's spelling there is the renderer's fast path, pinned here.
    rng = np.random.default_rng(15)
    values = np.concatenate([10 ** rng.uniform(-4, 0, 20_000), [1e-4, 0.000100001, 0.9999999999999999, 0.0]])
    frame = pd.DataFrame({"x": values, "y": -values})
    assert csv_text(frame, header=True) == pandas_bytes(frame)


def test_a_spelling_without_point_or_with_exponent_is_redone(monkeypatch: pytest.MonkeyPatch) -> None:
    # If orjson ever spelled floats as Arrow's cast does ("24", "1e+15"), the guards catch it.
    def arrow_cells(values: np.ndarray, valid: np.ndarray) -> tuple[pa.Array, bytes]:
        text = pc.cast(pa.array(values, from_pandas=True), pa.string())
        return text, b",".join(cell.as_py().encode() for cell in text if cell.is_valid)

    values = np.array([24.0, 1e15, 0.5, np.nan, -3.0, 1234.5678])
    monkeypatch.setattr(csv_text_module, "_orjson_cells", arrow_cells)
    rendered = csv_text_module._float_text(values)
    assert rendered is not None
    assert rendered.to_pylist() == ["24.0", "1000000000000000.0", "0.5", None, "-3.0", "1234.5678"]


def test_a_missing_point_is_caught_beside_an_out_of_band_cell_that_has_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # orjson writes 1e-05 as "0.00001": a point in a cell that is redone anyway must not make up
    # for a whole number spelled without its ".0" (a count of points against in-band cells would).
    def spelled(values: np.ndarray) -> tuple[pa.Array, bytes]:
        cells = ["24" if value == 24.0 else orjson.dumps(float(value)).decode() for value in values]
        return pa.array(cells), ",".join(cells).encode()

    monkeypatch.setattr(csv_text_module, "_orjson_cells", lambda values, valid: spelled(values))
    rendered = csv_text_module._float_text(np.array([24.0, 1e-05, 0.5]))
    assert rendered is not None
    assert rendered.to_pylist() == ["24.0", "1e-05", "0.5"]


def test_a_float_column_too_long_for_one_text_buffer_is_left_to_pandas(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Past the cell limit orjson's cells could overflow 4-byte offsets: pandas writes them instead.
    frame = pd.DataFrame({"x": [0.5, 1 / 3, np.nan, 24.0], "t": ["a", "b", "c", "d"]})
    monkeypatch.setattr(csv_text_module, "MAX_FLOAT_CELLS", 3)
    assert csv_text_module.csv_parts(frame, header=True) is None
    assert csv_text_module._float_text(frame["x"].to_numpy()) is None


def test_header_names_are_quoted_as_pandas_quotes_them() -> None:
    # Header cells are given text: quoted like text cells, while number, date and bool cells never are.
    frame = pd.DataFrame(
        {"a,b": [1.5, 2.0], 'say "x"': pd.Series(["p,q", "r"], dtype="str"), "plain": [True, False]}
    )
    assert csv_text(frame, header=True) == pandas_bytes(frame)
    assert csv_text(frame, header=True).startswith(b'"a,b","say ""x""",plain\n')  # type: ignore[union-attr]
