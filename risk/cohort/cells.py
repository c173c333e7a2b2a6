"""Column-at-a-time parsing of cohort cells by contract type, vectorised (no per-row Python).

CSV cells arrive as strings (empty = missing); Parquet columns may already be typed.
Each parser returns the normalised column (bad cells made missing) and, per broken
rule, a boolean mask of the offending rows. Columns are built on fresh arrays with
``copy=False``: pandas 3 copies a numpy array given to ``pd.Series`` otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.api.types import is_bool_dtype, is_datetime64_any_dtype, is_numeric_dtype

from risk.cohort.arrow_bytes import byte_lengths, empty_cells, holds_any
from risk.cohort.columns import ColumnSpec
from risk.contract.patient import ISO_DATE_PATTERN

Mask = npt.NDArray[np.bool_]
TRUE_WORDS = ("true", "1", "yes")
FALSE_WORDS = ("false", "0", "no")
DATE_LENGTH = len("YYYY-MM-DD")
NUL_RULE = "text must not contain NUL"
# What RE2's \s matches (and \v): a column holding none of them needs no blank removal.
ASCII_BLANKS = b"\t\n\v\f\r "
# True words first: a word's position below len(TRUE_WORDS) means true; "" is a missing cell.
CANONICAL_BOOL_WORDS = pa.array([*TRUE_WORDS, *FALSE_WORDS, ""], type=pa.large_string())


@dataclass
class Parsed:
    """A normalised column plus the rows that broke each rule."""

    values: pd.Series
    problems: list[tuple[Mask, str]] = field(default_factory=list)


def text_of(raw: pd.Series) -> pd.Series:
    """The column as strings, missing as the empty string."""
    if raw.dtype == "str":
        return raw.fillna("")
    return raw.astype(object).where(raw.notna(), "").astype(str)


def _arrow_text(raw: pd.Series) -> pa.Array:
    """The column as Arrow text (``large_string``, what pandas' str dtype stores), missing as ''."""
    return pa.array(text_of(raw), type=pa.large_string())


def _nulled(text: pa.Array, missing: Mask) -> pa.Array:
    """Arrow text with the missing cells null, so that a cast leaves them missing."""
    return pc.if_else(pa.array(missing), None, text)


def missing_of(raw: pd.Series) -> Mask:
    """Rows where the cell is empty or missing."""
    if raw.dtype == "str":  # read off Arrow's offsets, where the text lives: no filled copy
        return empty_cells(pa.array(raw))
    missing = raw.isna().to_numpy(dtype=bool, copy=True)
    if not (is_numeric_dtype(raw.dtype) or is_datetime64_any_dtype(raw.dtype)):
        missing |= (text_of(raw) == "").to_numpy(dtype=bool)
    return missing


def parse_column(spec: ColumnSpec, raw: pd.Series) -> Parsed:
    """Parse and check one contract column; defaults fill missing cells."""
    missing = missing_of(raw)
    parsed = _PARSERS[spec.kind](spec, raw, missing)
    if spec.required or not (spec.nullable or spec.has_default):
        parsed.problems.insert(0, (missing, "is required"))
    return parsed


def _to_float(raw: pd.Series, missing: Mask) -> npt.NDArray[np.float64]:
    if is_numeric_dtype(raw.dtype) and not is_bool_dtype(raw.dtype):
        return raw.to_numpy(dtype=float, na_value=np.nan)
    try:  # Arrow's parser is exact and fast; it rejects the whole column on one bad cell
        array = pc.cast(_nulled(_arrow_text(raw), missing), pa.float64())
        return np.asarray(array.to_numpy(zero_copy_only=False), dtype=float)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        cells = text_of(raw).mask(missing)
        return pd.to_numeric(cells, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _range_rule(spec: ColumnSpec) -> str:
    parts = [
        f"{word} {getattr(spec, key):g}"
        for key, word in (("ge", "≥"), ("gt", ">"), ("le", "≤"), ("lt", "<"))
        if getattr(spec, key) is not None
    ]
    return "must be " + " and ".join(parts)


def _out_of_range(spec: ColumnSpec, values: npt.NDArray[np.float64]) -> Mask:
    with np.errstate(invalid="ignore"):
        bad = np.zeros(len(values), dtype=bool)
        if spec.ge is not None:
            bad |= values < spec.ge
        if spec.gt is not None:
            bad |= values <= spec.gt
        if spec.le is not None:
            bad |= values > spec.le
        if spec.lt is not None:
            bad |= values >= spec.lt
    return bad


def _numbers(spec: ColumnSpec, raw: pd.Series, missing: Mask) -> Parsed:
    values = _to_float(raw, missing)
    not_number = ~missing & ~np.isfinite(values)
    if is_bool_dtype(raw.dtype):  # a typed bool column is never a number
        not_number = ~missing
    problems = [(not_number, "must be a number")]
    ok = ~missing & ~not_number
    if spec.kind == "integer":
        # trunc, not mod: the same test for finite cells at a seventieth of the cost.
        not_whole = ok & (np.trunc(values) != values)
        problems.append((not_whole, "must be a whole number"))
    problems.append((ok & _out_of_range(spec, values), _range_rule(spec)))
    if spec.choices:
        allowed = ", ".join(str(c) for c in spec.choices)
        problems.append((ok & ~np.isin(values, spec.choices), f"must be one of: {allowed}"))
    default = np.nan if spec.default is None else float(spec.default)
    values = np.where(ok, values, default)
    return Parsed(pd.Series(values, index=raw.index, dtype="float64", copy=False), problems)


def _dates(spec: ColumnSpec, raw: pd.Series, missing: Mask) -> Parsed:
    del spec
    if is_datetime64_any_dtype(raw.dtype):
        return _typed_dates(raw, missing)
    clean = _clean_dates(raw, missing)
    if clean is not None:  # no bad cell, so no problem to report
        return Parsed(clean)
    text = text_of(raw).str.strip()
    values = pd.to_datetime(text.mask(missing), format="%Y-%m-%d", errors="coerce")
    # The shape in ASCII digits: pandas' %Y also takes "２０２４" (full-width), which the API refuses.
    shaped = text.str.fullmatch(ISO_DATE_PATTERN).to_numpy(dtype=bool, na_value=False)
    bad = ~missing & (values.isna().to_numpy() | ~shaped)
    values = values.astype("datetime64[us]").mask(bad)
    return Parsed(values, [(bad, "must be a date YYYY-MM-DD")])


def _clean_dates(raw: pd.Series, missing: Mask) -> pd.Series | None:
    """A text date column in which every cell is a valid YYYY-MM-DD, parsed by Arrow; else None.

    Arrow's date cast is strict (2021-02-29 and 2020-1-5 fail) but fails the whole column on
    one bad cell, so a column with any bad cell goes through pandas to name each one.
    Only ASCII blanks are trimmed here: any other blank also falls back, as Python strips more.
    """
    text = _arrow_text(raw)
    if holds_any(text, ASCII_BLANKS):
        text = pc.ascii_trim_whitespace(text)
    # Bytes, not characters: a cell of ten bytes that is no ASCII date fails the cast below.
    if not (byte_lengths(text)[~missing] == DATE_LENGTH).all():
        return None
    try:
        days = pc.cast(_nulled(text, missing), pa.date32())
    except pa.ArrowInvalid:
        return None
    stamps = pc.cast(days, pa.timestamp("us")).to_numpy(zero_copy_only=False)
    return pd.Series(stamps, index=raw.index)


def _typed_dates(raw: pd.Series, missing: Mask) -> Parsed:
    """A Parquet timestamp column: a date only if it carries no time of day and no zone."""
    if getattr(raw.dtype, "tz", None) is not None:
        unset = pd.Series(np.full(len(raw), np.datetime64("NaT", "us")), index=raw.index)
        return Parsed(unset, [(~missing, "must be a date YYYY-MM-DD, not a timestamp with a time zone")])
    stamps = raw.to_numpy(dtype="datetime64[us]")
    # NaT compares unequal to itself, hence ~missing; numpy's day cast is pandas' normalize.
    timed = ~missing & (stamps != stamps.astype("datetime64[D]").astype("datetime64[us]"))
    rule = "must be a date YYYY-MM-DD, not a timestamp with a time of day"
    values = np.where(timed, np.datetime64("NaT", "us"), stamps)
    return Parsed(pd.Series(values, index=raw.index, copy=False), [(timed, rule)])


def _not_text(raw: pd.Series, missing: Mask) -> Mask:
    """Rows of a typed (number, bool, timestamp) column given where text is required."""
    typed = is_numeric_dtype(raw.dtype) or is_bool_dtype(raw.dtype) or is_datetime64_any_dtype(raw.dtype)
    return ~missing if typed else np.zeros(len(raw), dtype=bool)


def _bools(spec: ColumnSpec, raw: pd.Series, missing: Mask) -> Parsed:
    if is_bool_dtype(raw.dtype):
        truth = raw.fillna(False).to_numpy(dtype=bool)
        bad = np.zeros(len(raw), dtype=bool)
    else:
        truth, bad = _bool_words(raw, missing)
    problems = [(bad, "must be true or false (true/false, 1/0, yes/no)")]
    if spec.nullable:
        values = pd.array(truth, dtype="boolean")
        values[missing | bad] = pd.NA
        return Parsed(pd.Series(values, index=raw.index), problems)
    filled = np.where(missing, bool(spec.default), truth)
    return Parsed(pd.Series(filled, index=raw.index, dtype=bool, copy=False), problems)


def _bool_words(raw: pd.Series, missing: Mask) -> tuple[Mask, Mask]:
    """Text cells as truth values and the rows that are no bool word.

    A column of canonical words (true, 0, no, …, or empty) is looked up in Arrow at once;
    any other cell (a capital, a blank around it, a typo) sends the column through pandas'
    strip and lower, which the contract allows.
    """
    code = pc.index_in(_arrow_text(raw), value_set=CANONICAL_BOOL_WORDS)
    if code.null_count == 0:
        truth = np.asarray(code.to_numpy(zero_copy_only=False)) < len(TRUE_WORDS)
        return truth, np.zeros(len(raw), dtype=bool)
    words = text_of(raw).str.strip().str.lower()
    truth = words.isin(TRUE_WORDS).to_numpy()
    return truth, ~missing & ~truth & ~words.isin(FALSE_WORDS).to_numpy()


def _enums(spec: ColumnSpec, raw: pd.Series, missing: Mask) -> Parsed:
    """An enum column as an object column of its labels (facts use it as it is, no copy per row).

    Each cell is looked up once in Arrow; the labels are then taken from the few allowed
    values, so a million cells do not become a million Python strings.
    """
    code = pc.index_in(_arrow_text(raw), value_set=pa.array(spec.choices, type=pa.large_string()))
    known = ~np.asarray(code.is_null().to_numpy(zero_copy_only=False), dtype=bool)
    bad = ~missing & (~known | _not_text(raw, missing))
    rule = "must be one of: " + ", ".join(str(c) for c in spec.choices)
    labels = np.array([*spec.choices, "" if spec.default is None else str(spec.default)], dtype=object)
    # A copy: Arrow's buffers are read-only and the bad rows are set below.
    positions = np.array(pc.fill_null(code, len(spec.choices)).to_numpy(zero_copy_only=False))
    positions[missing | bad] = len(spec.choices)
    return Parsed(pd.Series(labels[positions], index=raw.index, dtype=object, copy=False), [(bad, rule)])


def _strings(spec: ColumnSpec, raw: pd.Series, missing: Mask) -> Parsed:
    text = text_of(raw)
    # A Parquet number is not an identifier: 123 and 123.0 would both pass as text.
    problems: list[tuple[Mask, str]] = [(_not_text(raw, missing), "must be text")]
    if spec.max_length is not None:
        too_long = ~missing & (text.str.len() > spec.max_length).to_numpy()
        problems.append((too_long, f"must be at most {spec.max_length} characters"))
    if spec.pattern is not None:
        matches = text.str.fullmatch(spec.pattern).to_numpy(dtype=bool, na_value=False)
        problems.append((~missing & ~matches, f"must match {spec.pattern}"))
    # As the API's JSON policy: NUL ends a C string (PDF, database drivers) and is never text.
    if holds_any(pa.array(text, type=pa.large_string()), b"\x00"):
        problems.append(
            (text.str.contains("\x00", regex=False).to_numpy(dtype=bool, na_value=False), NUL_RULE)
        )
    return Parsed(text.mask(missing), problems)


def _trimmed_levels(text: pa.Array) -> pa.Array:
    """Each ``;``-separated level with the blanks around it removed, the blanks inside kept."""
    return pc.utf8_trim_whitespace(pc.replace_substring_regex(text, r"\s*;\s*", ";"))


def _levels(spec: ColumnSpec, raw: pd.Series, missing: Mask) -> Parsed:
    text = _arrow_text(raw)
    # Blanks around a level are trimmed, never inside one: "T1 2" is no level (it was read as T12).
    arrow = _trimmed_levels(text) if holds_any(text, ASCII_BLANKS) else text
    cleaned = pd.Series(arrow, index=raw.index, dtype="str")
    tokens = pc.split_pattern(arrow, ";")
    parent = pc.list_parent_indices(tokens).to_numpy()
    code = pc.index_in(pc.list_flatten(tokens), value_set=pa.array(spec.choices))
    known = ~code.is_null().to_numpy(zero_copy_only=False)
    unknown = ~missing & (np.bincount(parent, weights=~known, minlength=len(raw)) > 0)
    # Sorting (row, level) keys puts a repeated level of one row next to itself.
    width = len(spec.choices)
    keys = np.sort(parent[known] * width + code.drop_null().to_numpy())
    repeated = np.zeros(len(raw), dtype=bool)
    repeated[keys[1:][keys[1:] == keys[:-1]] // width] = True
    problems = [
        (unknown, "each level must be one of " + ", ".join(spec.choices) + ", separated by ;"),
        (~missing & ~unknown & repeated, "must not repeat a level"),
    ]
    return Parsed(cleaned.mask(missing), problems)


def absent_column(spec: ColumnSpec, index: pd.Index) -> pd.Series:
    """The normalised column of a field the file does not carry: its default everywhere."""
    n = len(index)
    if spec.kind in ("number", "integer"):
        fill = np.nan if spec.default is None else float(spec.default)
        return pd.Series(np.full(n, fill), index=index, dtype="float64")
    if spec.kind == "date":
        return pd.Series(np.full(n, np.datetime64("NaT", "us")), index=index)
    if spec.kind == "bool" and spec.nullable:
        return pd.Series(pd.array([pd.NA] * n, dtype="boolean"), index=index)
    if spec.kind == "bool":
        return pd.Series(np.full(n, bool(spec.default)), index=index, dtype=bool)
    fill_text = None if spec.default is None else str(spec.default)
    if spec.kind == "enum":  # object labels, as _enums gives them; NaN where there is no default
        return pd.Series(np.full(n, np.nan if fill_text is None else fill_text, dtype=object), index=index)
    return pd.Series(fill_text, index=index, dtype="str")


_PARSERS = {
    "number": _numbers,
    "integer": _numbers,
    "date": _dates,
    "bool": _bools,
    "enum": _enums,
    "string": _strings,
    "levels": _levels,
}
