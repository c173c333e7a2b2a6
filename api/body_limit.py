"""The request body cap (``OSTEOREF_MAX_BODY_BYTES``): 413 before any route runs or parses.

A declared ``Content-Length`` over the cap is answered at once, before the route (and its
authentication) runs; a body sent without one (chunked) is counted as it is read, and the
read that crosses the cap raises ``RequestTooLarge`` (413) in the route, so nothing larger
than the cap is ever held or parsed. Starlette's own limiter runs the route first and only
swaps its answer, so a 401 or a database write would already have happened.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import RequestTooLarge, error_response


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None


class BodyLimitMiddleware:
    """Pure ASGI middleware capping every HTTP request body at ``max_bytes``."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _too_large(self) -> RequestTooLarge:
        return RequestTooLarge(f"request body larger than {self.max_bytes} bytes (OSTEOREF_MAX_BODY_BYTES)")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _declared_length(scope)
        if declared is not None and declared > self.max_bytes:
            await error_response(self._too_large())(scope, receive, send)
            return
        received = 0

        async def capped_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise self._too_large()
            return message

        await self.app(scope, capped_receive, send)
