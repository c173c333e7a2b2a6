"""The signed session cookie (itsdangerous) holding the API key and the CSRF synchroniser token."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

from api.web.settings import WebSettings

COOKIE_NAME = "osteoref_web"
COOKIE_PATH = "/web"
CSRF_FIELD = "csrf_token"
_SALT = "osteoref.web.session.v1"


@dataclass(frozen=True, slots=True)
class WebSession:
    """One browser's session: a CSRF token, and the API key once signed in."""

    csrf: str
    api_key: str | None = None


def new_session(api_key: str | None = None) -> WebSession:
    """A session with a fresh CSRF token (new on every sign-in and sign-out)."""
    return WebSession(csrf=secrets.token_urlsafe(32), api_key=api_key)


def _serializer(settings: WebSettings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.session_secret.get_secret_value(), salt=_SALT)


def read_session(request: Request, settings: WebSettings) -> WebSession | None:
    """The session of the request's cookie; None when absent, tampered with or expired."""
    raw = request.cookies.get(COOKIE_NAME)
    if not raw:
        return None
    try:
        data: Any = _serializer(settings).loads(raw, max_age=settings.session_max_age_seconds)
    except BadSignature:  # also SignatureExpired
        return None
    if not isinstance(data, dict) or not isinstance(data.get("c"), str):
        return None
    key = data.get("k")
    return WebSession(csrf=data["c"], api_key=key if isinstance(key, str) else None)


def write_session(response: Response, session: WebSession, settings: WebSettings) -> None:
    """Set the signed cookie: HttpOnly, Secure, SameSite=Strict, scoped to the web pages."""
    value = _serializer(settings).dumps({"c": session.csrf, "k": session.api_key})
    response.set_cookie(
        COOKIE_NAME,
        value,
        max_age=settings.session_max_age_seconds,
        path=COOKIE_PATH,
        secure=settings.session_cookie_secure,
        httponly=True,
        samesite="strict",
    )


def clear_session(response: Response, settings: WebSettings) -> None:
    """Expire the cookie."""
    response.delete_cookie(
        COOKIE_NAME,
        path=COOKIE_PATH,
        secure=settings.session_cookie_secure,
        httponly=True,
        samesite="strict",
    )


def csrf_matches(session: WebSession | None, submitted: object) -> bool:
    """Whether the form's token is the session's (constant-time); False without a session."""
    if session is None or not isinstance(submitted, str) or not submitted:
        return False
    return hmac.compare_digest(session.csrf.encode(), submitted.encode())
