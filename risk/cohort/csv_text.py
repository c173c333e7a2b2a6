"""Render a frame as CSV bytes with Arrow compute: pandas ``to_csv`` of object columns was half a run.

The bytes are the ones ``csv_ready(frame).to_csv(index=False)`` writes (tests compare the two):
floats as Python's shortest repr, NaN/None/NaT as empty cells, dates as YYYY-MM-DD, bools
as true/false, and QUOTE_MINIMAL quoting. A frame this renderer is not sure of (a dtype it
does not know, dates outside years 1000–9999, a single column) gets ``None``: the caller
uses pandas for it.
"""

from __future__ import annotations

import functools

import numpy as np
import numpy.typing as npt
import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.api.types import is_bool_dtype, is_float_dtype, is_integer_dtype, is_string_dtype

from risk.cohort.arrow_bytes import cell_bytes, holds_any

# Python's repr writes floats in plain notation only for 1e-4 <= |x| < 1e16 (orjson spells
# them otherwise elsewhere); outside that band numpy renders the few cells.
PLAIN_LOW, PLAIN_HIGH = 1e-4, 1e16
DATE_YEARS = (1000, 9999)
# orjson's cells share one buffer with 4-byte offsets (2 GiB): at most ~25 bytes a float, so a
# longer column is left to pandas rather than risk an offset that wraps.
MAX_FLOAT_CELLS = 80_000_000
# A bool's cell at its integer value (False = 0, True = 1), as ``csv_ready`` spells it.
BOOL_WORDS = pa.array(["false", "true"])
# Characters whose quoting by pandas' csv writer is probed once rather than assumed.
QUOTE_CANDIDATES = ',"\n\r\t '
REGEX_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


@functools.cache
def quote_characters() -> str:
    """The characters that make pandas quote a cell (the csv module's rule differs by Python version)."""
    found = []
    for char in QUOTE_CANDIDATES:
        text = pd.DataFrame({"a": [f"x{char}x"], "b": ["y"]}).to_csv(index=False, lineterminator="\n")
        if text.split("\n", 1)[1].startswith('"'):
            found.append(char)
    return "".join(found)


def _quoted(text: pa.Array) -> pa.Array:
    """Cells as the csv module writes them: wrapped in quotes (inner quotes doubled) when needed."""
    if not holds_any(text, quote_characters().encode("ascii")):
        return text
    pattern = "[" + "".join(REGEX_ESCAPES.get(c, c) for c in quote_characters()) + "]"
    needs = pc.fill_null(pc.match_substring_regex(text, pattern), False)
    wrapped = pc.binary_join_element_wise('"', pc.replace_substring(text, '"', '""'), '"', "")
    return pc.if_else(needs, wrapped, text)


def _float_text(values: npt.NDArray[np.float64]) -> pa.Array | None:
    """Python's repr of each float (NaN → null): orjson's shortest spelling, numpy outside its band.

    orjson spells a float as repr does (shortest round-trip digits, ".0" on whole numbers) for
    1e-4 <= |x| < 1e16, about four times faster than Arrow's cast; outside that band (where it
    writes 0.00001 for 1e-05) and for infinities, numpy renders the few cells as repr would.
    """
    if len(values) > MAX_FLOAT_CELLS:
        return None
    values = np.ascontiguousarray(values, dtype=np.float64)
    magnitude = np.abs(values)
    with np.errstate(invalid="ignore"):
        plain = (magnitude == 0) | ((magnitude >= PLAIN_LOW) & (magnitude < PLAIN_HIGH))
    valid = ~np.isnan(values)
    text, body = _orjson_cells(values, valid)
    # Guards, not assumptions: an in-band cell with an exponent or without a point is redone.
    if body.find(b"e") >= 0:
        plain &= ~np.asarray(pc.fill_null(pc.match_substring(text, "e"), True), dtype=bool)
    # A number holds at most one point, so as many points as finite cells means each has one.
    # (Counted against in-band cells only, the point of an out-of-band "0.00001" would hide a
    # whole number spelled without its ".0".)
    if np.count_nonzero(np.frombuffer(body, dtype=np.uint8) == ord(".")) != np.count_nonzero(
        np.isfinite(values)
    ):
        plain &= np.asarray(pc.fill_null(pc.match_substring(text, "."), False), dtype=bool)
    redo = ~plain & valid
    if redo.any():
        text = pc.replace_with_mask(text, pa.array(redo), pa.array(values[redo].astype(str)))
    return text


def _orjson_cells(values: npt.NDArray[np.float64], valid: npt.NDArray[np.bool_]) -> tuple[pa.Array, bytes]:
    """orjson's spelling of each float as an Arrow string array (null where not ``valid``), and the bytes.

    orjson writes the column as one JSON list; the commas are dropped and the cells' offsets
    computed from their positions, so no Python object is made per cell.
    """
    body = orjson.dumps(values, option=orjson.OPT_SERIALIZE_NUMPY)[1:-1]
    data = body.replace(b",", b"")  # memchr-fast, unlike a boolean mask over the bytes
    n = len(values)
    offsets = np.empty(n + 1, dtype=np.int32)
    offsets[0], offsets[n] = 0, len(data)
    # Cell i starts after i commas: its offset in the comma-free bytes is its position less i.
    offsets[1:n] = np.flatnonzero(np.frombuffer(body, dtype=np.uint8) == ord(",")) - np.arange(n - 1)
    text = pa.StringArray.from_buffers(
        n,
        pa.py_buffer(offsets),
        pa.py_buffer(data),
        pa.py_buffer(np.packbits(valid, bitorder="little")),
        null_count=n - int(np.count_nonzero(valid)),
    )
    return text, body


def _date_text(column: pd.Series) -> pa.Array | None:
    """YYYY-MM-DD of a naive datetime column (the day it falls on, as strftime gives it)."""
    if getattr(column.dtype, "tz", None) is not None:
        return None
    days = column.to_numpy(dtype="datetime64[us]").astype("datetime64[D]")
    # A cohort has a few thousand distinct days: each is checked and spelled once, then taken per row.
    codes, distinct = pd.factorize(days.view(np.int64))
    distinct_days = distinct.view("datetime64[D]")
    years = distinct_days[~np.isnat(distinct_days)].astype("datetime64[Y]").astype(int) + 1970
    if len(years) and (years.min() < DATE_YEARS[0] or years.max() > DATE_YEARS[1]):
        return None
    spelled = pc.cast(pa.array(distinct_days, type=pa.date32(), from_pandas=True), pa.string())
    return pc.take(spelled, pa.array(codes))


def _typed_text(column: pd.Series) -> pa.Array | None:
    """One column's cells as Arrow strings (null = empty cell), or None for a column left to pandas."""
    dtype = column.dtype
    if dtype.kind == "M":
        return _date_text(column)
    if dtype == np.float64:
        return _float_text(column.to_numpy())
    if is_bool_dtype(dtype) or is_integer_dtype(dtype):
        return _bool_or_integer_text(column)
    if is_float_dtype(dtype):  # float32, nullable Float64: repr rules not checked here
        return None
    if is_string_dtype(dtype) or dtype == np.dtype(object):
        return _object_text(column)
    return None


def _bool_or_integer_text(column: pd.Series) -> pa.Array:
    """Integers by Arrow's cast; plain bools take their word (a quarter of the cast's cost)."""
    if column.dtype == np.bool_:
        return BOOL_WORDS.take(pa.array(column.to_numpy().view(np.int8)))
    return pc.cast(pa.array(column, from_pandas=True), pa.string())


def _object_text(column: pd.Series) -> pa.Array | None:
    """Text or object cells, quoted where needed: only all-string (or all-missing) columns.

    Anything else goes to pandas. Only given text is scanned for quoting: the spellings of
    numbers, dates and bools above never hold a character that needs quotes.
    """
    try:
        array = pa.array(column, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    if isinstance(array, pa.ChunkedArray):  # an Arrow-backed str column comes as it is stored
        array = array.combine_chunks()
    if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
        return _quoted(array.cast(pa.string()))
    if pa.types.is_null(array.type):
        return pa.nulls(len(array), pa.string())
    return None


def _lines(cells: list[pa.Array]) -> memoryview:
    """Join the rendered (and quoted) columns with commas and end each row with a newline.

    The newline goes onto the last column before the join, so the rows are built in one pass
    (a second join to append it copied every byte of the output again); an empty cell is null.
    """
    cells = [*cells[:-1], pc.binary_join_element_wise(pc.fill_null(cells[-1], ""), "\n", "")]
    rows = pc.binary_join_element_wise(*cells, ",", null_handling="replace", null_replacement="")
    return cell_bytes(rows)


def csv_text(frame: pd.DataFrame, *, header: bool) -> bytes | None:
    """``frame`` as CSV bytes (header optional), or None when pandas must render it."""
    parts = csv_parts(frame, header=header)
    return None if parts is None else b"".join(parts)


def csv_parts(frame: pd.DataFrame, *, header: bool) -> list[memoryview] | None:
    """The bytes of ``csv_text`` as the buffers Arrow built, for a writer to write without joining them."""
    names = [str(name) for name in frame.columns]
    if len(names) < 2 or names != list(frame.columns) or frame.columns.has_duplicates:
        return None
    parts = [_lines([_quoted(pa.array([name])) for name in names])] if header else []
    if len(frame):
        cells = [_typed_text(frame.iloc[:, i]) for i in range(len(names))]
        if any(cell is None for cell in cells):
            return None
        parts.append(_lines([cell for cell in cells if cell is not None]))
    return parts
