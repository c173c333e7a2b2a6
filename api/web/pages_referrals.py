"""Create a referral from a result, show it with its letters, serve the PDFs, move its status."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.responses import HTMLResponse, Response

from api.context import context_of
from api.referrals.schemas import ReferralDetail, TransitionIn
from api.referrals.service import Letter
from api.referrals.states import REASON_REQUIRED, STATUSES, Status, allowed_moves
from api.web.guard import WebRoute, WebUser, checked_form, redirect, signed_in
from api.web.labels import label
from api.web.pages_assess import result_page
from api.web.referral_form import parse_referral, referral_values
from api.web.render import LETTER_CSP, page, secure_headers
from reports import DocumentKind, documents_for
from risk.contract import PatientRecord
from risk.errors import Conflict, InvalidInput, NotFound

router = APIRouter(route_class=WebRoute)
Creator = Annotated[WebUser, Depends(signed_in("referrals:create"))]
Reader = Annotated[WebUser, Depends(signed_in("referrals:read"))]
Mover = Annotated[WebUser, Depends(signed_in("referrals:transition"))]
Form = Annotated[FormData, Depends(checked_form)]
LETTERS: dict[str, Letter] = {"letter": "pcp", "patient-letter": "patient"}

# Final moves that end a referral without treatment: never a default, always a reason and a
# confirmation page first (a plain form post, so it works without JavaScript). The API asks
# a reason only for declined (api/referrals/states.py); the pages ask one for both.
PAGE_REASON_REQUIRED: frozenset[Status] = REASON_REQUIRED | {"cancelled"}
CONFIRM: dict[str, tuple[str, str, str]] = {
    # status → (question, what happens, confirm button)
    "cancelled": (
        "Cancel this referral?",
        "A cancelled referral is closed for good: it cannot be reopened, and the PCP letter is not sent.",
        "Yes, cancel the referral",
    ),
    "declined": (
        "Record that the PCP declined?",
        "A declined referral is closed for good: it cannot be reopened.",
        "Yes, record the decline",
    ),
}
# Forward moves get their own button (the select stays for every move, with no default).
QUICK_MOVES: dict[str, str] = {
    "sent": "Mark as sent",
    "acknowledged": "Mark as acknowledged by the PCP",
    "treatment_started": "Mark treatment as started",
}


def _hidden_record(form: FormData) -> PatientRecord:
    """The assessed record carried by the result page (names are added from the referral form)."""
    try:
        return PatientRecord.model_validate_json(str(form.get("record") or ""))
    except ValidationError:
        raise InvalidInput("the assessed record was lost or altered; assess the patient again", []) from None


@router.post("/web/referrals")
async def create_referral(request: Request, user: Creator, form: Form) -> Response:
    """Create the referral through the workflow service (idempotent per result page)."""
    record = _hidden_record(form)
    parsed = parse_referral(record, referral_values(form))
    if parsed.body is None:
        return result_page(request, user, record, parsed, status_code=422)
    service = context_of(request).referrals
    key = str(form.get("idempotency_key") or "") or None
    try:
        created, _ = await run_in_threadpool(service.create, user.principal, parsed.body, key)
    except InvalidInput as error:
        parsed.errors["record"] = str(error)
        return result_page(request, user, record, parsed, status_code=422)
    return redirect(f"/web/referrals/{created.id}")


async def _referral_page(
    request: Request,
    user: WebUser,
    detail: ReferralDetail,
    *,
    error: str | None = None,
    status_code: int = 200,
    posted: dict[str, str] | None = None,
) -> Response:
    allowed = allowed_moves(detail.status)
    loop = context_of(request).loop
    deliveries = await run_in_threadpool(loop.deliveries.history, user.principal, detail.id)
    context = {
        "deliveries": deliveries,
        # which channel buttons can work for this PCP (FHIR only for the configured practices)
        "reachable": {
            name: c.unreachable(detail.pcp) is None for name, c in loop.deliveries.channels.items()
        },
        "title": "Referral",
        "user": user,
        "r": detail,
        "moves": [s for s in STATUSES if s in allowed],  # workflow order: forward moves first
        "quick_moves": {s: text for s, text in QUICK_MOVES.items() if s in allowed},
        "reason_required": [s for s in STATUSES if s in PAGE_REASON_REQUIRED],
        "has_patient_copy": DocumentKind.PATIENT_COPY in documents_for(detail.assessment),
        "error": error,
        "posted": posted or {},
    }
    settings = context_of(request).settings.web
    return page(
        request, "referral.html", context, session=user.session, settings=settings, status_code=status_code
    )


@router.get("/web/referrals/{referral_id}")
async def show_referral(request: Request, user: Reader, referral_id: uuid.UUID) -> Response:
    """The referral: status, history, letter previews, PDFs and the status form."""
    detail = await run_in_threadpool(context_of(request).referrals.get, user.principal, referral_id)
    return await _referral_page(request, user, detail)


@router.post("/web/referrals/{referral_id}/status")
async def move_referral(request: Request, user: Mover, form: Form, referral_id: uuid.UUID) -> Response:
    """Move the referral (reason recorded); cancel and decline ask for a reason and a confirmation."""
    service = context_of(request).referrals
    target = str(form.get("to") or "")
    reason = str(form.get("reason") or "").strip()
    problem = _page_problem(target, reason)
    if problem is None and target in CONFIRM and form.get("confirm") != "yes":
        detail = await run_in_threadpool(service.get, user.principal, referral_id)
        return _confirm_page(request, user, detail, target, reason)
    try:
        if problem is not None:
            raise InvalidInput(problem, [])
        move = TransitionIn.model_validate({"to": target, "reason": reason or None})
        await run_in_threadpool(service.transition, user.principal, referral_id, move)
    except (ValidationError, InvalidInput, Conflict) as error:
        message = _move_error(error)
        detail = await run_in_threadpool(service.get, user.principal, referral_id)
        status = 409 if isinstance(error, Conflict) else 422
        posted = {"to": target, "reason": reason}
        return await _referral_page(request, user, detail, error=message, status_code=status, posted=posted)
    return redirect(f"/web/referrals/{referral_id}")


def _page_problem(target: str, reason: str) -> str | None:
    """What the page refuses before asking the service: no status chosen, or a missing reason."""
    if not target:
        return "Choose the new status from the list."
    if target in PAGE_REASON_REQUIRED and not reason:
        return f"Give a reason to move the referral to {label(target).lower()}: it is kept in the history."
    return None


def _confirm_page(
    request: Request, user: WebUser, detail: ReferralDetail, target: str, reason: str
) -> Response:
    question, consequence, button = CONFIRM[target]
    context = {
        "title": question,
        "user": user,
        "r": detail,
        "to": target,
        "reason": reason,
        "question": question,
        "consequence": consequence,
        "button": button,
    }
    settings = context_of(request).settings.web
    return page(request, "referral_confirm.html", context, session=user.session, settings=settings)


def _move_error(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return "Choose a status from the list (a reason may have at most 2000 characters)."
    return str(error)


async def _letter_html(request: Request, user: WebUser, referral_id: uuid.UUID, which: str) -> str:
    service = context_of(request).referrals
    letter = LETTERS.get(which)
    if letter is None:
        raise NotFound(f"no letter {which!r}")
    return await run_in_threadpool(service.letter_html, user.principal, referral_id, letter)


@router.get("/web/referrals/{referral_id}/{which}.html")
async def letter_html(request: Request, user: Reader, referral_id: uuid.UUID, which: str) -> Response:
    """The stored letter, for the sandboxed preview frame (its own strict CSP)."""
    html = await _letter_html(request, user, referral_id, which)
    return secure_headers(HTMLResponse(html), csp=LETTER_CSP)


@router.get("/web/referrals/{referral_id}/{which}.pdf")
async def letter_pdf(request: Request, user: Reader, referral_id: uuid.UUID, which: str) -> Response:
    """The letter as PDF, rendered in the pool from the stored HTML (a download)."""
    html = await _letter_html(request, user, referral_id, which)
    pdf = await context_of(request).pdf.render(html)
    name = f"referral-{referral_id}-{which}.pdf"
    response = Response(pdf, media_type="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return secure_headers(response)
