"""The request side of the CDS routes: the verified caller (JWT dependency) and the cards' URLs."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from api.auth.throttle import client_source, write_counts
from api.cds.cards import CardSite
from api.cds.verify import CdsCaller
from api.context import Connected, context_of
from risk.errors import NotAuthenticated

cds_bearer = HTTPBearer(auto_error=False, description="The CDS client's signed JWT (ES384/RS384)")


def base_url(connection: Connected) -> str:
    """The public base URL without a trailing slash."""
    return context_of(connection).settings.public_base_url.rstrip("/")


def card_site(connection: Connected, label: str) -> CardSite:
    """Absolute URLs for cards."""
    root = base_url(connection)
    path = context_of(connection).cds.settings.cds_referral_page_path
    return CardSite(label=label, model_card_url=f"{root}/model-card", referral_page_url=f"{root}{path}")


async def cds_caller(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(cds_bearer)]
) -> CdsCaller:
    """The verified CDS client; the JWT's aud must be this exact endpoint URL.

    Failures count against the caller's address like failed API keys (api/auth/throttle.py):
    past the limit the address gets 429 until its window ends, before any verification work.
    """
    context = context_of(request)
    audience = base_url(request) + request.url.path
    token = credentials.credentials if credentials else None
    limiter, source = context.auth_limiter, client_source(request)
    limiter.check(source)
    try:
        return await context.cds.verifier.verify(token, audience)
    except NotAuthenticated:
        due = limiter.record_failure(source, "cds:call")
        if due:
            await run_in_threadpool(write_counts, context.database, due)
        raise


CallerDep = Annotated[CdsCaller, Depends(cds_caller)]
