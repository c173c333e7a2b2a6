"""NUL (U+0000) in a URL is refused at the boundary (422 naming the parameter).

No database column can hold NUL (PostgreSQL refuses it outright), so a query parameter that
carries one would reach a filter as a 500; a path segment with one can name no resource.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Receive, Scope, Send

from api.errors import error_response
from risk.errors import FieldError, InvalidInput

RULE = "text must not contain NUL"


def nul_fields(scope: Scope) -> list[str]:
    """The URL parts holding NUL: ``path`` and/or ``query.<name>`` per parameter."""
    found = ["path"] if "\x00" in scope["path"] else []
    query: bytes = scope.get("query_string", b"")
    if b"%00" in query or b"\x00" in query:
        pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True)
        found += [f"query.{name.replace(chr(0), '')}" for name, value in pairs if "\x00" in name + value]
    return found


class QueryGuardMiddleware:
    """Pure ASGI middleware answering 422 for a URL that holds NUL."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (fields := nul_fields(scope)):
            error = InvalidInput("the URL holds NUL", [FieldError(f, None, RULE) for f in fields])
            await error_response(error)(scope, receive, send)
            return
        await self.app(scope, receive, send)
