"""Text dates: Arrow's strict cast (fast path) and pandas (per-cell errors) give the same column."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from risk.cohort import cells
from risk.cohort.columns import CONTRACT_COLUMNS

SPEC = next(spec for spec in CONTRACT_COLUMNS if spec.name == "dxa_date")
RULE = "must be a date YYYY-MM-DD"


def _pandas_only(raw: pd.Series, monkeypatch: pytest.MonkeyPatch) -> cells.Parsed:
    with monkeypatch.context() as patch:
        patch.setattr(cells, "_clean_dates", lambda raw, missing: None)
        return cells.parse_column(SPEC, raw)


def _bad_rows(parsed: cells.Parsed) -> list[int]:
    return [int(i) for mask, rule in parsed.problems if rule == RULE for i in np.flatnonzero(mask)]


def test_a_clean_column_is_parsed_by_arrow() -> None:
    raw = pd.Series(["2020-02-29", " 2024-03-01\t", "", "0001-01-01", "9999-12-31"], dtype="str")
    assert cells._clean_dates(raw, cells.missing_of(raw)) is not None
    parsed = cells.parse_column(SPEC, raw)
    days = [None if pd.isna(stamp) else str(stamp.date()) for stamp in parsed.values]
    assert days == ["2020-02-29", "2024-03-01", None, "0001-01-01", "9999-12-31"]
    assert parsed.values.dtype == "datetime64[us]"
    assert _bad_rows(parsed) == []


@pytest.mark.parametrize(
    "bad",
    [
        "2021-02-29",
        "2020-02-30",
        "2020-13-01",
        "2020-01-00",
        "2020-1-5",
        "20200105",
        "2020-01-05T00",
        "\u00a02020-01-05",
    ],
)
def test_one_bad_cell_sends_the_column_to_pandas_which_names_it(bad: str) -> None:
    raw = pd.Series(["2020-02-29", bad, ""], dtype="str")
    assert cells._clean_dates(raw, cells.missing_of(raw)) is None
    parsed = cells.parse_column(SPEC, raw)
    expected_bad = [] if bad == "\u00a02020-01-05" else [1]  # Python strips a no-break space
    assert _bad_rows(parsed) == expected_bad


DATE_TEXT = st.one_of(
    st.dates().map(str),
    st.dates().map(lambda d: f"  {d}\t"),
    st.sampled_from(["", "2021-02-29", "2020-1-5", "x", " ", "2020-02-30", "\u20032020-01-05"]),
    st.text(alphabet="0123456789- ", max_size=11),
)


@given(st.lists(DATE_TEXT, min_size=1, max_size=30))
def test_arrow_and_pandas_agree_on_any_column(texts: list[str]) -> None:
    raw = pd.Series(texts, dtype="str")
    with pytest.MonkeyPatch.context() as patch:
        reference = _pandas_only(raw, patch)
    parsed = cells.parse_column(SPEC, raw)
    pd.testing.assert_series_equal(parsed.values, reference.values)
    assert _bad_rows(parsed) == _bad_rows(reference)
