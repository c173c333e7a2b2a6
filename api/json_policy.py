"""The one JSON decoding policy of every JSON endpoint: strict RFC 8259, plus our own bounds.

400 ``malformed_json`` (the body is not JSON; orjson names line and column): syntax errors,
``NaN``/``Infinity``, a number that overflows a double (``1e400``), invalid UTF-8, a lone
surrogate, a byte-order mark, anything after the document.

422 ``invalid_input`` naming the JSON pointer of the place: a key repeated in one object, nesting
deeper than ``MAX_DEPTH``, a number of magnitude ≥ 2^63 (``NUMBER_BOUND``; no field of ours comes
near it, and databases store 64-bit integers at most), a string or key holding NUL (U+0000; no
database column can store it).

The common case costs one orjson parse and one walk that only counts keys and checks numbers;
the slower passes (naming the place, finding a repeated key) run only when the cheap checks
say something may be wrong.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

import orjson

from api.errors import MalformedJson
from risk.errors import FieldError, InvalidInput

MAX_DEPTH = 64  # FHIR Bundles nest ~15 deep; pydantic stops at 200, orjson at 1024
NUMBER_BOUND = 2**63
MAX_REPORTED = 20  # violations named in one answer
_NUL_ESCAPE = b"\\u0000"
# A key ends with a closing quote, optional whitespace and a colon; no other colon follows a
# quote outside a string, so this count bounds the number of keys the text holds.
_KEY_END = re.compile(rb'"[ \t\r\n]*:')


class _Refused(Exception):
    """The cheap walk met something the policy may refuse: the precise pass names it."""


def decode_json(raw: bytes) -> Any:
    """The JSON value of ``raw`` under the policy; MalformedJson (400) or InvalidInput (422)."""
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise MalformedJson("request body is not valid JSON", [FieldError("body", None, str(exc))]) from None
    try:
        keys = _count_keys([value], 0)
    except _Refused:
        keys = -1
    if keys < 0 or _NUL_ESCAPE in raw:
        _raise_violations(_violations(value))
    if raw.count(b":") != keys and len(_KEY_END.findall(raw)) != keys:
        _raise_violations(_repeated_keys(raw))
    return value


def _count_keys(node: Any, depth: int) -> int:
    # Exact type checks on purpose: bool is an int subclass and needs no bound.
    if depth > MAX_DEPTH:
        raise _Refused
    kind = type(node)
    if kind is dict:
        total = len(node)
        children = node.values()
    elif kind is list:
        total = 0
        children = node
    else:
        return 0
    for child in children:
        child_kind = type(child)
        if child_kind is dict or child_kind is list:
            total += _count_keys(child, depth + 1)
        elif (child_kind is int or child_kind is float) and not -NUMBER_BOUND < child < NUMBER_BOUND:
            raise _Refused
    return total


def _raise_violations(found: list[FieldError]) -> None:
    if found:
        shown = found[:MAX_REPORTED]
        more = " or more" if len(found) >= MAX_REPORTED else ""
        raise InvalidInput(f"the JSON body breaks the JSON policy at {len(shown)}{more} place(s)", shown)


def pointer(path: tuple[str | int, ...]) -> str:
    """The RFC 6901 JSON pointer of ``path`` ("" is the whole document)."""
    # NUL is spelt out: the pointer goes into an error body, which must not carry one either.
    escaped = (str(p).replace("~", "~0").replace("/", "~1").replace("\x00", "\\u0000") for p in path)
    return "".join("/" + part for part in escaped)


def _violations(value: Any) -> list[FieldError]:
    found: list[FieldError] = []
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(value, ())]
    while stack and len(found) < MAX_REPORTED:
        node, path = stack.pop()
        if len(path) >= MAX_DEPTH and isinstance(node, dict | list):
            found.append(FieldError(pointer(path), None, f"nesting deeper than {MAX_DEPTH} levels"))
        elif isinstance(node, dict):
            for key, child in reversed(node.items()):
                if "\x00" in key:
                    found.append(FieldError(pointer((*path, key)), None, "a key must not contain NUL"))
                stack.append((child, (*path, key)))
        elif isinstance(node, list):
            stack.extend((child, (*path, i)) for i, child in reversed(list(enumerate(node))))
        else:
            _check_scalar(node, path, found)
    return found


def _check_scalar(node: Any, path: tuple[str | int, ...], found: list[FieldError]) -> None:
    if isinstance(node, str) and "\x00" in node:
        found.append(FieldError(pointer(path), node.replace("\x00", "\\u0000"), "text must not contain NUL"))
    elif type(node) in (int, float) and not -NUMBER_BOUND < node < NUMBER_BOUND:
        found.append(FieldError(pointer(path), node, "a number's magnitude must be below 2^63"))


class _Repeated(dict[str, Any]):
    """A decoded object whose text repeated some keys."""

    repeated: list[str]


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) == len(pairs):
        return obj
    marked = _Repeated(obj)
    marked.repeated = sorted(k for k, n in Counter(k for k, _ in pairs).items() if n > 1)
    return marked


def _repeated_keys(raw: bytes) -> list[FieldError]:
    # The slow pass (the standard library's decoder sees every key/value pair): only when the
    # text may hold more keys than the decoded value.
    found: list[FieldError] = []
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(json.loads(raw, object_pairs_hook=_pairs), ())]
    while stack and len(found) < MAX_REPORTED:
        node, path = stack.pop()
        if isinstance(node, _Repeated):
            rule = "a key must appear once per object"
            found.extend(FieldError(pointer((*path, key)), None, rule) for key in node.repeated)
        if isinstance(node, dict):
            stack.extend((child, (*path, key)) for key, child in node.items())
        elif isinstance(node, list):
            stack.extend((child, (*path, i)) for i, child in enumerate(node))
    return sorted(found, key=lambda e: e.field)
