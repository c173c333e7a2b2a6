"""Jinja2 (autoescaped) page rendering with the security headers every web response carries."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from api.web import labels
from api.web.session import CSRF_FIELD, WebSession, write_session
from api.web.settings import WebSettings
from reports import fmt
from reports.labels import INPUT_NOTES, input_label, input_value

TEMPLATES = Path(__file__).parent / "templates"
# Pages: only our own stylesheet, forms and frames. Letters get a stricter policy of their own.
PAGE_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; frame-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
LETTER_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; frame-ancestors 'self'"
)
COMMON_HEADERS = {
    "Cache-Control": "no-store",  # pages carry clinical data: never cached on the way
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}

environment = Environment(
    loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined, trim_blocks=True
)
environment.globals.update(
    label=labels.label,
    priority_text=labels.PRIORITY_TEXT,
    severity_text=labels.SEVERITY_TEXT,
    input_label=input_label,
    input_value=input_value,
    input_notes=INPUT_NOTES,
)
environment.filters["percent"] = labels.percent
# Risks in words as the letters print them (one decimal below 10%), so page and letter agree.
environment.filters["risk_percent"] = fmt.percent


def secure_headers(response: Response, csp: str = PAGE_CSP) -> Response:
    """Add the no-store, nosniff, no-referrer and CSP headers."""
    response.headers.update(COMMON_HEADERS)
    response.headers["Content-Security-Policy"] = csp
    if csp == PAGE_CSP:
        response.headers["X-Frame-Options"] = "DENY"
    return response


def page(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    session: WebSession,
    settings: WebSettings,
    status_code: int = 200,
    set_cookie: bool = False,
) -> HTMLResponse:
    """The rendered template; ``set_cookie`` (re)writes the session cookie (new sessions)."""
    full = {"request": request, "csrf_field": CSRF_FIELD, "csrf_token": session.csrf, **context}
    full.setdefault("user", None)
    full.setdefault("title", "osteoref")
    body = environment.get_template(template).render(full)
    response = HTMLResponse(body, status_code=status_code)
    if set_cookie:
        write_session(response, session, settings)
    secure_headers(response)
    return response
