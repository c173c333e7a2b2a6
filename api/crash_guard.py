"""The last line: an unexpected exception becomes a plain 500 and a log line naming its type.

It is the outermost of our middlewares and does not re-raise, so neither Starlette's error
middleware nor uvicorn ever prints the traceback: an exception's message and its frames'
locals can hold patient data (a pydantic error quotes the input, a database error its
parameters). The type and the route template are enough to find the bug in a test.
"""

from __future__ import annotations

import structlog
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import error_body

log = structlog.get_logger("api.crash")


def route_template(scope: Scope) -> str:
    """The matched route's template (``/v1/referrals/{referral_id}``), never the concrete path."""
    template = getattr(scope.get("route"), "path", None)
    return str(template) if template else "(unmatched)"


class CrashGuardMiddleware:
    """Pure ASGI middleware: any exception out of the app → 500, logged by type only."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watching_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watching_send)
        except Exception as exc:
            log.error("unhandled_error", error_type=type(exc).__name__, path=route_template(scope))
            if not started:
                body = error_body("internal_error", "internal server error", [])
                await JSONResponse(body, status_code=500)(scope, receive, send)
