"""The app's one context: what a request may reach, how the lifespan builds it, how a request gets it.

``create_app`` hands its settings to ``running_context``, which opens the database, starts the PDF
pool and builds every component once; the result is the frozen ``AppContext`` under one
``app.state`` key, and ``context_of`` is the one way to reach it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from fastapi import FastAPI

from api.auth.bootstrap import open_database
from api.auth.throttle import FailureLimiter
from api.cds.runtime import CdsRuntime, build_runtime
from api.db.engine import Database
from api.delivery.channels import Registry
from api.delivery.wiring import LoopComponents, build_loop, pool_renderer
from api.loaded_model import LoadedModel, load_model
from api.referrals.adapters import AppAssessor, ReportLetters, letterhead_from
from api.referrals.listing import Lister
from api.referrals.ports import LetterRenderer, PdfRenderer, Scorer
from api.referrals.service import ReferralService
from api.referrals.views import LinkBuilder
from api.settings import Settings
from reports import PdfRenderPool
from risk.errors import OsteorefError

if TYPE_CHECKING:
    import httpx  # imported with the first outbound request (api.cds.fhir_fetch)

STATE_KEY = "osteoref"


@dataclass(frozen=True)
class AppContext:
    """Everything the routes of one app use beyond the request, built once at start-up."""

    settings: Settings
    database: Database
    model: LoadedModel
    referrals: ReferralService
    lister: Lister
    pdf: PdfRenderer
    loop: LoopComponents
    cds: CdsRuntime
    auth_limiter: FailureLimiter


@dataclass(frozen=True)
class Given:
    """Parts handed in instead of built at start-up.

    Tests give a fake PDF renderer (no process pool), a preloaded model, a channel registry and a
    mock HTTP transport for the CDS JWK Set and FHIR reads; the service gives none.
    """

    pdf: PdfRenderer | None = None
    model: LoadedModel | None = None
    channels: Registry | None = None
    cds_transport: httpx.AsyncBaseTransport | None = None


def build_context(
    settings: Settings,
    database: Database,
    model: LoadedModel,
    pdf: PdfRenderer,
    *,
    scorer: Scorer | None = None,
    letters: LetterRenderer | None = None,
    given: Given = Given(),
) -> AppContext:
    """The components on an open ``database`` (tests pass a fake scorer and letters)."""
    links = LinkBuilder(settings.public_base_url)
    letters = letters or ReportLetters(letterhead_from(settings))
    # The scorer looks the model up per use, so a failed load answers 503 per request.
    service = ReferralService(database, scorer or AppAssessor(model), letters, links)
    return AppContext(
        settings=settings,
        database=database,
        model=model,
        referrals=service,
        lister=Lister(database, links),
        pdf=pdf,
        loop=build_loop(database, settings, pool_renderer(pdf), channels=given.channels),
        cds=build_runtime(settings.cds, given.cds_transport),
        auth_limiter=FailureLimiter(settings.auth_failure_limit, settings.auth_failure_window_seconds),
    )


@asynccontextmanager
async def running_context(settings: Settings, given: Given = Given()) -> AsyncIterator[AppContext]:
    """Load the model, open and migrate the database, start a PDF pool (unless given); close after.

    A model that fails to load is kept as the reason: the app serves and scoring answers 503.
    """
    model = given.model or load_model(settings)
    database = open_database(settings)
    pool: PdfRenderPool | None = None
    pdf = given.pdf
    if pdf is None:
        pool = PdfRenderPool(settings.pdf_workers)
        # Readiness does not wait for WeasyPrint: an early PDF queues behind the warm-up.
        pool.start(wait=False)
        pdf = pool
    try:
        yield build_context(settings, database, model, pdf, given=given)
    finally:
        if pool is not None:
            pool.close()
        database.dispose()


def attach_context(app: FastAPI, context: AppContext) -> None:
    """Make ``context`` the app's context (the lifespan does; tests of a bare router too)."""
    setattr(app.state, STATE_KEY, context)


class Connected(Protocol):
    """A request, a WebSocket or a TestClient: anything that knows its app."""

    @property
    def app(self) -> Any: ...


def context_of(connection: Connected) -> AppContext:
    """The app's context; a clear error if the lifespan did not build one."""
    context = getattr(connection.app.state, STATE_KEY, None)
    if not isinstance(context, AppContext):
        raise OsteorefError("no context attached to the app (lifespan did not run)")
    return context
