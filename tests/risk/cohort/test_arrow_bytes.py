"""Byte-level reads of Arrow text agree with the per-cell answers they replace."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from risk.cohort.arrow_bytes import byte_lengths, empty_cells, holds_any
from risk.cohort.cells import missing_of

CELLS = st.lists(st.one_of(st.none(), st.just(""), st.text(max_size=4)), max_size=30)


@settings(max_examples=200, deadline=None)
@given(CELLS, CELLS, st.integers(min_value=0, max_value=5), st.sampled_from([pa.string(), pa.large_string()]))
def test_empty_cells_and_lengths_hold_for_any_chunked_slice(
    first: list[str | None], second: list[str | None], start: int, kind: pa.DataType
) -> None:
    cells = [*first, *second]
    # Two chunks, then a slice: offsets that do not start at zero and a chunk boundary inside.
    text = pa.chunked_array([pa.array(first, type=kind), pa.array(second, type=kind)]).slice(start)
    expected = [cell is None or cell == "" for cell in cells[start:]]
    assert empty_cells(text).tolist() == expected
    assert empty_cells(text.combine_chunks()).tolist() == expected
    lengths = [0 if cell is None else len(cell.encode("utf-8")) for cell in cells[start:]]
    assert byte_lengths(text).tolist() == lengths


def test_a_str_column_is_missing_where_empty_or_null() -> None:
    column = pd.Series(["a", "", None, " ", "bb"], dtype="str")
    assert missing_of(column).tolist() == [False, True, True, False, False]
    assert missing_of(column.iloc[2:]).tolist() == [True, False, False]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=6), max_size=20),
    st.sets(st.sampled_from(',"\n\r\t \x0b\x0c;-_'), max_size=6),
)
def test_holds_any_finds_exactly_the_cells_with_one_of_the_characters(
    cells: list[str], wanted: set[str]
) -> None:
    # The one-comparison prefilter must never clear a column that holds one of them.
    characters = "".join(sorted(wanted)).encode("ascii")
    expected = any(char in cell for cell in cells for char in wanted)
    assert holds_any(pa.array(cells, type=pa.large_string()), characters) is expected
