"""The public acknowledgement pages under ``/a``: no account, a token in the path, rate-limited.

GET /a/{token} shows initials, year of birth and practice; POST …/confirm shows the patient
and the answer form (with a signed, short-lived confirmation stamp); POST …/answer records
the answer. ``/a`` itself takes a typed code.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from api.ack import tokens
from api.ack.answers import ANSWER_TEXT, parse_answer
from api.ack.pages import confirmed_context, render, start_context
from api.ack.ratelimit import RateLimited
from api.ack.service import LinkUsed
from api.context import context_of
from api.web.render import secure_headers
from risk.errors import InvalidInput, NotFound

STYLESHEET = (Path(__file__).parent / "static.css").read_text(encoding="utf-8")
MESSAGES: tuple[tuple[type[Exception], int, str], ...] = (
    (RateLimited, 429, "Please wait"),
    (LinkUsed, 409, "Already answered"),
    (NotFound, 404, "Link not valid"),
)


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


class AckRoute(APIRoute):
    """Counts each request against the rate limit; turns refusals into plain pages."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """Wrap the handler: limit first, then map known refusals to pages."""
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            limiter = context_of(request).loop.limiter
            try:
                limiter.request(_client(request))
                return await original(request)
            except (RateLimited, LinkUsed, NotFound) as error:
                if isinstance(error, NotFound):
                    limiter.failure(_client(request))
                return _message(request, error)

        return handler


def _message(request: Request, error: Exception) -> Response:
    status, heading = next((s, h) for cls, s, h in MESSAGES if isinstance(error, cls))
    context = {"title": heading, "heading": heading, "message": str(error), "show_code_form": status == 404}
    response = render(request, "ack_message.html", context, status_code=status)
    if isinstance(error, RateLimited):
        response.headers["Retry-After"] = str(error.retry_after)
    return response


router = APIRouter(prefix="/a", route_class=AckRoute, include_in_schema=False)


@router.get("/ack.css")
async def stylesheet() -> Response:
    """The pages' one stylesheet (CSP allows only 'self')."""
    return Response(STYLESHEET, media_type="text/css", headers={"Cache-Control": "max-age=3600"})


@router.get("")
async def enter_code(request: Request) -> Response:
    """A form to type the code printed on the letter."""
    context = {
        "title": "Enter code",
        "heading": "Answer a referral letter",
        "message": "Type the code from the letter.",
        "show_code_form": True,
    }
    return render(request, "ack_message.html", context)


@router.post("")
async def typed_code(code: Annotated[str, Form(max_length=64)]) -> Response:
    """Go to the page of a typed code (forgiving case, spaces and hyphens)."""
    token = tokens.normalise(code)
    if token is None:
        raise NotFound("That is not a code from one of our letters. Please check it and try again.")
    return secure_headers(RedirectResponse(f"/a/{token}", status_code=303))


@router.get("/{token}")
async def start(request: Request, token: str) -> Response:
    """Initials, year of birth and the practice; a confirmation form."""
    opened = await run_in_threadpool(context_of(request).loop.ack.open, token)
    return render(request, "ack_start.html", start_context(opened, tokens.normalise(token) or token))


@router.post("/{token}/confirm")
async def confirm(request: Request, token: str, confirm: Annotated[str, Form()] = "") -> Response:
    """The patient and the answer form, once the PCP has ticked the confirmation."""
    ack = context_of(request).loop.ack
    opened = await run_in_threadpool(ack.open, token)
    canonical = tokens.normalise(token) or token
    if confirm != "yes":
        context = start_context(opened, canonical)
        return render(request, "ack_start.html", context, status_code=422)
    today = ack.clock().date()
    return render(
        request, "ack_confirmed.html", confirmed_context(opened, canonical, ack.confirmation(opened), today)
    )


@router.post("/{token}/answer")
async def answer(request: Request, token: str) -> Response:
    """Record the answer; a form with problems comes back with each one named."""
    ack = context_of(request).loop.ack
    form = {k: str(v) for k, v in (await request.form()).items()}
    stamp = form.pop("stamp", "")
    opened = await run_in_threadpool(ack.confirmed, token, stamp)
    today = ack.clock().date()
    try:
        parsed = parse_answer(form, opened.referral.procedure_date, today)
    except InvalidInput as error:
        context = confirmed_context(opened, tokens.normalise(token) or token, stamp, today)
        context |= {"errors": [e.rule for e in error.errors] or [str(error)], "chosen": form}
        return render(request, "ack_confirmed.html", context, status_code=422)
    recorded = await run_in_threadpool(ack.answer, token, parsed)
    follow = recorded.follow_up
    context = {
        "title": "Thank you",
        "answer": ANSWER_TEXT[parsed.answer],
        "follow_up": follow.url if follow else None,
        "follow_up_code": follow.code if follow else None,
        "follow_up_expires": follow.expires_at.date().isoformat() if follow else None,
    }
    return render(request, "ack_done.html", context)


@router.get("/{token}/letter.pdf")
async def letter(request: Request, token: str, stamp: str = "") -> Response:
    """The letter as PDF, for a confirmed practice (the stored letter, without its slip)."""
    opened = await run_in_threadpool(context_of(request).loop.ack.confirmed, token, stamp)
    pdf = await context_of(request).pdf.render(opened.referral.letter_html)
    response = Response(pdf, media_type="application/pdf")
    response.headers["Content-Disposition"] = 'inline; filename="referral-letter.pdf"'
    return secure_headers(response)
