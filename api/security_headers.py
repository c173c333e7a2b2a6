"""Headers every response carries: ``nosniff`` always, and a Content-Security-Policy on HTML.

A response that sets its own CSP keeps it (the web pages and the letters have stricter ones);
any other HTML gets ``DEFAULT_CSP``, which allows nothing to load, run or frame it. The API
documentation page (``/docs``) loads Swagger UI from this server (``api/routes/docs.py``) and
starts it with FastAPI's inline script, so it gets a policy allowing only this origin and that
inline start-up script; nothing from another host.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

DEFAULT_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'"
DOCS_CSP = (
    "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; worker-src blob:; frame-ancestors 'none'; base-uri 'none'"
)
DOCS_PATHS = frozenset({"/docs", "/docs/oauth2-redirect"})
NOSNIFF = (b"x-content-type-options", b"nosniff")


def _with_security_headers(headers: list[tuple[bytes, bytes]], path: str) -> list[tuple[bytes, bytes]]:
    names = {name.lower() for name, _ in headers}
    added = [] if b"x-content-type-options" in names else [NOSNIFF]
    is_html = any(n.lower() == b"content-type" and v.startswith(b"text/html") for n, v in headers)
    if is_html and b"content-security-policy" not in names:
        policy = DOCS_CSP if path in DOCS_PATHS else DEFAULT_CSP
        added.append((b"content-security-policy", policy.encode()))
    return [*headers, *added] if added else headers


class SecurityHeadersMiddleware:
    """Pure ASGI middleware adding the headers to each response's start message."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                message = {**message, "headers": _with_security_headers(headers, scope["path"])}
            await send(message)

        await self.app(scope, receive, send_with_headers)
