"""HTTP routes: CDS Hooks discovery, the two hooks, feedback, and the analysts' feedback summary."""

from __future__ import annotations

import datetime as dt
import time
from typing import Annotated, Any

import structlog
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from api.auth.deps import require
from api.auth.principal import Principal
from api.cds import feedback
from api.cds.caller import CallerDep, card_site
from api.cds.fhir_fetch import PrefetchUnavailable
from api.cds.hooks import hook_cards
from api.cds.prune import response_body
from api.cds.schemas import FeedbackRequest, HookRequest
from api.cds.services import SERVICES, CdsService, discovery_document
from api.cds.verify import CdsCaller
from api.context import context_of
from api.errors import AUTHENTICATED, error_body, error_responses, short_text, without_values
from api.json_body import openapi_body, parse_json_body
from risk.errors import FieldError, InvalidInput, NotFound

log = structlog.get_logger("api.cds")
router = APIRouter(tags=["cds-hooks"])
# Analysts read de-identified aggregates; admins may do everything.
SUMMARY_ACTION = "exports:deidentified"


# Every CDS answer may be one of these; bodies are read only after the JWT is verified, and
# their errors name fields and rules but never repeat a value (tokens, patient data).
CDS_ERRORS = error_responses(401, 429)
CDS_BODY_ERRORS = error_responses(401, 429, 400, 404, 413, 422)


@router.get("/cds-services", responses=CDS_ERRORS)
async def discovery(_caller: CallerDep) -> dict[str, Any]:
    """CDS Hooks discovery: our services, their hooks and prefetch templates."""
    return discovery_document()


@router.post(
    "/cds-services/{service_id}",
    openapi_extra=openapi_body(HookRequest),
    responses=CDS_BODY_ERRORS | error_responses(412, 503),
)
async def call_service(service_id: str, request: Request, caller: CallerDep) -> JSONResponse:
    """A hook call: cards (possibly none), 412 when required FHIR data cannot be had."""
    started = time.perf_counter()
    body = await parse_json_body(request, HookRequest, echo_values=False)
    try:
        return await _cards(service_id, body, request, caller, started)
    except InvalidInput as exc:  # e.g. a prefetched resource the mapper refuses: name it, repeat nothing
        raise without_values(exc) from None


async def _cards(
    service_id: str, body: HookRequest, request: Request, caller: CdsCaller, started: float
) -> JSONResponse:
    service = _service(service_id, body)
    context = context_of(request)
    runtime = context.cds
    production = context.settings.environment == "production"
    try:
        bundle = await runtime.fetcher.collection(body, require_https=production)
    except PrefetchUnavailable as exc:
        log.warning("cds_prefetch_unavailable", service_id=service.id, reason=str(exc))
        return JSONResponse(error_body("prefetch_unavailable", str(exc), []), status_code=412)
    assessor = context.model.require()
    site = card_site(request, f"osteoref ({assessor.model_info.name} {assessor.model_info.version})")
    cards = hook_cards(
        service.id,
        body,
        bundle,
        assessor,
        site,
        today=dt.datetime.now(dt.UTC).date(),
        lookback_months=runtime.settings.cds_lookback_months,
    )
    elapsed_ms = round((time.perf_counter() - started) * 1000, 1)
    log.info("cds_hook", service_id=service.id, iss=caller.iss, cards=len(cards), elapsed_ms=elapsed_ms)
    return JSONResponse(response_body(cards))


@router.post(
    "/cds-services/{service_id}/feedback",
    openapi_extra=openapi_body(FeedbackRequest),
    responses=CDS_BODY_ERRORS,
)
async def post_feedback(service_id: str, request: Request, caller: CallerDep) -> dict[str, int]:
    """Store card outcomes; the same (card, outcome, timestamp) twice stores one row."""
    if service_id not in SERVICES:
        raise NotFound(f"no CDS service {short_text(service_id, 64)!r}")
    body = await parse_json_body(request, FeedbackRequest, echo_values=False)
    database = context_of(request).database
    added = await run_in_threadpool(feedback.store_feedback, database, service_id, caller.iss, body.feedback)
    log.info("cds_feedback", service_id=service_id, received=len(body.feedback), stored=added)
    return {"received": len(body.feedback), "stored": added}


@router.get(
    "/v1/cds/feedback-summary",
    response_model=feedback.FeedbackSummary,
    responses=error_responses(*AUTHENTICATED),
)
async def feedback_summary(
    request: Request, _principal: Annotated[Principal, Depends(require(SUMMARY_ACTION))]
) -> feedback.FeedbackSummary:
    """Acceptance and override rates per CDS service, with override reasons (analyst, admin)."""
    return await run_in_threadpool(feedback.summarise, context_of(request).database)


def _service(service_id: str, body: HookRequest) -> CdsService:
    service = SERVICES.get(service_id)
    if service is None:
        raise NotFound(f"no CDS service {short_text(service_id, 64)!r}")
    if body.hook != service.hook:
        raise InvalidInput(
            f"service {service_id} answers {service.hook}, not {body.hook}",
            [FieldError("hook", body.hook, f"must be {service.hook}")],
        )
    if service.hook == "order-sign" and body.context.draftOrders is None:
        raise InvalidInput(
            "order-sign needs context.draftOrders",
            [FieldError("context.draftOrders", None, "required for order-sign")],
        )
    return service
