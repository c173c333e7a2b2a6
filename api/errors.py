"""The one place that turns errors into HTTP: ``risk.errors`` classes, request validation and
malformed JSON all answer ``{"error": {"code", "message", "details": [{field, value, rule}]}}``.
"""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from starlette.exceptions import HTTPException as StarletteHTTPException

from risk import errors as risk_errors

log = structlog.get_logger("api.errors")

# Most specific class first: the first isinstance match wins.
STATUS_OF: tuple[tuple[type[risk_errors.OsteorefError], int], ...] = (
    (risk_errors.InvalidInput, 422),
    (risk_errors.NotFound, 404),
    (risk_errors.Conflict, 409),
    (risk_errors.PermissionDenied, 403),
    (risk_errors.NotAuthenticated, 401),
    (risk_errors.ModelNotLoaded, 503),
    (risk_errors.ModelArtefactError, 503),
    (risk_errors.RenderError, 500),
)

DESCRIPTIONS: dict[int, str] = {
    400: "Malformed JSON body",
    401: "Missing or unknown credentials",
    403: "The caller's role may not do this",
    404: "Not found",
    409: "Conflict with the current state",
    422: "The input broke the contract; details name field, value and rule",
    503: "No model artefact is loaded",
}


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
    return {s: {"model": ErrorResponse, "description": DESCRIPTIONS[s]} for s in statuses}


def error_body(code: str, message: str, details: list[risk_errors.FieldError]) -> dict[str, Any]:
    """The JSON body of an error response."""
    rendered = [
        {"field": d.field, "value": d.value, "rule": d.rule} | ({"row": d.row} if d.row is not None else {})
        for d in details
    ]
    return {"error": {"code": code, "message": message, "details": jsonable_encoder(rendered)}}


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


class MalformedJson(risk_errors.InvalidInput):
    """The body is not JSON at all (answered 400, not 422)."""

    code = "malformed_json"


def _status(exc: risk_errors.OsteorefError) -> int:
    if isinstance(exc, MalformedJson):
        return 400
    return next((status for cls, status in STATUS_OF if isinstance(exc, cls)), 500)


async def _osteoref_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, risk_errors.OsteorefError)
    details = exc.errors if isinstance(exc, risk_errors.InvalidInput) else []
    status = _status(exc)
    return JSONResponse(error_body(exc.code, str(exc), details), status_code=status)


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


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error("unhandled_error", error_type=type(exc).__name__, path=request.url.path)
    return JSONResponse(error_body("internal_error", "internal server error", []), status_code=500)


def install_error_handlers(app: FastAPI) -> None:
    """Register every handler on the app (call once in ``create_app``)."""
    app.add_exception_handler(risk_errors.OsteorefError, _osteoref_error)
    app.add_exception_handler(RequestValidationError, _request_validation)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
