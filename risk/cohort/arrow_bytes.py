"""Byte-level views of Arrow text columns: one pass over a column's bytes instead of a call per cell."""

from __future__ import annotations

import numpy as np
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
    """Whether any cell holds one of the ASCII ``characters`` (one byte-table pass per chunk)."""
    wanted = np.frombuffer(characters, dtype=np.uint8)
    chunks = text.chunks if isinstance(text, pa.ChunkedArray) else [text]
    return any(bool(np.isin(_bytes_of(chunk), wanted).any()) for chunk in chunks)


def _bytes_of(text: pa.Array) -> np.ndarray:
    return np.frombuffer(cell_bytes(text), dtype=np.uint8)
