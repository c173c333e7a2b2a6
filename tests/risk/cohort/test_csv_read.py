"""The Arrow CSV reader yields exactly the chunks (and errors) of the pandas reader it stands in for."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from risk.cohort import csv_read, read_cohort_chunks
from risk.cohort.csv_read import NotForArrow, arrow_csv_chunks
from risk.cohort.io import _pandas_csv_chunks
from risk.errors import InvalidCohort
from risk.synth import synthesize, write_csv

FILES: dict[str, bytes] = {
    "plain": b"a,b\n1,2\n3,4\n5,6\n",
    "utf-8 BOM": b"\xef\xbb\xbfa,b\n1,2\n",
    "space before quote": b'a,b\n1, "x"\n',
    "quote inside a cell": b'a,b\n1,ab"c\n',
    "text after a closing quote": b'a,b\n1,"ab"c\n',
    "quote left open at the end": b'a,b\n1,2\n3,"ab\n',
    "quote left open, no newline": b'a,b\n1,"ab',
    "closed empty quotes at the end": b'a,b\n1,""',
    "open quote swallowing rows": b'a,b\n1,"ab\n2,3\n4,5\n',
    "CR line ends": b"a,b\r1,2\r3,4\r",
    "CRLF line ends": b"a,b\r\n1,2\r\n3,4\r\n",
    "row of empty cells": b"a,b\n,\n1,2\n",
    "blank lines": b"a,b\n\n1,2\n\n\n3,4\n",
    "whitespace-only line": b"a,b\n  \n1,2\n",
    "header only": b"a,b\n",
    "header only, no newline": b"a,b",
    "NUL byte": b"a,b\n1,\x002\n",
    "empty file": b"",
    "duplicate header": b"a,a\n1,2\n",
    "empty header name": b"a,,b\n1,2,3\n",
    "short row": b"a,b,c\n1,2,3\n1,2\n",
    "long row": b"a,b\n1,2\n1,2,3\n",
    "long row after many": b"a,b\n" + b"1,2\n" * 9 + b"1,2,3\n",
    "newline in quotes": b'a,b\n1,"x\ny"\n2,3\n',
    "doubled quotes": b'a,b\n1,"x""y"\n',
    "no final newline": b"a,b\n1,2",
    "not UTF-8": b"a,b\n1,2\n3,\xff\n",
    "not UTF-8 in header": b"a,\xffb\n1,2\n",
    "unicode": "a,b\nZoë,漢字\n".encode(),
}

# Where the cohort reader refuses a file on purpose that pandas would read (renaming the second
# ``a`` to ``a.1``, so a duplicated field looked like an unknown one).
REFUSED = {"duplicate header": "InvalidCohort: duplicate column(s): a; each field may appear once"}


def _outcome(chunks: Iterator[pd.DataFrame]) -> list[pd.DataFrame] | str:
    try:
        return list(chunks)
    except InvalidCohort as exc:
        return f"InvalidCohort: {exc}"


@pytest.mark.parametrize("chunk_rows", [1, 2, 100])
@pytest.mark.parametrize("name", list(FILES))
def test_same_chunks_or_error_as_pandas(tmp_path: Path, name: str, chunk_rows: int) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(FILES[name])
    ours, theirs = (
        _outcome(read_cohort_chunks(path, chunk_rows)),
        _outcome(_pandas_csv_chunks(path, chunk_rows)),
    )
    if name in REFUSED:
        assert ours == REFUSED[name] and not isinstance(theirs, str)
        return
    if isinstance(theirs, str) or isinstance(ours, str):
        assert ours == theirs
        return
    assert len(ours) == len(theirs)
    for mine, reference in zip(ours, theirs, strict=True):
        pd.testing.assert_frame_equal(mine, reference, check_exact=True)


@pytest.mark.parametrize(
    "name",
    ["plain", "space before quote", "text after a closing quote", "CRLF line ends", "newline in quotes"],
)
def test_well_formed_files_are_read_by_arrow(tmp_path: Path, name: str) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(FILES[name])
    assert list(arrow_csv_chunks(path, 2))


@pytest.mark.parametrize("name", ["quote left open at the end", "header only", "duplicate header"])
def test_files_arrow_would_misread_go_to_pandas(tmp_path: Path, name: str) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(FILES[name])
    with pytest.raises(NotForArrow):
        list(arrow_csv_chunks(path, 2))


@pytest.mark.parametrize("block_bytes", [csv_read.BLOCK_BYTES, 50_000])
def test_a_synthetic_cohort_reads_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block_bytes: int
) -> None:
    monkeypatch.setattr(csv_read, "BLOCK_BYTES", block_bytes)  # small blocks: chunks span Arrow batches
    path = tmp_path / "c.csv"
    write_csv(synthesize(3_000, seed=4).cohort, path)
    ours, theirs = list(arrow_csv_chunks(path, 700)), list(_pandas_csv_chunks(path, 700))
    assert len(ours) == len(theirs) == 5
    for mine, reference in zip(ours, theirs, strict=True):
        pd.testing.assert_frame_equal(mine, reference, check_exact=True)


@pytest.mark.parametrize("block_bytes", [1, 3, 1 << 24])
def test_a_quote_and_a_non_ascii_byte_are_found_wherever_they_lie(tmp_path: Path, block_bytes: int) -> None:
    # Quote-free files are parsed without Arrow's slower newlines-in-values mode, and ASCII
    # files without its UTF-8 validation: the scan must miss neither, across block edges.
    path = tmp_path / "f.csv"
    path.write_bytes(b"a,b\n1,2\n3,4\n")
    assert csv_read.scan_bytes(path, block_bytes) == csv_read.ByteScan(quote=False, ascii=True)
    path.write_bytes(b'a,b\n1,2\n3,"x\ny"\n')
    assert csv_read.scan_bytes(path, block_bytes) == csv_read.ByteScan(quote=True, ascii=True)
    path.write_bytes("a,b\n1,2\n3,Jos\u00e9\n".encode())
    assert csv_read.scan_bytes(path, block_bytes) == csv_read.ByteScan(quote=False, ascii=False)
    path.write_bytes(b'a,b\n"\xff",2\n')
    assert csv_read.scan_bytes(path, block_bytes) == csv_read.ByteScan(quote=True, ascii=False)
    path.write_bytes(b"")
    assert csv_read.scan_bytes(path, block_bytes) == csv_read.ByteScan(quote=False, ascii=True)
