"""Small typed readers over FHIR JSON dicts: codings, dates, references, quantities."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from api.fhir.terminology import SYSTEM_OIDS, Code, lookup

JSON = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Entry:
    """One resource of the bundle and the reference other resources use for it."""

    resource: JSON
    reference: str
    full_url: str | None = None

    @property
    def type(self) -> str:
        """The resourceType."""
        return str(self.resource.get("resourceType"))


def as_dict(value: Any) -> JSON:
    """``value`` if it is a dict, else an empty dict."""
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    """``value`` if it is a list, else an empty list."""
    return value if isinstance(value, list) else []


def text(value: Any) -> str | None:
    """``value`` if it is a string, else None."""
    return value if isinstance(value, str) else None


def codings(concept: Any) -> Iterator[JSON]:
    """The codings of a CodeableConcept, a code system given by its HL7 OID named by its URI."""
    for item in as_list(as_dict(concept).get("coding")):
        coding = as_dict(item)
        system = coding.get("system")
        uri = SYSTEM_OIDS.get(system) if isinstance(system, str) else None
        yield coding if uri is None else coding | {"system": uri}


def known_code(concept: Any) -> Code | None:
    """The first coding of a CodeableConcept that the terminology module knows."""
    for coding in codings(concept):
        code = lookup(text(coding.get("system")), text(coding.get("code")))
        if code is not None:
            return code
    return None


def describe_codes(concept: Any) -> str:
    """'system|code, …' of a CodeableConcept (or its text), for report lines."""
    parts = [f"{coding.get('system')}|{coding.get('code')}" for coding in codings(concept)]
    return ", ".join(parts) or repr(text(as_dict(concept).get("text")))


def status_code(concept: Any, system: str) -> str | None:
    """The code of the first coding in ``system`` of a CodeableConcept status."""
    return next((text(c.get("code")) for c in codings(concept) if c.get("system") == system), None)


def parse_date(value: Any) -> dt.date | None:
    """The calendar date of a FHIR date / dateTime / instant string (a partial date is its first day)."""
    raw = text(value)
    if not raw:
        return None
    parts = raw[:10].split("-")
    try:
        numbers = [int(p) for p in parts] + [1] * (3 - len(parts))
        return dt.date(numbers[0], numbers[1], numbers[2])
    except (ValueError, IndexError):
        return None


def first_date_text(resource: JSON, *fields: str) -> str | None:
    """The text of the first parseable date among ``fields``; a Period field gives its end, else its start."""
    for name in fields:
        value = resource.get(name)
        for candidate in (value.get("end"), value.get("start")) if isinstance(value, dict) else (value,):
            if parse_date(candidate) is not None:
                return text(candidate)
    return None


def first_date(resource: JSON, *fields: str) -> dt.date | None:
    """The first parseable date among ``fields``; a Period field gives its end, else its start."""
    return parse_date(first_date_text(resource, *fields))


def partial_date_note(raw: str | None, what: str, consequence: str) -> str | None:
    """A report note when ``raw`` gives only a year or a month ('1948' → 1948-01-01), else None."""
    if raw is None or len(raw[:10].split("-")) == 3:
        return None
    span = "year" if len(raw[:10].split("-")) == 1 else "month"
    return f"{what} {raw!r} is partial: taken as {parse_date(raw)}, up to a {span} early; {consequence}"


def reference_of(value: Any) -> str | None:
    """The ``reference`` string of a Reference."""
    return text(as_dict(value).get("reference"))


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months earlier (clamped to the month's last day)."""
    return add_months(day, -months)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months later (earlier if negative), clamped."""
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    for candidate_day in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month + 1, candidate_day)
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover
