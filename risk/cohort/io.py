"""Cohort files in and out (CSV or Parquet, chosen by extension), a chunk at a time.

Reading yields raw chunks (CSV: every cell a string; Parquet: typed columns) so memory
stays bounded by ``chunk_rows`` whatever the file size. Writing renders dates as ISO
strings, bools as true/false and missing values as empty cells in CSV.
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Collection, Iterator
from pathlib import Path
from types import TracebackType

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from pandas.api.types import is_bool_dtype, is_datetime64_any_dtype

from risk.cohort.csv_read import NotForArrow, arrow_csv_chunks
from risk.cohort.csv_text import csv_parts
from risk.cohort.formula_cells import defuse_column
from risk.cohort.frame import reject_duplicate_columns, reject_foreign_separator
from risk.errors import InvalidCohort
from risk.whole_file import WholeFile

SUFFIXES = (".csv", ".parquet")
# Rows rendered at a time: bounds the rendered text (and keeps Arrow's 32-bit string offsets safe).
CSV_SLICE_ROWS = 100_000


def table_format(path: Path) -> str:
    """'csv' or 'parquet' from the file name; anything else is a user error."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise InvalidCohort(f"{path}: unsupported file type {suffix or '(none)'}; use .csv or .parquet")
    return suffix.lstrip(".")


def read_cohort_chunks(path: Path, chunk_rows: int = 100_000) -> Iterator[pd.DataFrame]:
    """Yield raw chunks of at most ``chunk_rows`` rows."""
    path = Path(path)
    kind = table_format(path)
    if not path.is_file():
        raise InvalidCohort(f"{path}: no such file")
    if kind == "csv":
        yield from _csv_chunks(path, chunk_rows)
    else:
        yield from _parquet_chunks(path, chunk_rows)


def _csv_header(path: Path) -> list[str]:
    """The header row as written (pandas renames a second ``sex`` to ``sex.1``)."""
    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        return next(csv.reader(handle), [])


def check_csv_header(path: Path) -> None:
    """Refuse, before any row is parsed, a header with a column twice or in another separator."""
    header = _csv_header(path)
    # A ';'-separated file with decimal commas fails the parse of its rows: its header says why.
    reject_foreign_separator(header)
    reject_duplicate_columns(header)


def _csv_chunks(path: Path, chunk_rows: int) -> Iterator[pd.DataFrame]:
    """Arrow's reader while it reads as pandas does; from the first chunk it cannot, pandas'."""
    check_csv_header(path)
    done = 0
    chunks = arrow_csv_chunks(path, chunk_rows)
    while True:
        try:
            chunk = next(chunks, None)
        except (NotForArrow, pa.ArrowException, ValueError):  # ValueError: pandas' parse and decode errors
            # pandas re-reads the chunks already yielded (they parse the same) and carries on.
            yield from itertools.islice(_pandas_csv_chunks(path, chunk_rows), done, None)
            return
        if chunk is None:
            return
        yield chunk
        done += 1


def _pandas_csv_chunks(path: Path, chunk_rows: int) -> Iterator[pd.DataFrame]:
    try:
        reader = pd.read_csv(path, dtype=str, keep_default_na=False, chunksize=chunk_rows, encoding="utf-8")
        with reader:
            yield from reader
    except UnicodeDecodeError as exc:
        raise InvalidCohort(f"{path}: not UTF-8: {_bad_byte_place(path)}; save the file as UTF-8") from exc
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InvalidCohort(f"{path}: not a readable CSV file ({exc})") from exc


def _bad_byte_place(path: Path) -> str:
    """Where the first byte that is not UTF-8 sits: data row (1 = first row under the header) and column."""
    with path.open(encoding="utf-8", errors="surrogateescape", newline="") as handle:
        rows = csv.reader(handle)
        header = next(rows, [])
        for number, row in enumerate(itertools.chain([header], rows)):
            for index, cell in enumerate(row):
                bad = next((ch for ch in cell if "\udc80" <= ch <= "\udcff"), None)
                if bad is None:
                    continue
                byte = f"byte 0x{ord(bad) - 0xDC00:02X}"
                if number == 0:
                    return f"{byte} in the header, column {index + 1}"
                column = header[index] if index < len(header) else f"{index + 1}"
                return f"{byte} in data row {number} (file line {rows.line_num}), column {column}"
    return "a byte that is not UTF-8"


def _parquet_chunks(path: Path, chunk_rows: int) -> Iterator[pd.DataFrame]:
    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise InvalidCohort(f"{path}: not a readable Parquet file ({exc})") from exc
    for batch in parquet.iter_batches(batch_size=chunk_rows):
        yield _lists_joined(batch).to_pandas(date_as_object=False)


def _lists_joined(batch: pa.RecordBatch) -> pa.RecordBatch:
    """A list-of-text column (Parquet's own form of ``treated_levels``) as the contract's ';'-joined cell.

    pandas turned it into arrays per row, read as the text "['L1' 'L2']": no level at all.
    """
    if not any(_is_text_list(field.type) for field in batch.schema):
        return batch
    columns = [_joined(c) if _is_text_list(c.type) else c for c in batch.columns]
    return pa.RecordBatch.from_arrays(columns, names=batch.schema.names)


def _joined(levels: pa.Array) -> pa.Array:
    # binary_join wants the separator in the list's own text type (large_string for large lists).
    return pc.binary_join(levels, pa.scalar(";", type=levels.type.value_type))


def _is_text_list(kind: pa.DataType) -> bool:
    lists = pa.types.is_list(kind) or pa.types.is_large_list(kind)
    return bool(lists and (pa.types.is_string(kind.value_type) or pa.types.is_large_string(kind.value_type)))


def csv_ready(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with dates as YYYY-MM-DD and bools as true/false (missing stays missing)."""
    out = frame.copy()
    for name in out.columns:
        column = out[name]
        if is_datetime64_any_dtype(column.dtype):
            out[name] = column.dt.strftime("%Y-%m-%d")
        elif is_bool_dtype(column.dtype):
            out[name] = column.map({True: "true", False: "false"}).astype(object)
    return out


def _plain_text(schema: pa.Schema) -> pa.Schema:
    """The schema with every text column as ``string``, whichever Arrow type its pandas column held.

    Text read from a file is ``large_string`` and labels built as objects are ``string``; one
    type for all text keeps the file's schema independent of how each column was made.
    """
    fields = [
        field.with_type(pa.string()) if pa.types.is_large_string(field.type) else field for field in schema
    ]
    return pa.schema(fields, metadata=schema.metadata)


def _dictionary_columns(schema: pa.Schema) -> list[str]:
    """Columns worth dictionary-encoding: all but floating point.

    Risks and measurements are nearly unique per row, so Arrow built and then dropped a
    dictionary for each of their pages: a third of the Parquet write time, for a larger file.
    """
    return [field.name for field in schema if not pa.types.is_floating(field.type)]


class TableWriter:
    """Append chunks to one CSV or Parquet file; the first chunk fixes the columns.

    The file appears whole when the writer closes without an error (a ``with`` block that
    ends normally, or ``close()``); a block left by an exception discards every chunk and
    leaves any earlier file at ``path`` as it was (``risk.whole_file``).

    ``echoed`` names columns that repeat untrusted text as it came in (an errors file's
    ``value``): in a CSV their formula-like cells are made inert (``risk.cohort.formula_cells``).
    """

    def __init__(self, path: Path, *, echoed: Collection[str] = ()) -> None:
        self.path = Path(path)
        self.kind = table_format(self.path)
        self._echoed = tuple(echoed)
        self._file = WholeFile(self.path)  # opened now: an unwritable output fails before any reading
        self._parquet: pq.ParquetWriter | None = None
        self._schema: pa.Schema | None = None
        self._started = False

    def write(self, frame: pd.DataFrame) -> None:
        """Append one chunk."""
        if self.kind == "csv":
            self._write_csv(frame)
        else:
            # One thread: a pool started per chunk cost more than the conversion it shares out.
            table = pa.Table.from_pandas(frame, schema=self._schema, preserve_index=False, nthreads=1)
            if self._parquet is None:
                table = table.cast(_plain_text(table.schema))
                self._schema = table.schema
                self._parquet = pq.ParquetWriter(
                    self._file.handle, table.schema, use_dictionary=_dictionary_columns(table.schema)
                )
            self._parquet.write_table(table)
        self._started = True

    def _write_csv(self, frame: pd.DataFrame) -> None:
        """Arrow-rendered slices (pandas for a slice the renderer declines): the same bytes either way."""
        handle = self._file.handle
        frame = self._defused(frame)
        for start in range(0, max(len(frame), 1), CSV_SLICE_ROWS):
            part = frame.iloc[start : start + CSV_SLICE_ROWS]
            header = not self._started and start == 0
            parts = csv_parts(part, header=header)
            if parts is None:
                handle.write(csv_ready(part).to_csv(None, header=header, index=False).encode("utf-8"))
            else:
                handle.writelines(parts)

    def _defused(self, frame: pd.DataFrame) -> pd.DataFrame:
        echoed = [name for name in self._echoed if name in frame.columns]
        if not echoed:
            return frame
        return frame.assign(**{name: defuse_column(frame[name]) for name in echoed})

    def close(self) -> None:
        """Finish the file and put it in place."""
        self._finish(keep=True)

    def abandon(self) -> None:
        """Drop every chunk written; whatever file was at ``path`` before stays."""
        self._finish(keep=False)

    def _finish(self, *, keep: bool) -> None:
        if self._parquet is not None:
            self._parquet.close()
        # A Parquet file with no chunk has no schema, so none is made.
        if keep and (self.kind == "csv" or self._parquet is not None):
            self._file.publish()
        else:
            self._file.discard()

    def __enter__(self) -> TableWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abandon()


def write_table(frame: pd.DataFrame, path: Path) -> None:
    """Write a whole frame (CSV or Parquet by extension)."""
    with TableWriter(path) as writer:
        writer.write(frame)
