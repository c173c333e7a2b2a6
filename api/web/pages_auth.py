"""Sign in with an API key, sign out, the start page and the stylesheet."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.responses import FileResponse, Response

from api.auth.permissions import is_allowed
from api.auth.principal import Principal, authenticate
from api.auth.throttle import FailureLimiter, client_source, write_counts
from api.context import context_of
from api.db import audit_repo
from api.db.engine import Database
from api.web.guard import WebRoute, checked_form, error_page, redirect
from api.web.render import page, secure_headers
from api.web.session import (
    WebSession,
    clear_session,
    end_session,
    new_session,
    read_session,
    session_principal,
    start_session,
    write_session,
)
from api.web.settings import WebSettings
from risk.errors import NotAuthenticated, NotFound

router = APIRouter(route_class=WebRoute)
Form = Annotated[FormData, Depends(checked_form)]
STATIC = Path(__file__).parent / "static"
STATIC_FILES = {"web.css": "text/css"}


def start_page(principal: Principal) -> str:
    """Where a role starts: scoring for clinicians, the worklist for coordinators."""
    if is_allowed(principal.role, "assessments:score"):
        return "/web/assess"
    if is_allowed(principal.role, "worklist:read"):
        return "/web/worklist"
    return "/web/no-pages"


def _audit_sign_in(database: Database, principal: Principal) -> None:
    with database.transaction() as session:
        audit_repo.append(
            session, actor_key_id=principal.key_id, role=principal.role, action="web:sign_in", outcome="ok"
        )


def _sign_in(
    database: Database, key: str, limiter: FailureLimiter, source: str, settings: WebSettings
) -> tuple[Principal, WebSession] | None:
    # A failed sign-in is counted like any failed authentication (one audit row per source
    # and window, 429 past the limit); a success is audited and gets a server-side session.
    try:
        principal = authenticate(database, key)
    except NotAuthenticated:
        write_counts(database, limiter.record_failure(source, "web:sign_in"))
        return None
    _audit_sign_in(database, principal)
    return principal, start_session(database, principal, settings)


@router.get("/web")
async def home(request: Request) -> Response:
    """The signed-in user's start page, else the sign-in page."""
    session = read_session(request, context_of(request).settings.web)
    if session is None or not session.signed_in:
        return redirect("/web/sign-in")
    principal = await run_in_threadpool(session_principal, context_of(request).database, session)
    if principal is None:
        return redirect("/web/sign-in")
    return redirect(start_page(principal))


@router.get("/web/sign-in")
async def sign_in_form(request: Request) -> Response:
    """The sign-in form (a fresh anonymous session carries its CSRF token)."""
    settings = context_of(request).settings.web
    existing = read_session(request, settings)
    session = existing or new_session()
    context = {"title": "Sign in", "error": None}
    return page(request, "sign_in.html", context, session=session, settings=settings, set_cookie=not existing)


@router.post("/web/sign-in")
async def sign_in(request: Request, form: Form) -> Response:
    """Check the key; on success a new server-side session (and a new CSRF token) starts."""
    settings = context_of(request).settings.web
    key = str(form.get("api_key") or "").strip()
    limiter, source = context_of(request).auth_limiter, client_source(request)
    limiter.check(source)
    signed = await run_in_threadpool(_sign_in, context_of(request).database, key, limiter, source, settings)
    if signed is None:
        session = read_session(request, settings) or new_session()
        context = {"title": "Sign in", "error": "This API key is not valid, or it has been revoked."}
        return page(request, "sign_in.html", context, session=session, settings=settings, status_code=401)
    principal, session = signed
    response = redirect(start_page(principal))
    write_session(response, session, settings)
    return response


@router.post("/web/sign-out")
async def sign_out(request: Request, _form: Form) -> Response:
    """End the server-side session: a copy of the cookie no longer works either."""
    settings = context_of(request).settings.web
    await run_in_threadpool(end_session, context_of(request).database, read_session(request, settings))
    response = redirect("/web/sign-in")
    clear_session(response, settings)
    return response


@router.get("/web/static/{name}")
async def static_file(name: str) -> Response:
    """The stylesheet (a fixed list of files, so no path from the URL reaches the disk)."""
    if name not in STATIC_FILES:
        raise NotFound(f"no static file {name!r}")
    response = FileResponse(STATIC / name, media_type=STATIC_FILES[name])
    secure_headers(response)
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@router.get("/web/no-pages")
async def no_pages(request: Request) -> Response:
    """Roles without a page here (analysts) use the API."""
    return error_page(request, 403, "Your role has no pages here; use the API with your key.")
