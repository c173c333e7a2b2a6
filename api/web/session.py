"""The web session: a signed cookie with the CSRF token and, once signed in, a random session token.

The cookie never holds the API key. A signed-in session is a row in ``web_sessions`` keyed by
the sha256 of its token (a database copy gives no working cookie); every request looks the
row up joined to an unrevoked key, so sign-out (the row is deleted) and key revocation end the
session at once, and a cookie copied before sign-out no longer works. The anonymous session of
the sign-in form is the signed cookie alone (no row), so unauthenticated visitors write nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

from api.auth.principal import Principal
from api.db import sessions_repo
from api.db.engine import Database
from api.db.types import utcnow
from api.web.settings import WebSettings

COOKIE_NAME = "osteoref_web"
COOKIE_PATH = "/web"
CSRF_FIELD = "csrf_token"
_SALT = "osteoref.web.session.v2"


@dataclass(frozen=True, slots=True)
class WebSession:
    """One browser's session: a CSRF token, and the session token once signed in."""

    csrf: str
    token: str | None = None

    @property
    def signed_in(self) -> bool:
        """Whether the cookie claims a signed-in session (the database has the last word)."""
        return self.token is not None


def new_session() -> WebSession:
    """An anonymous session with a fresh CSRF token (new on every sign-in and sign-out)."""
    return WebSession(csrf=secrets.token_urlsafe(32))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(database: Database, principal: Principal, settings: WebSettings) -> WebSession:
    """A new signed-in session for ``principal``, stored server-side (fresh CSRF token too)."""
    token = secrets.token_urlsafe(32)
    expires = utcnow() + dt.timedelta(seconds=settings.session_max_age_seconds)
    with database.transaction() as session:
        sessions_repo.add_session(
            session, token_hash=_token_hash(token), key_id=principal.key_id, expires_at=expires
        )
    return WebSession(csrf=secrets.token_urlsafe(32), token=token)


def session_principal(database: Database, web_session: WebSession) -> Principal | None:
    """The principal of a live session: stored, unexpired, and its key not revoked."""
    if web_session.token is None:
        return None
    with database.reader() as session:
        key = sessions_repo.active_session_key(session, _token_hash(web_session.token))
        return Principal(key_id=key.id, role=key.role) if key is not None else None


def end_session(database: Database, web_session: WebSession | None) -> None:
    """Delete the session's row (sign-out); nothing to do for an anonymous session."""
    if web_session is None or web_session.token is None:
        return
    with database.transaction() as session:
        sessions_repo.delete_session(session, _token_hash(web_session.token))


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
    token = data.get("s")
    return WebSession(csrf=data["c"], token=token if isinstance(token, str) else None)


def write_session(response: Response, session: WebSession, settings: WebSettings) -> None:
    """Set the signed cookie: HttpOnly, Secure, SameSite=Strict, scoped to the web pages."""
    value = _serializer(settings).dumps({"c": session.csrf, "s": session.token})
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
