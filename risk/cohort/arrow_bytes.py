"""Byte-level views of Arrow text columns: one pass over a column's bytes instead of a call per cell."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc


def cell_bytes(text: pa.Array) -> memoryview:
    """The UTF-8 bytes of every cell of a string array, back to back (empty for no data).

    Only the array's own cells: a slice's buffers may hold its neighbours' bytes too.
    """
    offsets, data = text.buffers()[1], text.buffers()[2]
    if data is None or len(text) == 0:
        return memoryview(b"")
    width = np.int64 if pa.types.is_large_string(text.type) else np.int32
    bounds = np.frombuffer(offsets, dtype=width)[text.offset : text.offset + len(text) + 1]
    return memoryview(data)[int(bounds[0]) : int(bounds[-1])]


def holds_any(text: pa.Array | pa.ChunkedArray, characters: bytes) -> bool:
    """Whether any cell holds one of the ASCII ``characters`` (passes over the bytes, no call per cell)."""
    wanted = np.frombuffer(characters, dtype=np.uint8)
    chunks = text.chunks if isinstance(text, pa.ChunkedArray) else [text]
    return any(_holds(_bytes_of(chunk), wanted) for chunk in chunks)


def _holds(data: npt.NDArray[np.uint8], wanted: npt.NDArray[np.uint8]) -> bool:
    # One comparison first: blanks, quotes and commas sort below every letter, digit, '-' and
    # '_', so most columns are cleared without the exact search (a pass per character).
    if not len(wanted) or not bool((data <= wanted.max()).any()):
        return False
    return bool(np.isin(data, wanted).any())


def _bytes_of(text: pa.Array) -> np.ndarray:
    return np.frombuffer(cell_bytes(text), dtype=np.uint8)


def byte_lengths(text: pa.Array | pa.ChunkedArray) -> npt.NDArray[np.int64]:
    """Each cell's length in UTF-8 bytes, 0 for a null (Arrow reads it off the offsets)."""
    lengths = pc.fill_null(pc.binary_length(text), 0)
    return np.asarray(lengths.to_numpy(zero_copy_only=False), dtype=np.int64)


def empty_cells(text: pa.Array | pa.ChunkedArray) -> npt.NDArray[np.bool_]:
    """Rows whose cell is empty or null: no comparison per cell."""
    empty: npt.NDArray[np.bool_] = byte_lengths(text) == 0
    return empty
