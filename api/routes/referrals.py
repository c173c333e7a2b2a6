"""HTTP routes of the referral workflow: create, list, read, move, letters (HTML and PDF)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from api.auth.deps import require
from api.auth.principal import Principal
from api.context import context_of
from api.deps import SettingsDep
from api.errors import AUTHENTICATED, JSON_BODY, error_responses
from api.json_body import openapi_body, parse_json_body
from api.referrals.listing import MAX_PAGE, ListQuery
from api.referrals.schemas import (
    ReferralCreate,
    ReferralCreated,
    ReferralDetail,
    ReferralPage,
    TransitionIn,
)
from api.referrals.service import Letter
from api.referrals.states import Status
from api.routes.paging import Offset, before_last_day, next_url
from api.web.render import LETTER_CSP
from risk.contract.enums import Priority

router = APIRouter(prefix="/v1/referrals", tags=["referrals"])
REPLAYED: dict[int | str, dict[str, Any]] = {
    200: {"model": ReferralCreated, "description": "Idempotent replay: the referral this key created first"}
}
Creator = Annotated[Principal, Depends(require("referrals:create"))]
Reader = Annotated[Principal, Depends(require("referrals:read"))]
Mover = Annotated[Principal, Depends(require("referrals:transition"))]
NO_STORE = {"Cache-Control": "no-store"}  # letters carry names: never cache them on the way
# A stored letter is our own escaped HTML, but it is served as a document: nothing may load,
# run or frame it from elsewhere, and the browser may not sniff another type.
LETTER_HEADERS = NO_STORE | {"Content-Security-Policy": LETTER_CSP, "X-Content-Type-Options": "nosniff"}


@router.post(
    "",
    status_code=201,
    response_model=ReferralCreated,
    openapi_extra=openapi_body(ReferralCreate),
    responses=REPLAYED | error_responses(*AUTHENTICATED, *JSON_BODY, 409, 503),
)
async def create_referral(
    principal: Creator,
    request: Request,
    response: Response,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> ReferralCreated:
    """Score the patient, store the referral with its letters; a retried key returns the same one.

    An Idempotency-Key belongs to the API key that sent it: another caller's same key is a new referral.
    """
    body = await parse_json_body(request, ReferralCreate)
    service = context_of(request).referrals
    created, is_new = await run_in_threadpool(service.create, principal, body, idempotency_key)
    response.status_code = 201 if is_new else 200
    response.headers["Location"] = created.links.self
    return created


@router.get("", response_model=ReferralPage, responses=error_responses(*AUTHENTICATED, 422))
async def list_referrals(
    *,
    request: Request,
    principal: Reader,
    settings: SettingsDep,
    status: Status | None = None,
    priority: Priority | None = None,
    created_from: dt.date | None = None,
    created_to: dt.date | None = None,
    overdue_follow_up: bool = False,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    offset: Offset = 0,
) -> ReferralPage:
    """Referrals, newest first, filtered and paged (``next`` is the next page's URL)."""
    last_day = before_last_day("created_to", created_to)
    query = ListQuery(status, priority, created_from, last_day, overdue_follow_up, limit, offset)
    lister = context_of(request).lister
    today = dt.datetime.now(dt.UTC).date()
    items, total = await run_in_threadpool(lister.page, principal, query, today)
    more = offset + limit < total
    following = next_url(request, settings, offset + limit) if more else None
    return ReferralPage(items=items, total=total, next=following)


READ = error_responses(*AUTHENTICATED, 404, 422)


@router.get("/{referral_id}", response_model=ReferralDetail, responses=READ)
async def get_referral(referral_id: uuid.UUID, request: Request, principal: Reader) -> ReferralDetail:
    """One referral with its record, assessment and status history."""
    service = context_of(request).referrals
    return await run_in_threadpool(service.get, principal, referral_id)


@router.post(
    "/{referral_id}/transitions",
    response_model=ReferralDetail,
    openapi_extra=openapi_body(TransitionIn),
    responses=error_responses(*AUTHENTICATED, *JSON_BODY, 404, 409),
)
async def move_referral(referral_id: uuid.UUID, request: Request, principal: Mover) -> ReferralDetail:
    """Move the referral along the workflow (409 if the move is not allowed from its status)."""
    move = await parse_json_body(request, TransitionIn)  # read only once the key is checked
    service = context_of(request).referrals
    return await run_in_threadpool(service.transition, principal, referral_id, move)


async def _html(request: Request, principal: Principal, referral_id: uuid.UUID, which: Letter) -> str:
    service = context_of(request).referrals
    return await run_in_threadpool(service.letter_html, principal, referral_id, which)


async def _pdf(request: Request, principal: Principal, referral_id: uuid.UUID, which: Letter) -> Response:
    html = await _html(request, principal, referral_id, which)
    pdf = await context_of(request).pdf.render(html)  # rendered in the pool, off the loop
    name = f"referral-{referral_id}-{which}.pdf"
    headers = {**NO_STORE, "Content-Disposition": f'inline; filename="{name}"'}
    return Response(pdf, media_type="application/pdf", headers=headers)


@router.get("/{referral_id}/letter.html", response_class=HTMLResponse, responses=READ)
async def pcp_letter_html(referral_id: uuid.UUID, request: Request, principal: Reader) -> HTMLResponse:
    """The stored letter to the PCP."""
    html = await _html(request, principal, referral_id, "pcp")
    return HTMLResponse(html, headers=LETTER_HEADERS)


@router.get("/{referral_id}/letter.pdf", response_class=Response, responses=READ)
async def pcp_letter_pdf(referral_id: uuid.UUID, request: Request, principal: Reader) -> Response:
    """The letter to the PCP as PDF, rendered from the stored HTML."""
    return await _pdf(request, principal, referral_id, "pcp")


@router.get("/{referral_id}/patient-letter.html", response_class=HTMLResponse, responses=READ)
async def patient_letter_html(referral_id: uuid.UUID, request: Request, principal: Reader) -> HTMLResponse:
    """The stored patient copy."""
    html = await _html(request, principal, referral_id, "patient")
    return HTMLResponse(html, headers=LETTER_HEADERS)


@router.get("/{referral_id}/patient-letter.pdf", response_class=Response, responses=READ)
async def patient_letter_pdf(referral_id: uuid.UUID, request: Request, principal: Reader) -> Response:
    """The patient copy as PDF, rendered from the stored HTML."""
    return await _pdf(request, principal, referral_id, "patient")
