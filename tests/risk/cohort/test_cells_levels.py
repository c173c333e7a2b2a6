"""Treated levels: blanks around each level trimmed, never inside one; a byte scan decides whether to look."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from risk.cohort import cells
from risk.cohort.arrow_bytes import holds_any
from risk.cohort.columns import CONTRACT_COLUMNS

SPEC = next(spec for spec in CONTRACT_COLUMNS if spec.name == "treated_levels")


def _cleaned(column: list[str]) -> list[str | None]:
    parsed = cells.parse_column(SPEC, pd.Series(column, dtype="str"))
    return [None if pd.isna(value) else str(value) for value in parsed.values]


@pytest.mark.parametrize("blank", [" ", "\t", "\n", "\r", "\f"])
def test_a_blank_around_a_level_is_removed(blank: str) -> None:
    assert _cleaned(["T12;L1", f"{blank}T12{blank};{blank}L1{blank}", "L2"]) == ["T12;L1", "T12;L1", "L2"]


@pytest.mark.parametrize("cell", ["T1 2", "T1 1;L1", "L\t5", "T\n1;T\n2"])
def test_a_blank_inside_a_level_is_an_error_not_another_level(cell: str) -> None:
    """Blanks were removed wherever they were: "T1 2" was read as T12, a thoracolumbar-junction
    level (ADJACENT_LEVEL_RISK, the model's junction term) the file never named."""
    parsed = cells.parse_column(SPEC, pd.Series(["L2", cell], dtype="str"))
    fired = [rule for mask, rule in parsed.problems if mask[1]]
    assert len(fired) == 1 and fired[0].startswith("each level must be one of T1")
    assert not any(mask[0] for mask, _ in parsed.problems)


def test_a_column_without_blanks_is_left_as_it_is() -> None:
    assert not holds_any(pa.array(["T12;L1", "L2", ""]), cells.ASCII_BLANKS)
    assert _cleaned(["T12;L1", "L2"]) == ["T12;L1", "L2"]


@pytest.mark.parametrize("kind", [pa.string(), pa.large_string()])
def test_the_scan_reads_only_the_cells_of_a_slice(kind: pa.DataType) -> None:
    whole = pa.array(["T 12", "L1", "L2\t"], type=kind)
    assert holds_any(whole, cells.ASCII_BLANKS)
    assert not holds_any(whole.slice(1, 1), cells.ASCII_BLANKS)  # the blanks lie outside the slice
    assert holds_any(whole.slice(2), cells.ASCII_BLANKS)
    assert holds_any(pa.chunked_array([pa.array(["L1"], type=kind), whole.slice(2)]), cells.ASCII_BLANKS)


CELL = st.lists(st.sampled_from(["T1", "T12", "L1", "L5", " ", "\t", ";"]), max_size=6).map("".join)


@given(st.lists(CELL, min_size=1, max_size=10))
def test_the_cleaned_cells_are_the_cells_with_each_level_trimmed(column: list[str]) -> None:
    expected = [None if not cell else ";".join(level.strip() for level in cell.split(";")) for cell in column]
    assert _cleaned(column) == expected
