"""POST /v1/assessments (one record) and /v1/assessments/batch (many, each judged alone).

Bodies are validated with ``PatientRecord.model_validate_json`` on the raw bytes: the
contract's strict JSON rules (a bool is never a number, dates are ISO strings) hold
only on pydantic's JSON path, which FastAPI's own body parsing does not take.
"""

from __future__ import annotations

from typing import Any

import pydantic_core
import structlog
from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from api.auth.deps import require
from api.deps import AssessorDep, SettingsDep, loaded_assessor
from api.errors import (
    AUTHENTICATED,
    JSON_BODY,
    ErrorDetail,
    error_body,
    error_responses,
    field_errors,
    invalid_input,
)
from api.fast_route import fast_route, json_request_body, json_response
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


def _log_assessment(payload: dict[str, Any]) -> None:
    annotate_request(
        pathway=payload["pathway"],
        risk_tier=payload["risk_tier"],
        criteria=[c["code"] for c in payload["criteria"]],
        flags=[f["code"] for f in payload["flags"]],
        model_version=payload["model"]["version"],
    )


@fast_route(
    router,
    "",
    action="assessments:score",
    body=PatientRecord,
    response_model=Assessment,
    responses=error_responses(*AUTHENTICATED, *JSON_BODY, 503),
)
async def create_assessment(request: Request, raw: bytes) -> dict[str, Any]:
    """Assess one PatientRecord; 422 names each broken field, value and rule."""
    assessor = loaded_assessor(request)
    decode_json(raw)  # the JSON policy first: NaN, 1e400, duplicate keys, NUL… are 400/422 here
    try:
        record = PatientRecord.model_validate_json(raw)
    except ValidationError as exc:
        raise invalid_input(exc) from None
    payload = assessor.assess_payload(record)  # contract §2 keys; the schema test checks the shape
    _log_assessment(payload)
    return payload


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
    openapi_extra=json_request_body(BatchRequest),
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
    return json_response({"results": results})
