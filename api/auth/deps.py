"""FastAPI dependencies: ``require(action)`` authenticates the bearer key and checks the role."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from api.auth import cache
from api.auth.permissions import Action, is_allowed
from api.auth.principal import Principal, authenticate
from api.auth.throttle import FailureLimiter, client_source, write_counts
from api.context import context_of
from api.db import audit_repo
from api.db.engine import Database
from risk.errors import NotAuthenticated, PermissionDenied

# auto_error=False: we raise risk.errors ourselves so the one error handler shapes the 401.
bearer_scheme = HTTPBearer(auto_error=False, description="An osteoref API key")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)]


def require(action: Action) -> Callable[..., Awaitable[Principal]]:
    """A dependency that returns the caller's Principal if its role may perform ``action``."""

    async def dependency(request: Request, credentials: Credentials) -> Principal:
        presented = credentials.credentials if credentials else None
        return await authorize_key(request, presented, action)

    dependency.__name__ = f"require_{action.replace(':', '_')}"
    return dependency


# For hot routes that authorise with a direct call (FastAPI's dependency resolution costs
# more per request than scoring); they declare this security requirement in OpenAPI.
BEARER_SECURITY: dict[str, list[dict[str, list[str]]]] = {"security": [{"HTTPBearer": []}]}


async def authorize(request: Request, action: Action) -> Principal:
    """``require(action)`` as a plain call: the bearer key from the Authorization header."""
    return await authorize_key(request, bearer_key(request.scope["headers"]), action)


def bearer_key(headers: list[tuple[bytes, bytes]]) -> str | None:
    """The key of an ``Authorization: Bearer <key>`` header in ASGI raw headers, else None."""
    # Read straight from the raw list (ASGI names are lower-case): building Starlette's
    # Headers object for one lookup costs more than the lookup on the hot routes.
    for name, value in headers:
        if name == b"authorization":
            scheme, _, presented = value.decode("latin-1").partition(" ")
            return presented if scheme.lower() == "bearer" and presented else None
    return None


async def authorize_key(request: Request, presented: str | None, action: Action) -> Principal:
    """The caller's Principal if the presented key's role may perform ``action``.

    A key this process verified recently passes without the database; any other request from
    a source over the failure limit is refused (429) before any database work.
    """
    recalled = cache.recall(presented) if presented else None
    if recalled is not None and is_allowed(recalled.role, action):
        return recalled  # hot path: no thread hop, no database round trip
    context = context_of(request)
    limiter, source = context.auth_limiter, client_source(request)
    limiter.check(source)
    return await run_in_threadpool(_check, context.database, presented or None, action, limiter, source)


def _check(
    database: Database, presented: str | None, action: Action, limiter: FailureLimiter, source: str
) -> Principal:
    try:
        principal = authenticate(database, presented)
    except NotAuthenticated:
        write_counts(database, limiter.record_failure(source, action))
        raise
    if not is_allowed(principal.role, action):
        _audit_denied(database, principal, action)
        raise PermissionDenied(f"role {principal.role!r} may not perform {action!r}")
    return principal


def _audit_denied(database: Database, principal: Principal, action: str) -> None:
    with database.transaction() as session:
        audit_repo.append(
            session, actor_key_id=principal.key_id, role=principal.role, action=action, outcome="denied"
        )
