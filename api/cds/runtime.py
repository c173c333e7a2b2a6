"""The CDS components of one app (verifier, fetcher, settings) and the JWT dependency."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import httpx
from fastapi import Depends, FastAPI, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection

from api.auth.throttle import client_source, limiter_of, write_counts
from api.cds.cards import CardSite
from api.cds.fhir_fetch import FhirFetcher
from api.cds.jwks import JwksSource
from api.cds.replay import ReplayCache
from api.cds.settings import CdsSettings, get_cds_settings
from api.cds.verify import CdsCaller, CdsVerifier
from api.db.app_state import database_of
from api.settings import Settings, get_settings
from risk.errors import NotAuthenticated

cds_bearer = HTTPBearer(auto_error=False, description="The CDS client's signed JWT (ES384/RS384)")


@dataclass(frozen=True)
class CdsRuntime:
    """Everything the CDS routes need beyond the request; built once per app."""

    settings: CdsSettings
    verifier: CdsVerifier
    fetcher: FhirFetcher


def build_runtime(settings: CdsSettings, transport: httpx.AsyncBaseTransport | None = None) -> CdsRuntime:
    """A runtime for ``settings`` (tests pass a mock transport for JWK Set and FHIR reads)."""
    keys = JwksSource(
        timeout_seconds=settings.cds_jwks_timeout_seconds,
        cache_seconds=settings.cds_jwks_cache_seconds,
        refetch_seconds=settings.cds_jwks_refetch_seconds,
        transport=transport,
    )
    verifier = CdsVerifier(
        settings.cds_clients,
        keys,
        ReplayCache(max_entries=settings.cds_replay_max_entries),
        leeway_seconds=settings.cds_clock_leeway_seconds,
        max_lifetime_seconds=settings.cds_max_token_lifetime_seconds,
    )
    fetcher = FhirFetcher(
        timeout_seconds=settings.cds_fhir_timeout_seconds,
        max_pages=settings.cds_fhir_max_pages,
        transport=transport,
    )
    return CdsRuntime(settings, verifier, fetcher)


def install_cds(app: FastAPI, runtime: CdsRuntime) -> None:
    """Use ``runtime`` for this app (otherwise one is built from the environment on first use)."""
    app.state.cds_runtime = runtime


def cds_runtime(connection: HTTPConnection) -> CdsRuntime:
    """The app's runtime, built from ``OSTEOREF_CDS_*`` on first use."""
    runtime = getattr(connection.app.state, "cds_runtime", None)
    if not isinstance(runtime, CdsRuntime):
        runtime = build_runtime(get_cds_settings())
        connection.app.state.cds_runtime = runtime
    return runtime


def app_settings(connection: HTTPConnection) -> Settings:
    """The app's main settings (those it was created with, else the process settings)."""
    settings = getattr(connection.app.state, "settings", None)
    return settings if isinstance(settings, Settings) else get_settings()


def base_url(connection: HTTPConnection) -> str:
    """The public base URL without a trailing slash."""
    return app_settings(connection).public_base_url.rstrip("/")


def card_site(connection: HTTPConnection, label: str) -> CardSite:
    """Absolute URLs for cards."""
    root = base_url(connection)
    path = cds_runtime(connection).settings.cds_referral_page_path
    return CardSite(label=label, model_card_url=f"{root}/model-card", referral_page_url=f"{root}{path}")


async def cds_caller(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(cds_bearer)]
) -> CdsCaller:
    """The verified CDS client; the JWT's aud must be this exact endpoint URL.

    Failures count against the caller's address like failed API keys (api/auth/throttle.py):
    past the limit the address gets 429 until its window ends, before any verification work.
    """
    audience = base_url(request) + request.url.path
    token = credentials.credentials if credentials else None
    limiter, source = limiter_of(request), client_source(request)
    limiter.check(source)
    try:
        return await cds_runtime(request).verifier.verify(token, audience)
    except NotAuthenticated:
        due = limiter.record_failure(source, "cds:call")
        if due:
            await run_in_threadpool(write_counts, database_of(request), due)
        raise


CallerDep = Annotated[CdsCaller, Depends(cds_caller)]
