"""Text bools: canonical words looked up in Arrow at once, anything else through strip and lower."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from risk.cohort import cells
from risk.cohort.columns import CONTRACT_COLUMNS

SPEC = next(spec for spec in CONTRACT_COLUMNS if spec.name == "current_smoker")  # not nullable, default false
NULLABLE = next(spec for spec in CONTRACT_COLUMNS if spec.name == "intravertebral_cleft")
RULE = "must be true or false (true/false, 1/0, yes/no)"


def _oracle(cells_text: list[str]) -> tuple[list[bool], list[int]]:
    """The contract's reading, written out: blanks and case ignored, empty is missing (default false)."""
    words = [cell.strip().lower() for cell in cells_text]
    truth = [word in ("true", "1", "yes") for word in words]
    bad = [
        i
        for i, (cell, word) in enumerate(zip(cells_text, words, strict=True))
        if cell != "" and word not in ("true", "1", "yes", "false", "0", "no")
    ]
    return truth, bad


def _read(spec: object, cells_text: list[str]) -> tuple[list[bool], list[int]]:
    parsed = cells.parse_column(spec, pd.Series(cells_text, dtype="str"))  # type: ignore[arg-type]
    bad = [int(i) for mask, rule in parsed.problems if rule == RULE for i in np.flatnonzero(mask)]
    return [bool(value) if not pd.isna(value) else False for value in parsed.values], bad


def test_canonical_words_never_reach_pandas(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_pandas(raw: pd.Series) -> pd.Series:
        raise AssertionError("the canonical column went through pandas' strip and lower")

    column = ["true", "false", "1", "0", "yes", "no", ""]
    monkeypatch.setattr(cells, "text_of", lambda raw: raw.fillna(""))
    monkeypatch.setattr(pd.Series, "str", property(no_pandas))
    assert _read(SPEC, column) == ([True, False, True, False, True, False, False], [])


@pytest.mark.parametrize("odd", [" true", "TRUE", "Yes\t", "no ", "maybe", "tru", " ", "1.0"])
def test_one_odd_cell_is_read_as_the_contract_says(odd: str) -> None:
    column = ["true", odd, "false", ""]
    assert _read(SPEC, column) == _oracle(column)


def test_a_nullable_bool_keeps_missing_and_bad_cells_missing() -> None:
    parsed = cells.parse_column(NULLABLE, pd.Series(["yes", "", "nope", "0"], dtype="str"))
    assert [None if pd.isna(v) else bool(v) for v in parsed.values] == [True, None, None, False]


WORDS = st.sampled_from(["true", "false", "1", "0", "yes", "no", "", "True", " no", "NO ", "x", "  "])


@given(st.lists(WORDS, min_size=1, max_size=30))
def test_both_paths_read_every_column_as_the_oracle(column: list[str]) -> None:
    assert _read(SPEC, column) == _oracle(column)
