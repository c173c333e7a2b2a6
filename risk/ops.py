"""Operations that work alike on one record's scalars and on a cohort's numpy columns.

The rule table and the derived values are written once against these helpers, so the
API (one record, plain Python scalars, microseconds) and batch scoring (numpy arrays,
millions of rows) run the very same rule code.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd

Value: TypeAlias = Any  # a Python scalar (one record) or a numpy array (a cohort)


_ARRAY = np.ndarray


def is_array(value: Value) -> bool:
    """True when the value is a cohort column rather than one record's scalar."""
    return type(value) is _ARRAY  # exact type: faster than isinstance on the per-record path


def isnan(value: Value) -> Value:
    """Missing-number test: NaN marks a missing numeric field in both forms."""
    if type(value) is _ARRAY:  # inlined is_array: these run ~100 times per record
        return np.isnan(value)
    return math.isnan(value)


def notnan(value: Value) -> Value:
    """Present-number test."""
    if type(value) is _ARRAY:
        return ~np.isnan(value)
    return not math.isnan(value)


def not_(value: Value) -> Value:
    """Logical not (Python's ``~`` on a bool is an integer, hence this helper)."""
    if type(value) is _ARRAY:
        return np.logical_not(value)
    return not value


def any_nan(value: Value) -> bool:
    """True when the number is missing: for the record, or for any row of the cohort."""
    if type(value) is _ARRAY:
        return bool(np.isnan(value).any())
    return math.isnan(value)


def fill_nan(value: Value, fill: Value) -> Value:
    """The value where present, else ``fill``: ``where(isnan(value), fill, value)`` in one call."""
    if type(value) is _ARRAY:
        return np.where(np.isnan(value), fill, value)
    return fill if math.isnan(value) else value


def any_of(*values: Value) -> Value:
    """Logical or of several conditions."""
    result = values[0]
    for value in values[1:]:
        result = result | value
    return result


def all_of(*values: Value) -> Value:
    """Logical and of several conditions."""
    result = values[0]
    for value in values[1:]:
        result = result & value
    return result


def is_in(value: Value, allowed: frozenset[str]) -> Value:
    """Membership of an enum value in a set of allowed values."""
    if type(value) is _ARRAY:
        # pandas' hash table: np.isin sorts object arrays, three times slower on a cohort.
        return pd.Series(value, dtype=object, copy=False).isin(list(allowed)).to_numpy()
    return value in allowed


def fmin(*values: Value) -> Value:
    """Minimum ignoring missing values; NaN only when every value is missing."""
    if _ARRAY in map(type, values):  # C-level scan: this runs on every scored record
        result = np.asarray(values[0], dtype=float)
        for value in values[1:]:
            result = np.fmin(result, value)
        return result
    present = [v for v in values if not math.isnan(v)]
    return min(present) if present else math.nan


def where(condition: Value, if_true: Value, if_false: Value) -> Value:
    """Element-wise choice."""
    if type(condition) is _ARRAY:
        return np.where(condition, if_true, if_false)
    return if_true if condition else if_false


def first_match(conditions: Sequence[Value], choices: Sequence[str], default: str) -> Value:
    """The choice of the first condition that holds (a precedence table), else default."""
    if _ARRAY in map(type, conditions):
        n = next(len(c) for c in conditions if type(c) is _ARRAY)
        broadcast = [np.broadcast_to(np.asarray(c, dtype=bool), (n,)) for c in conditions]
        # Select small integer positions, then take labels: far cheaper than np.select on
        # object arrays of strings.
        position = np.select(broadcast, list(range(len(choices))), default=len(choices))
        labels = np.array([*choices, default], dtype=object)
        selected: npt.NDArray[np.object_] = labels[position]
        return selected
    for condition, choice in zip(conditions, choices, strict=True):
        if condition:
            return choice
    return default
