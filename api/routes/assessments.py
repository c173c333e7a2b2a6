"""POST /v1/assessments (one record) and /v1/assessments/batch (many, each judged alone).

Bodies are validated with ``PatientRecord.model_validate_json`` on the raw bytes: the
contract's strict JSON rules (a bool is never a number, dates are ISO strings) hold
only on pydantic's JSON path, which FastAPI's own body parsing does not take.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

import orjson
import pydantic_core
import structlog
from fastapi import APIRouter, Depends, Request, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from api.auth.deps import BEARER_SECURITY, authorize, require
from api.deps import AssessorDep, SettingsDep, loaded_assessor, read_body
from api.errors import (
    AUTHENTICATED,
    JSON_BODY,
    ErrorDetail,
    error_body,
    error_responses,
    field_errors,
    invalid_input,
)
from api.json_body import parse_json_body
from api.json_policy import decode_json
from api.logging import annotate_request
from api.settings import Settings
from risk.assess import Assessor
from risk.contract import Assessment, PatientRecord
from risk.errors import FieldError, InvalidInput

router = APIRouter(prefix="/v1/assessments", tags=["assessments"])
log = structlog.get_logger("api.assessments")
DEFAULT_BATCH_MAX: int = Settings.model_fields["batch_max_records"].default


class BatchRequest(BaseModel):
    """Up to ``batch_max_records`` records; each is validated on its own."""

    model_config = ConfigDict(extra="forbid")
    records: list[Any] = Field(
        description="PatientRecord objects (contract §1); a bad one fails alone.",
        json_schema_extra={"maxItems": DEFAULT_BATCH_MAX},
    )


class BatchItemAssessed(BaseModel):
    """A record that was valid, with its assessment."""

    index: int
    assessment: Assessment


class BatchItemRejected(BaseModel):
    """A record that broke the contract, with every broken rule."""

    index: int
    errors: list[ErrorDetail]


class BatchResponse(BaseModel):
    """One result per submitted record, in submission order."""

    results: list[BatchItemAssessed | BatchItemRejected]


def _json_body(model: type[BaseModel]) -> dict[str, Any]:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


def _log_assessment(payload: dict[str, Any]) -> None:
    annotate_request(
        pathway=payload["pathway"],
        risk_tier=payload["risk_tier"],
        criteria=[c["code"] for c in payload["criteria"]],
        flags=[f["code"] for f in payload["flags"]],
        model_version=payload["model"]["version"],
    )


def _json(payload: Any, status_code: int = 200) -> Response:
    # orjson: the same bytes as pydantic-core for these plain payloads, in a third of the time.
    return Response(orjson.dumps(payload), status_code, media_type="application/json")


class DirectRoute(APIRoute):
    """A route whose endpoint takes the Request itself and returns its Response.

    FastAPI still builds the OpenAPI operation from the declaration, but each request goes
    straight to the endpoint: no dependency solving, parameter parsing or response-model
    pass, which cost more per request than the rules. The endpoint does its own auth,
    validation and serialisation; its exceptions reach the app's error handlers as before.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        endpoint: Callable[[Request], Coroutine[Any, Any, Response]] = self.endpoint
        return endpoint


async def create_assessment(request: Request) -> Response:
    """Assess one PatientRecord; 422 names each broken field, value and rule."""
    await authorize(request, "assessments:score")
    assessor = loaded_assessor(request)
    raw = await read_body(request)
    decode_json(raw)  # the JSON policy first: NaN, 1e400, duplicate keys, NUL… are 400/422 here
    try:
        record = PatientRecord.model_validate_json(raw)
    except ValidationError as exc:
        raise invalid_input(exc) from None
    payload = assessor.assess_payload(record)  # contract §2 keys; the schema test checks the shape
    _log_assessment(payload)
    return _json(payload)


router.add_api_route(
    "",
    create_assessment,
    methods=["POST"],
    response_model=Assessment,
    responses=error_responses(*AUTHENTICATED, *JSON_BODY, 503),
    openapi_extra=_json_body(PatientRecord) | BEARER_SECURITY,
    route_class_override=DirectRoute,
)


def _assess_item(assessor: Assessor, index: int, item: Any) -> dict[str, Any]:
    try:
        record = PatientRecord.model_validate_json(pydantic_core.to_json(item))
    except ValidationError as exc:
        details = error_body("", "", field_errors(exc.errors()))["error"]["details"]
        return {"index": index, "errors": details}
    assessment = assessor.assess(record)
    return {"index": index, "assessment": assessment.model_dump(mode="json")}


@router.post(
    "/batch",
    response_model=BatchResponse,
    responses=error_responses(*AUTHENTICATED, *JSON_BODY, 503),
    dependencies=[Depends(require("assessments:batch"))],
    openapi_extra=_json_body(BatchRequest),
)
async def create_assessments(request: Request, assessor: AssessorDep, settings: SettingsDep) -> Response:
    """Assess many records; each result is an assessment or that record's errors, in order."""
    batch = await parse_json_body(request, BatchRequest)
    limit = settings.batch_max_records
    if len(batch.records) > limit:
        rule = f"at most {limit} records per batch"
        raise InvalidInput(f"records: {rule}", [FieldError("records", len(batch.records), rule)])
    results = [_assess_item(assessor, i, item) for i, item in enumerate(batch.records)]
    log.info("batch_assessed", records=len(results), model_version=assessor.model_info.version)
    return _json({"results": results})
