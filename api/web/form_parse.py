"""Form ↔ PatientRecord: parse posted strings by contract kind, and put errors next to their field."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails
from starlette.datastructures import FormData

from api.web.form_fields import FIELDS, FormField
from risk.contract import PatientRecord

FormValues = dict[str, str | list[str]]
TRISTATE = {"yes": True, "no": False}
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Widgets whose input is always posted (unchecked checkboxes and empty level lists are not).
ALWAYS_POSTED = frozenset({"number", "date", "select", "tristate", "text"})
ABSENT = "This field was not sent with the form; reload the page and try again."


class _BadValue(ValueError):
    """A posted string that is not of the field's kind."""


@dataclass
class ParsedForm:
    """What was posted (for re-display), the record if valid, and a message per broken field."""

    values: FormValues
    record: PatientRecord | None = None
    errors: dict[str, str] = field(default_factory=dict)


def form_values(form: FormData) -> FormValues:
    """The posted values of the assessment form's fields, as strings (lists for levels)."""
    values: FormValues = {}
    for name, form_field in FIELDS.items():
        if form_field.widget == "levels":
            values[name] = [str(v) for v in form.getlist(name)]
        else:
            raw = form.get(name)
            values[name] = raw.strip() if isinstance(raw, str) else ""
    return values


def absent_fields(form: FormData) -> list[str]:
    """Inputs the page always sends but this post lacks: a broken or forged form, never a blank."""
    return [name for name, f in FIELDS.items() if f.widget in ALWAYS_POSTED and name not in form]


def _date(text: str) -> str:
    """The typed date, if it is a real YYYY-MM-DD day; never reinterpreted, never blanked."""
    if not ISO_DATE.fullmatch(text):
        raise _BadValue("Enter the date as YYYY-MM-DD, for example 2024-03-05.")
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        raise _BadValue(f"{text} is not a real date: check the month and the day.") from None
    return text


def _number(text: str, form_field: FormField) -> float | int:
    try:
        number = float(text)
    except ValueError:
        raise _BadValue("Enter a number.") from None
    if not math.isfinite(number):
        raise _BadValue("Enter a number.")
    if form_field.spec.kind == "integer":
        if not number.is_integer():
            raise _BadValue("Enter a whole number.")
        return int(number)
    return number


def _tristate(text: str, _form_field: FormField) -> Any:
    return TRISTATE.get(text, text)


def _text(text: str, _form_field: FormField) -> Any:
    return text


# widget → parser of a non-blank posted string (checkboxes and levels are handled first).
_PARSERS = {
    "tristate": _tristate,
    "number": _number,
    "date": lambda text, _f: _date(text),
    "select": _text,
    "text": _text,
}


def _parse_one(form_field: FormField, raw: str | list[str]) -> Any:
    """The JSON value of one input; None means 'not given' (the contract default applies)."""
    widget = form_field.widget
    if widget == "levels":
        return list(raw) or None
    assert isinstance(raw, str)
    if widget == "checkbox":
        return raw != ""
    if raw == "":
        return None
    return _PARSERS[widget](raw, form_field)


def parse_record(
    values: FormValues, names: Mapping[str, str] | None = None, absent: Iterable[str] = ()
) -> ParsedForm:
    """Validate the form as a PatientRecord (strict JSON path); ``names`` adds the letter-only fields.

    A blank input means "not given" (the contract default applies); an input missing from the
    post (``absent``) or holding an unreadable value is an error at that field, never a default.
    """
    parsed = ParsedForm(values)
    parsed.errors.update(dict.fromkeys(absent, ABSENT))
    data: dict[str, Any] = {k: v for k, v in (names or {}).items() if v}
    for name, form_field in FIELDS.items():
        if name in parsed.errors:
            continue
        try:
            value = _parse_one(form_field, values.get(name, ""))
        except _BadValue as bad:
            parsed.errors[name] = str(bad)
            continue
        if value is not None:
            data[name] = value
    try:
        record = PatientRecord.model_validate_json(json.dumps(data))
    except ValidationError as error:
        for detail in error.errors(include_url=False):
            name = str(detail["loc"][0]) if detail["loc"] else "patient_id"
            parsed.errors.setdefault(name, field_message(name, detail))
        return parsed
    if not parsed.errors:
        parsed.record = record
    return parsed


def _unit(name: str) -> str:
    form_field = FIELDS.get(name)
    return f" {form_field.unit}" if form_field and form_field.unit else ""


def _number_text(value: object) -> str:
    """25.0 → '25', -2.5 → '-2.5' (limits read as a person writes them)."""
    return f"{value:g}" if isinstance(value, float) else str(value)


def field_message(name: str, detail: ErrorDetails) -> str:
    """A pydantic error on field ``name`` as a sentence for the person at the form (rule and limit)."""
    ctx: dict[str, Any] = dict(detail.get("ctx") or {})
    kind = detail["type"]
    bounds = {
        "greater_than_equal": ("at least", "ge"),
        "less_than_equal": ("at most", "le"),
        "greater_than": ("more than", "gt"),
        "less_than": ("less than", "lt"),
    }
    if kind in bounds:
        words, key = bounds[kind]
        return f"Must be {words} {_number_text(ctx.get(key))}{_unit(name)}."
    messages = {
        "missing": "Required." if name != "treated_levels" else "Choose at least one treated level.",
        "too_short": "Choose at least one treated level.",
        "string_pattern_mismatch": "Use 1–64 letters, digits, dots, underscores or hyphens (never a name).",
        "string_too_long": f"Use at most {ctx.get('max_length')} characters.",
        "literal_error": "Choose one of the listed options.",
        "bool_type": "Choose yes, no or not known.",
    }
    if kind in messages:
        return messages[kind]
    if kind.startswith("date"):
        return "Enter a date as YYYY-MM-DD."
    text = str(detail["msg"])
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def values_from_record(data: Mapping[str, Any], base: FormValues) -> FormValues:
    """Form values showing a record's JSON (a sample patient), over ``base`` defaults."""
    values = dict(base)
    for name, form_field in FIELDS.items():
        if name not in data or data[name] is None:
            continue
        value = data[name]
        if form_field.widget == "levels":
            values[name] = [str(v) for v in value]
        elif form_field.widget == "checkbox":
            values[name] = "on" if value else ""
        elif form_field.widget == "tristate":
            values[name] = "yes" if value else "no"
        else:
            values[name] = str(value)
    return values


def record_json_without_names(record: PatientRecord) -> str:
    """The record as JSON for the referral form's hidden field (names are asked for there)."""
    return record.model_dump_json(exclude={"given_name", "family_name"}, exclude_none=True)
