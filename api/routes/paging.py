"""Bounds of the list routes' query parameters and the absolute URL of their next page.

Every integer a query can carry is bounded, so none reaches the database beyond what its
column holds (ids are 32-bit). ``next`` links are built on ``OSTEOREF_PUBLIC_BASE_URL``, never
on the request's Host header, which the client controls.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Query, Request

from api.settings import Settings
from risk.errors import FieldError, InvalidInput

MAX_OFFSET = 2**31 - 1
MAX_ID = 2**31 - 1  # the id columns are 32-bit integers
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description=f"Items to skip (0–{MAX_OFFSET}).")]


def next_url(request: Request, settings: Settings, offset: int) -> str:
    """The URL of the page starting at ``offset``: the same path and filters, on the public base URL."""
    query = request.url.include_query_params(offset=offset).query
    return f"{settings.public_base_url.rstrip('/')}{request.url.path}?{query}"


def utc_instant(name: str, value: dt.datetime | None) -> dt.datetime | None:
    """``value`` in UTC (a time without a zone is UTC); 422 if it has no UTC equivalent."""
    if value is None:
        return None
    try:
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
    except OverflowError:
        raise InvalidInput(
            f"{name}: outside the representable range",
            [FieldError(name, value, "a time between years 1 and 9999 UTC")],
        ) from None


def before_last_day(name: str, value: dt.date | None) -> dt.date | None:
    """``value`` if a following day exists (the filters run to the end of the given day)."""
    if value is not None and value >= dt.date.max:
        raise InvalidInput(f"{name}: too late", [FieldError(name, value, "a date before 9999-12-31")])
    return value
