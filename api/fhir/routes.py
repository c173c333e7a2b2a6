"""POST /fhir/$assess: a FHIR Bundle in, a Bundle with RiskAssessment + OperationOutcome out."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import pydantic_core
import structlog
from fastapi import APIRouter, Depends, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from api.auth.deps import require
from api.auth.principal import Principal
from api.deps import AssessorDep, SettingsDep
from api.errors import AUTHENTICATED, JSON_BODY, error_responses
from api.fast_route import read_body
from api.fhir.service import assess_bundle
from api.json_policy import decode_json

router = APIRouter(prefix="/fhir", tags=["fhir"])
log = structlog.get_logger("api.fhir")
FHIR_JSON = "application/fhir+json"
BODY = {"requestBody": {"required": True, "content": {
    FHIR_JSON: {"schema": {"type": "object", "description": "A FHIR R4 Bundle"}},
    "application/json": {"schema": {"type": "object", "description": "A FHIR R4 Bundle"}},
}}}  # fmt: skip


@router.post(
    "/$assess",
    responses=error_responses(*AUTHENTICATED, *JSON_BODY, 503),
    openapi_extra=BODY,
    response_class=Response,
)
async def fhir_assess(
    request: Request,
    assessor: AssessorDep,
    settings: SettingsDep,
    _principal: Annotated[Principal, Depends(require("assessments:score"))],
    assessment_date: Annotated[dt.date | None, Query(description="As-of date [today].")] = None,
) -> Response:
    """Map the Bundle, assess the patient if applicable, answer a collection Bundle (FHIR JSON)."""
    bundle = decode_json(await read_body(request))  # the one JSON policy (api/json_policy.py)
    result = await run_in_threadpool(
        assess_bundle,
        bundle,
        assessor,
        assessment_date=assessment_date or dt.date.today(),
        lookback_months=settings.fhir_lookback_months,
        base_url=settings.public_base_url,
    )
    log.info(
        "fhir_assessed",
        applicable=result.mapping.applicable,
        found=len(result.mapping.report.found),
        ignored=len(result.mapping.report.ignored),
        pathway=result.assessment.pathway if result.assessment else None,
    )
    return Response(pydantic_core.to_json(result.bundle), media_type=FHIR_JSON)
