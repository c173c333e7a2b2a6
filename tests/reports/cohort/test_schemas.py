from __future__ import annotations

import pandas as pd
import pytest

from risk.cohort import write_table
from risk.cohort.schemas import read_scored_cohort, validate_scored_cohort
from risk.errors import InvalidCohort


def test_bad_cells_name_row_column_and_check(scored: pd.DataFrame) -> None:
    bad = scored.head(5).copy()
    bad["pathway"] = bad["pathway"].astype(object)
    bad.loc[2, "pathway"] = "surgery"
    bad.loc[4, "new_vertebral_fracture_12m"] = 1.5
    with pytest.raises(InvalidCohort) as caught:
        validate_scored_cohort(bad)
    found = {(e.row, e.field) for e in caught.value.errors}
    assert {(3, "pathway"), (5, "new_vertebral_fracture_12m")} <= found
    assert "row 3 pathway='surgery'" in str(caught.value)


def test_unknown_column_is_rejected(scored: pd.DataFrame) -> None:
    with pytest.raises(InvalidCohort, match="nickname"):
        validate_scored_cohort(scored.head(3).assign(nickname="x"))


def test_csv_round_trip_parses_dates_and_bools(scored_fls: pd.DataFrame, tmp_path) -> None:  # type: ignore[no-untyped-def]
    write_table(scored_fls.head(50), tmp_path / "s.csv")
    back = read_scored_cohort(tmp_path / "s.csv")
    assert back["on_treatment_52w"].dtype == "boolean"
    assert (
        back["fls_assessment_date"].notna().sum() == scored_fls.head(50)["fls_assessment_date"].notna().sum()
    )
    assert back["refer_to_pcp"].tolist() == scored_fls.head(50)["refer_to_pcp"].tolist()


def test_bad_bool_text_is_reported(scored_fls: pd.DataFrame, tmp_path) -> None:  # type: ignore[no-untyped-def]
    frame = scored_fls.head(3).copy()
    frame["on_treatment_52w"] = frame["on_treatment_52w"].astype(object)
    frame.loc[1, "on_treatment_52w"] = "perhaps"
    write_table(frame, tmp_path / "s.csv")
    with pytest.raises(InvalidCohort, match="on_treatment_52w"):
        read_scored_cohort(tmp_path / "s.csv")
