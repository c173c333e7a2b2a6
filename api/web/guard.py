"""Who may see a page: session sign-in, role checks, CSRF on posts, and errors as HTML pages."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from api.auth.permissions import Action, is_allowed
from api.auth.principal import Principal
from api.context import context_of
from api.db import audit_repo
from api.db.engine import Database
from api.errors import TooManyRequests
from api.web.render import page, secure_headers
from api.web.session import CSRF_FIELD, WebSession, csrf_matches, new_session, read_session, session_principal
from risk.errors import Conflict, InvalidInput, ModelNotLoaded, NotFound, PermissionDenied

SIGN_IN_PATH = "/web/sign-in"
CSRF_MESSAGE = "This form has expired or did not come from this site. Go back, reload the page and try again."


class SignInRequired(Exception):
    """No valid session (or its key was revoked): the browser goes to the sign-in page."""


class CsrfRejected(Exception):
    """A form post without the session's synchroniser token."""


@dataclass(frozen=True, slots=True)
class WebUser:
    """The signed-in caller and their session."""

    principal: Principal
    session: WebSession

    @property
    def can_assess(self) -> bool:
        """Whether the role may score patients."""
        return is_allowed(self.principal.role, "assessments:score")

    @property
    def can_see_worklist(self) -> bool:
        """Whether the role may read the coordinator worklist."""
        return is_allowed(self.principal.role, "worklist:read")


def _audit_denied(database: Database, principal: Principal, action: str) -> None:
    with database.transaction() as session:
        audit_repo.append(
            session, actor_key_id=principal.key_id, role=principal.role, action=action, outcome="denied"
        )


def signed_in(action: Action) -> Callable[[Request], Awaitable[WebUser]]:
    """A dependency: the server-side session looked up on every request, and its role checked."""

    async def dependency(request: Request) -> WebUser:
        session = read_session(request, context_of(request).settings.web)
        if session is None or not session.signed_in:
            raise SignInRequired
        database = context_of(request).database
        principal = await run_in_threadpool(session_principal, database, session)
        if principal is None:
            raise SignInRequired  # signed out, expired, or the key was revoked since sign-in
        if not is_allowed(principal.role, action):
            await run_in_threadpool(_audit_denied, database, principal, action)
            raise PermissionDenied(f"your role ({principal.role}) may not do this ({action})")
        return WebUser(principal, session)

    return dependency


async def checked_form(request: Request) -> FormData:
    """The posted form, if it carries the session's CSRF token (else CsrfRejected → 403).

    A field holding NUL is refused here (422), as the JSON policy refuses it in API bodies:
    no database column can store it.
    """
    form = await request.form()
    if not csrf_matches(read_session(request, context_of(request).settings.web), form.get(CSRF_FIELD)):
        raise CsrfRejected
    with_nul = sorted(
        {name for name, value in form.multi_items() if isinstance(value, str) and "\x00" in value}
    )
    if with_nul:
        names = ", ".join(name.replace("\x00", "") for name in with_nul)
        raise InvalidInput(f"These fields hold a NUL character, which is not allowed: {names}.")
    return form


def redirect(url: str) -> Response:
    """303 See Other (after a post the browser fetches ``url`` with GET)."""
    return secure_headers(RedirectResponse(url, status_code=303))


def error_page(request: Request, status_code: int, message: str) -> Response:
    """A plain error page that keeps the visitor's session."""
    settings = context_of(request).settings.web
    session = read_session(request, settings)
    context = {
        "title": f"Error {status_code}",
        "message": message,
        "signed_in": session is not None and session.signed_in,
    }
    fresh = session is None
    return page(
        request,
        "error.html",
        context,
        session=session or new_session(),
        settings=settings,
        status_code=status_code,
        set_cookie=fresh,
    )


ERRORS: tuple[tuple[type[Exception], int], ...] = (
    (PermissionDenied, 403),
    (NotFound, 404),
    (Conflict, 409),
    (InvalidInput, 422),
    (TooManyRequests, 429),
    (ModelNotLoaded, 503),
)


class WebRoute(APIRoute):
    """A route whose sign-in, CSRF and workflow errors become HTML pages, not JSON."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """Wrap the handler (dependencies included) to turn known errors into pages."""
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await original(request)
            except SignInRequired:
                return redirect(SIGN_IN_PATH)
            except CsrfRejected:
                return error_page(request, 403, CSRF_MESSAGE)
            except RequestValidationError:
                return error_page(request, 422, "The address of this page has values it does not accept.")
            except tuple(cls for cls, _ in ERRORS) as error:
                status = next(code for cls, code in ERRORS if isinstance(error, cls))
                return error_page(request, status, str(error))

        return handler
