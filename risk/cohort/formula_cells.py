"""Text cells a spreadsheet would run as a formula, made inert for the CSV files people open.

An errors file echoes the rejected cell as it came in, and a coordinator opens it in Excel
or LibreOffice. A cell there that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return (OWASP, "CSV Injection"; also the full-width forms that some locales read as the
same signs) is evaluated, so a cohort file could make the spreadsheet fetch a link or run
a command. Such a cell is written with a leading apostrophe: the spreadsheet shows the
text as text and hides the apostrophe. A plain number ("-5", "+1.5e3") is left as it is:
every spreadsheet reads it as the number, never as a formula.
"""

from __future__ import annotations

import re

import pandas as pd

FORMULA_STARTS = "=+-@\t\r＝＋－＠"
APOSTROPHE = "'"
_STARTS_LIKE_FORMULA = "^[" + re.escape(FORMULA_STARTS) + "]"
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def defuse(text: str) -> str:
    """The cell as a spreadsheet will show it as text: an apostrophe before a formula's start."""
    if text[:1] and text[0] in FORMULA_STARTS and _PLAIN_NUMBER.fullmatch(text) is None:
        return APOSTROPHE + text
    return text


def defuse_column(values: pd.Series) -> pd.Series:
    """``defuse`` on every cell of a column; the other cells (and missing ones) stay as they were."""
    text = values.astype("str")
    # The rare rows that need it are found by one vectorised match, then mended one by one.
    suspect = text.str.contains(_STARTS_LIKE_FORMULA, regex=True, na=False)
    if not suspect.any():
        return values
    mended = values.copy()
    mended[suspect] = [defuse(cell) for cell in text[suspect]]
    return mended
