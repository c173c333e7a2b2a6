"""Cohort CSV chunks from Arrow's streaming reader: pandas' reader (all cells str) was a third of a run.

The chunks are the ones ``pd.read_csv(dtype=str, keep_default_na=False, chunksize=...)``
yields (tests compare the two). Where Arrow would read a file differently — a ragged row,
a header pandas renames, bytes that are not UTF-8, a header-only file, a quote left open
at the end — it raises ``NotForArrow`` (or an Arrow error) and the caller reads with pandas.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pcsv

# Bytes Arrow parses at a time (its default): 4 MiB blocks held ~100 MiB more in read-ahead for no speed.
BLOCK_BYTES = 1 << 20
# The header is read alone first; a smaller block keeps Arrow from parsing (and typing) 4 MiB for it.
PROBE_BYTES = 1 << 16
# Bytes scanned at a time for a quote and for non-ASCII bytes (a 254 MB file: ~45 ms, against
# ~370 ms saved in parsing without quotes and ~100 ms without UTF-8 validation).
SCAN_BYTES = 1 << 24


class NotForArrow(Exception):
    """This file must be read by pandas for its chunks to be what they always were."""


def _pandas_header(path: Path) -> list[str]:
    """The column names pandas gives the file (it renames duplicates and empty names)."""
    return [str(name) for name in pd.read_csv(path, dtype=str, keep_default_na=False, nrows=0).columns]


@dataclass(frozen=True)
class ByteScan:
    """What one pass over a file's bytes found: a double quote anywhere; nothing but ASCII."""

    quote: bool
    ascii: bool


def scan_bytes(path: Path, block_bytes: int = SCAN_BYTES) -> ByteScan:
    """Scan the file block by block (memory stays one block) for a quote and for non-ASCII bytes."""
    block = bytearray(block_bytes)
    quote, ascii_only = False, True
    with path.open("rb", buffering=0) as handle:
        while size := handle.readinto(block):
            quote = quote or block.find(b'"', 0, size) >= 0
            ascii_only = ascii_only and (block if size == block_bytes else block[:size]).isascii()
            if quote and not ascii_only:
                break
    return ByteScan(quote=quote, ascii=ascii_only)


def _string_reader(path: Path) -> pcsv.CSVStreamingReader:
    """A single-threaded streaming reader with every column typed as text (empty cell = '')."""
    read = pcsv.ReadOptions(use_threads=False, block_size=BLOCK_BYTES)
    scan = scan_bytes(path)
    # Only a quoted cell can hold a newline; Arrow splits a quote-free file a third faster.
    parse = pcsv.ParseOptions(newlines_in_values=scan.quote)
    probe_read = pcsv.ReadOptions(use_threads=False, block_size=PROBE_BYTES)
    with pcsv.open_csv(path, read_options=probe_read, parse_options=parse) as probe:
        names = probe.schema.names
    if names != _pandas_header(path):
        raise NotForArrow("pandas names these columns differently")
    convert = pcsv.ConvertOptions(
        # string (4-byte offsets), not large_string: regrouping a chunk's ~25 batches into one
        # buffer per column copies half the bytes; pandas' str dtype gets large_string in
        # ``_frame``, one cast per chunk (22 -> 8 ms per 100k rows, both steps together).
        column_types=dict.fromkeys(names, pa.string()),
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
        # ASCII is valid UTF-8: Arrow's validation of every cell (a sixth of the parse) is then moot.
        check_utf8=not scan.ascii,
    )
    return pcsv.open_csv(path, read_options=read, parse_options=parse, convert_options=convert)


def _tables(reader: pcsv.CSVStreamingReader, chunk_rows: int) -> Iterator[pa.Table]:
    """The reader's batches regrouped into tables of exactly ``chunk_rows`` rows (the last may be short)."""
    pending = pa.Table.from_batches([], schema=reader.schema)
    for batch in reader:
        pending = pa.concat_tables([pending, pa.Table.from_batches([batch])])
        while pending.num_rows >= chunk_rows:
            yield pending.slice(0, chunk_rows)
            pending = pending.slice(chunk_rows)
    if pending.num_rows:
        yield pending


def _ends_inside_quotes(path: Path, last: pa.Table) -> bool:
    """Whether the file ends inside an open quote, which Arrow reads as a cell and pandas rejects.

    Such a cell runs to the end of the file, so the file then ends with ``"`` and the cell
    as written (quotes doubled). A closed ``""`` at the very end also matches: pandas reads it.
    """
    cell = str(last.column(last.num_columns - 1)[-1].as_py())
    written = cell.replace('"', '""').encode("utf-8")
    with path.open("rb") as handle:
        size = handle.seek(0, 2)
        handle.seek(max(0, size - len(written) - 1))
        return handle.read() == b'"' + written


def arrow_csv_chunks(path: Path, chunk_rows: int) -> Iterator[pd.DataFrame]:
    """Yield the file's chunks as pandas would; raise NotForArrow (or an Arrow error) where it would not."""
    first, previous = 0, None
    with _string_reader(path) as reader:
        for table in _tables(reader, chunk_rows):
            if previous is not None:
                yield _frame(previous, first)
                first += previous.num_rows
            previous = table
    if previous is None:
        raise NotForArrow("no data rows: pandas yields one empty chunk")
    if _ends_inside_quotes(path, previous):
        raise NotForArrow("the last quote is not closed")
    yield _frame(previous, first)


def _frame(table: pa.Table, first: int) -> pd.DataFrame:
    """A chunk as pandas' reader gives it: str columns, index counting rows from the file's first."""
    # One buffer per column: sliced from Arrow's 1 MiB batches, each column came in ~25 pieces,
    # and every column operation downstream paid for each piece. A column of more than 2 GiB
    # of text (string's limit) raises an Arrow error here, and the caller reads with pandas.
    frame: pd.DataFrame = table.combine_chunks().to_pandas()
    frame.index = pd.RangeIndex(first, first + len(frame))
    return frame
