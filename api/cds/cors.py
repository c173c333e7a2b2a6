"""CORS for browser-based CDS clients on the CDS Hooks endpoints only (``/cds-services…``).

The specification says browser-based clients need CORS and defers to OWASP for doing it safely:
origins are an explicit allow-list (``OSTEOREF_CDS_CORS_ORIGINS``, empty = no CORS headers at
all), no credentials (the JWT travels in the Authorization header, never in a cookie), and only
the methods and headers a CDS call uses. The REST API, FHIR and web pages never answer CORS.
"""

from __future__ import annotations

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

CDS_PREFIX = "/cds-services"
METHODS = ("GET", "POST", "OPTIONS")
HEADERS = ("Authorization", "Content-Type")
PREFLIGHT_MAX_AGE = 600


class CdsCorsMiddleware:
    """Starlette's CORSMiddleware, applied to CDS paths with the allow-list of the app's CDS settings."""

    def __init__(self, app: ASGIApp, origins: list[str]) -> None:
        self.app = app
        self._cors: CORSMiddleware | None = None
        if origins:
            self._cors = CORSMiddleware(
                app,
                allow_origins=origins,
                allow_methods=METHODS,
                allow_headers=HEADERS,
                allow_credentials=False,
                max_age=PREFLIGHT_MAX_AGE,
            )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._cors is not None and scope["type"] == "http" and scope["path"].startswith(CDS_PREFIX):
            await self._cors(scope, receive, send)
            return
        await self.app(scope, receive, send)
