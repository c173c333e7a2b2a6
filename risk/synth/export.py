"""Write a cohort frame as the cohort CSV the batch reader parses.

Dates as ISO ``YYYY-MM-DD``, bools as ``true``/``false``, missing values as empty cells,
list fields already ``;``-joined, floats in shortest round-trip form.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from risk.synth.frame import CONTRACT_COLUMNS
from risk.whole_file import WholeFile


def _cell_text(column: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(column):
        text: pd.Series = column.dt.strftime("%Y-%m-%d").fillna("")
        return text
    if pd.api.types.is_bool_dtype(column):
        words = np.where(column.fillna(False).to_numpy(dtype=bool), "true", "false")
        return pd.Series(np.where(column.isna().to_numpy(), "", words), index=column.index)
    return column


def write_csv(frame: pd.DataFrame, path: str | Path) -> None:
    """Write ``frame`` to ``path`` in the cohort CSV format (UTF-8, header row, ``\\n``)."""
    out = pd.DataFrame({name: _cell_text(frame[name]) for name in frame.columns})
    with WholeFile(Path(path)) as file:
        out.to_csv(file.handle, index=False, na_rep="", lineterminator="\n", encoding="utf-8")


def record_dict(frame: pd.DataFrame, row: int) -> dict[str, object]:
    """One row's contract fields as a JSON-ready dict (ISO dates, lists split); missing omitted."""
    record: dict[str, object] = {}
    for name in CONTRACT_COLUMNS:
        value = frame[name].iloc[row]
        if value is None or value is pd.NA or value is pd.NaT or _is_nan(value):
            continue
        record[name] = _json_value(name, value)
    return record


def _is_nan(value: object) -> bool:
    return isinstance(value, float) and math.isnan(value)


def _json_value(name: str, value: object) -> object:
    if name == "treated_levels":
        return str(value).split(";")
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


# Made-up contract §4 columns (`osteoref synth --demo-pcp`): enough for `osteoref letters` to
# run on a synthetic cohort; every value says it is a demonstration.
DEMO_PCP: dict[str, str] = {
    "pcp_name": "Dr Demo Practitioner",
    "pcp_practice": "Demonstration Practice",
    "pcp_address": "1 Demo Street;Demotown",
    "pcp_email": "pcp@demo-practice.example",
}


def with_demo_pcp(frame: pd.DataFrame) -> pd.DataFrame:
    """The cohort with the demonstration PCP columns added to every row."""
    return frame.assign(**DEMO_PCP)
