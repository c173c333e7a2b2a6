"""The one JSON decoding policy: each refused class on both sides of its bound, and round trips."""

from __future__ import annotations

import json
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from api.errors import MalformedJson
from api.json_policy import MAX_DEPTH, NUMBER_BOUND, decode_json, pointer
from risk.errors import InvalidInput


def _refused(raw: bytes) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        decode_json(raw)
    return caught.value


def _nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


@pytest.mark.parametrize(
    "raw",
    [b'{"a": NaN}', b'{"a": Infinity}', b'{"a": -Infinity}', b'{"a": 1e400}', b'{"a": -1e400}',
     b'{"a": 1' + b"0" * 400 + b"}", b'{"a": "\\ud800"}', b'{"a": "\xff"}', b"\xef\xbb\xbf{}",
     b"{} x", b"", b'{"a": "x\x00"}', _nested(1025)],
)  # fmt: skip
def test_not_json_is_malformed_with_line_and_column(raw: bytes) -> None:
    error = _refused(raw)
    assert isinstance(error, MalformedJson)
    assert "line 1 column" in error.errors[0].rule


def test_nesting_is_refused_one_level_past_the_limit() -> None:
    assert decode_json(_nested(MAX_DEPTH)) == decode_json(_nested(MAX_DEPTH))
    error = _refused(_nested(MAX_DEPTH + 1))
    assert not isinstance(error, MalformedJson)
    assert error.errors[0].field == "/0" * MAX_DEPTH
    assert "deeper than 64" in error.errors[0].rule


@pytest.mark.parametrize("number", [NUMBER_BOUND - 1, -(NUMBER_BOUND - 1), 9.2e18, 0, -0.0, 1e-300])
def test_numbers_below_the_bound_pass(number: float) -> None:
    assert decode_json(orjson.dumps({"n": [number]})) == {"n": [number]}


@pytest.mark.parametrize(
    "literal", [b"9223372036854775808", b"-9223372036854775808", b"18446744073709551616", b"1e19", b"-9.3e18"]
)
def test_numbers_at_or_past_the_bound_are_refused_by_pointer(literal: bytes) -> None:
    error = _refused(b'{"batch": {"records": [1, ' + literal + b"]}}")
    assert [e.field for e in error.errors] == ["/batch/records/1"]


def test_a_repeated_key_is_refused_by_pointer_at_any_depth() -> None:
    error = _refused(b'{"records": [{"sex": "male"}, {"sex": "female", "age_years": 70, "sex": "male"}]}')
    assert [(e.field, e.rule) for e in error.errors] == [
        ("/records/1/sex", "a key must appear once per object")
    ]


def test_repeated_keys_hidden_behind_whitespace_and_escapes_are_found() -> None:
    assert _refused(b'{"a"\t:1, "a" \n : 2}').errors[0].field == "/a"
    assert _refused(b'{"\\u0061": 1, "a": 2}').errors[0].field == "/a"


def test_colons_and_quotes_inside_strings_are_not_keys() -> None:
    value = {"url": "http://x.example/a:b", "quote": 'say "x": y', "k": {"t": "10:00"}}
    assert decode_json(json.dumps(value, indent=2).encode()) == value


def test_nul_in_a_value_or_a_key_is_refused_by_pointer() -> None:
    error = _refused(b'{"pcp": {"name": "Dr \\u0000X"}, "k\\u0000": 1}')
    assert sorted(e.field for e in error.errors) == ["/k\\u0000", "/pcp/name"]
    assert all("\x00" not in e.field + str(e.value) for e in error.errors)


def test_an_escaped_backslash_before_u0000_is_not_nul() -> None:
    assert decode_json(b'{"a": "C:\\\\u0000"}') == {"a": "C:\\u0000"}


def test_pointer_escapes_per_rfc_6901() -> None:
    assert pointer(("a/b", "m~n", 0)) == "/a~1b/m~0n/0"
    assert pointer(()) == ""


def test_many_violations_are_capped() -> None:
    raw = orjson.dumps({"records": [NUMBER_BOUND] * 100})
    error = _refused(raw)
    assert len(error.errors) == 20
    assert "20 or more place(s)" in error.message


_text = st.text(alphabet=st.characters(blacklist_characters="\x00", blacklist_categories=["Cs"]))
_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(NUMBER_BOUND - 1), max_value=NUMBER_BOUND - 1)
    | st.floats(allow_nan=False, allow_infinity=False, min_value=-9e18, max_value=9e18)
    | _text
)
_documents = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_text, inner, max_size=4),
    max_leaves=30,
)


@settings(max_examples=200, deadline=None)
@given(_documents, st.booleans())
def test_every_document_within_the_policy_round_trips(document: Any, pretty: bool) -> None:
    raw = json.dumps(document, indent=1 if pretty else None, ensure_ascii=pretty).encode()
    assert decode_json(raw) == json.loads(raw)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(_text, _documents, min_size=1, max_size=4), st.data())
def test_a_key_written_twice_is_always_caught(obj: dict[str, Any], data: st.DataObject) -> None:
    key = data.draw(st.sampled_from(sorted(obj)))
    text = json.dumps(obj)
    repeated = text[:-1] + ", " + json.dumps(key) + ": " + json.dumps(obj[key]) + "}"
    with pytest.raises(InvalidInput, match="JSON policy"):
        decode_json(("[" + repeated + "]").encode())
