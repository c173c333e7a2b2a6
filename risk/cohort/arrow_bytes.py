"""Byte-level views of Arrow text columns: one pass over a column's bytes instead of a call per cell."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa


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


def empty_cells(text: pa.Array | pa.ChunkedArray) -> npt.NDArray[np.bool_]:
    """Rows whose cell is empty or null, read off the offsets (no comparison per cell)."""
    return _per_chunk(_empty_of, text)


def byte_lengths(text: pa.Array | pa.ChunkedArray) -> npt.NDArray[np.int64]:
    """Each cell's length in UTF-8 bytes (0 for a null), read off the offsets."""
    return _per_chunk(_lengths_of, text)


def _per_chunk(
    read: Callable[[pa.Array], npt.NDArray[Any]], text: pa.Array | pa.ChunkedArray
) -> npt.NDArray[Any]:
    chunks = text.chunks if isinstance(text, pa.ChunkedArray) else [text]
    parts = [read(chunk) for chunk in chunks]
    if len(parts) == 1:
        return parts[0]
    return np.concatenate(parts) if parts else read(pa.array([], type=text.type))


def _lengths_of(text: pa.Array) -> npt.NDArray[np.int64]:
    width = np.int64 if pa.types.is_large_string(text.type) else np.int32
    offsets = text.buffers()[1]
    if offsets is None or len(text) == 0:
        return np.zeros(len(text), dtype=np.int64)
    bounds = np.frombuffer(offsets, dtype=width)[text.offset : text.offset + len(text) + 1].astype(np.int64)
    lengths: npt.NDArray[np.int64] = bounds[1:] - bounds[:-1]
    return lengths


def _empty_of(text: pa.Array) -> npt.NDArray[np.bool_]:
    empty: npt.NDArray[np.bool_] = _lengths_of(text) == 0
    if text.null_count:
        empty |= np.asarray(text.is_null().to_numpy(zero_copy_only=False), dtype=bool)
    return empty
