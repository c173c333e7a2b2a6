"""The one place that turns errors into HTTP: ``risk.errors`` classes, request validation and
malformed JSON all answer ``{"error": {"code", "message", "details": [{field, value, rule}]}}``.

Three errors exist only at the HTTP boundary and live here: ``MalformedJson`` (400, the body
is not JSON), ``RequestTooLarge`` (413) and ``TooManyRequests`` (429). Every response body is
encodable (a NaN input is echoed as the text "NaN") and echoes at most ``ECHO_MAX``
characters of any value; secrets (access tokens, API keys) are never echoed. A crash is not
answered here but by ``api.crash_guard`` (a 500 that logs only the exception's type).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import uuid
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from starlette.exceptions import HTTPException as StarletteHTTPException

from risk import errors as risk_errors

ECHO_MAX = 64  # characters of a submitted value an error may repeat
TEXT_MAX = 300  # characters of an error message or rule (they may quote the value)
# Field names whose values are secrets: never echoed, whatever else is wrong with them.
SECRET_FIELDS = frozenset({"access_token", "api_key", "authorization", "password", "secret", "token"})
SAFE_INTEGER = 2**53  # beyond it a JSON number loses precision in most clients


class MalformedJson(risk_errors.InvalidInput):
    """The body is not JSON at all (answered 400, not 422)."""

    code = "malformed_json"


class RequestTooLarge(risk_errors.OsteorefError):
    """The request body is larger than ``OSTEOREF_MAX_BODY_BYTES`` (413, read no further)."""

    code = "request_too_large"


class TooManyRequests(risk_errors.OsteorefError):
    """Too many failed authentications from one source (429, with Retry-After)."""

    code = "too_many_requests"

    def __init__(self, message: str, retry_after_seconds: int) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds


# Most specific class first: the first isinstance match wins.
STATUS_OF: tuple[tuple[type[risk_errors.OsteorefError], int], ...] = (
    (MalformedJson, 400),
    (risk_errors.InvalidInput, 422),
    (risk_errors.NotFound, 404),
    (risk_errors.Conflict, 409),
    (risk_errors.PermissionDenied, 403),
    (risk_errors.NotAuthenticated, 401),
    (RequestTooLarge, 413),
    (TooManyRequests, 429),
    (risk_errors.ModelNotLoaded, 503),
    (risk_errors.ModelArtefactError, 503),
    (risk_errors.RenderError, 500),
)

DESCRIPTIONS: dict[int, str] = {
    400: "Malformed JSON body (syntax, NaN/Infinity, a number beyond a double); details name line and column",
    401: "Missing or unknown credentials",
    403: "The caller's role may not do this",
    404: "Not found",
    409: "Conflict with the current state",
    412: "Required FHIR data could be neither prefetched nor fetched",
    413: "The request body is larger than OSTEOREF_MAX_BODY_BYTES",
    422: "The input broke the contract or the JSON policy; details name field (or JSON pointer), value, rule",
    429: "Too many failed authentications from this source; retry after Retry-After seconds",
    503: "No model artefact is loaded",
}
# What every authenticated route can answer besides its own statuses.
AUTHENTICATED = (401, 403, 429)
JSON_BODY = (400, 413, 422)


class ErrorDetail(BaseModel):
    """One broken rule."""

    field: str
    value: Any = None
    rule: str
    row: int | None = None


class ErrorInfo(BaseModel):
    """What went wrong, machine- and human-readable."""

    code: str
    message: str
    details: list[ErrorDetail]


class ErrorResponse(BaseModel):
    """The body of every error response."""

    error: ErrorInfo


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` entries for these statuses, all with the one error shape."""
    return {s: {"model": ErrorResponse, "description": DESCRIPTIONS[s]} for s in sorted(set(statuses))}


def short_text(text: str, limit: int = TEXT_MAX) -> str:
    """``text`` cut to ``limit`` characters (an ellipsis says it was cut)."""
    return text if len(text) <= limit else text[:limit] + "…"


def _echo_int(value: int) -> int | str:
    return value if -SAFE_INTEGER < value < SAFE_INTEGER else short_text(str(value), ECHO_MAX)


def _echo_float(value: float) -> float | str:
    return value if math.isfinite(value) else str(value)  # "nan", "inf": JSON has no such number


def _is_small(value: Any) -> bool:
    # A container is repeated whole only if its JSON is short and strictly encodable.
    try:
        return len(json.dumps(value, allow_nan=False)) <= ECHO_MAX
    except (TypeError, ValueError):
        return False


# How each kind of submitted value is repeated; the first isinstance match wins (bool before int).
_ECHO: tuple[tuple[type | tuple[type, ...], Callable[[Any], Any]], ...] = (
    (bool, lambda v: v),
    (str, lambda v: short_text(v, ECHO_MAX)),
    (int, _echo_int),
    (float, _echo_float),
    ((dt.date, dt.time), lambda v: v.isoformat()),
    (uuid.UUID, str),
    (dict, lambda v: v if _is_small(v) else f"(an object with {len(v)} keys)"),
    ((list, tuple), lambda v: v if _is_small(v) else f"(an array of {len(v)} items)"),
    (bytes, lambda v: short_text(v.decode("utf-8", "replace"), ECHO_MAX)),
)


def echo(value: Any) -> Any:
    """A submitted value as an error may repeat it: JSON-encodable, and short."""
    if value is None:
        return None
    render = next((r for kind, r in _ECHO if isinstance(value, kind)), None)
    return render(value) if render is not None else f"(a {type(value).__name__})"


def _is_secret(field: str) -> bool:
    last = field.replace("/", ".").rsplit(".", 1)[-1].lower()
    return last in SECRET_FIELDS


def render_details(details: list[risk_errors.FieldError], *, values: bool = True) -> list[dict[str, Any]]:
    """FieldErrors as the wire's ``details``; ``values=False`` echoes no value at all (CDS Hooks)."""
    return [
        {
            "field": short_text(d.field),
            "value": echo(d.value) if values and not _is_secret(d.field) else None,
            "rule": short_text(d.rule),
        }
        | ({"row": d.row} if d.row is not None else {})
        for d in details
    ]


def error_body(
    code: str, message: str, details: list[risk_errors.FieldError], *, values: bool = True
) -> dict[str, Any]:
    """The JSON body of an error response."""
    return {
        "error": {
            "code": code,
            "message": short_text(message),
            "details": render_details(details, values=values),
        }
    }


def field_errors(errors: list[ErrorDetails], strip_body: bool = False) -> list[risk_errors.FieldError]:
    """Pydantic errors as FieldErrors; a missing field's 'value' is not the whole request."""
    result = []
    for e in errors:
        loc = [str(p) for p in e["loc"]]
        if strip_body and loc[:1] == ["body"]:
            loc = loc[1:]
        value = None if e["type"] == "missing" else e.get("input")
        rule = "unknown field: not part of the contract" if e["type"] == "extra_forbidden" else e["msg"]
        result.append(risk_errors.FieldError(".".join(loc) or "body", value, rule))
    return result


def invalid_input(exc: ValidationError) -> risk_errors.InvalidInput:
    """A pydantic ValidationError of a request body as InvalidInput (JSON syntax → MalformedJson)."""
    if any(e["type"] == "json_invalid" for e in exc.errors()):
        rule = next(e["msg"] for e in exc.errors() if e["type"] == "json_invalid")
        return MalformedJson("request body is not valid JSON", [risk_errors.FieldError("body", None, rule)])
    details = field_errors(exc.errors())
    return risk_errors.InvalidInput(f"{len(details)} field(s) broke the contract", details)


def without_values(exc: risk_errors.InvalidInput) -> risk_errors.InvalidInput:
    """The same error naming fields and rules only: for callers whose input may hold secrets
    or patient data that must not be repeated (CDS Hooks requests carry both)."""
    return dataclasses.replace(exc, errors=[dataclasses.replace(e, value=None) for e in exc.errors])


def status_of(exc: risk_errors.OsteorefError) -> int:
    """The HTTP status of one of our errors (500 for an unmapped class)."""
    return next((status for cls, status in STATUS_OF if isinstance(exc, cls)), 500)


def error_response(exc: risk_errors.OsteorefError, *, values: bool = True) -> JSONResponse:
    """The response for one of our errors (``values=False``: echo no submitted value)."""
    details = exc.errors if isinstance(exc, risk_errors.InvalidInput) else []
    headers = None
    if isinstance(exc, TooManyRequests):
        headers = {"Retry-After": str(exc.retry_after_seconds)}
    body = error_body(exc.code, str(exc), details, values=values)
    return JSONResponse(body, status_code=status_of(exc), headers=headers)


async def _osteoref_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, risk_errors.OsteorefError)
    return error_response(exc)


async def _request_validation(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    raw: list[ErrorDetails] = list(exc.errors())
    if any(e["type"] == "json_invalid" for e in raw):
        body = error_body("malformed_json", "request body is not valid JSON", [])
        return JSONResponse(body, status_code=400)
    details = field_errors(raw, strip_body=True)
    message = f"{len(details)} field(s) broke the contract"
    return JSONResponse(error_body("invalid_input", message, details), status_code=422)


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = "http_" + str(exc.status_code)
    return JSONResponse(
        error_body(code, str(exc.detail), []), status_code=exc.status_code, headers=exc.headers
    )


def install_error_handlers(app: FastAPI) -> None:
    """Register every handler on the app (call once in ``create_app``)."""
    app.add_exception_handler(risk_errors.OsteorefError, _osteoref_error)
    app.add_exception_handler(RequestValidationError, _request_validation)
    app.add_exception_handler(StarletteHTTPException, _http_error)
