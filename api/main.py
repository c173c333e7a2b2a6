"""The FastAPI application: one factory, one router list, one error-handler module.

Other parts of the service plug in by adding their router to ``ROUTERS``. Every request passes
the boundary middlewares, outermost first: the crash guard (a 500 that logs only a type), the
request log, security headers, CDS CORS, the NUL-in-URL guard and the body cap.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import TYPE_CHECKING

import structlog
from fastapi import APIRouter, FastAPI
from starlette.concurrency import run_in_threadpool

from api.ack.routes import router as ack_router
from api.auth.throttle import write_counts
from api.body_limit import BodyLimitMiddleware
from api.cds.cors import CdsCorsMiddleware
from api.cds.routes import router as cds_router
from api.context import AppContext, Given, attach_context, running_context
from api.crash_guard import CrashGuardMiddleware
from api.delivery.channels import Registry
from api.delivery.routes import router as delivery_router
from api.errors import install_error_handlers
from api.fhir import referral_routes as fhir_referral_routes
from api.fhir import routes as fhir_routes
from api.loaded_model import LoadedModel
from api.logging import RequestLogMiddleware, configure_logging
from api.model_card.routes import router as model_card_router
from api.query_guard import QueryGuardMiddleware
from api.referrals.ports import PdfRenderer
from api.routes import assessments, audit, docs, health, referrals, worklist
from api.security_headers import SecurityHeadersMiddleware
from api.settings import Settings, get_settings
from api.web import routes as web_routes

if TYPE_CHECKING:
    import httpx  # imported with the first outbound request (api.cds.fhir_fetch)

log = structlog.get_logger("api.main")
AUTH_FAILURE_DRAIN_SECONDS = 5.0

ROUTERS: tuple[APIRouter, ...] = (
    health.router,
    assessments.router,
    referrals.router,
    worklist.router,
    audit.router,
    fhir_routes.router,
    fhir_referral_routes.router,
    web_routes.router,
    cds_router,
    model_card_router,
    docs.router,  # /docs from local assets (FastAPI's own loads a CDN), and GET /
    delivery_router,
    ack_router,
)


async def _write_auth_failures(context: AppContext, *, everything: bool = False) -> None:
    limiter = context.auth_limiter
    await run_in_threadpool(write_counts, context.database, limiter.drain(everything=everything))


async def _drain_auth_failures(context: AppContext) -> None:
    # Windows that ended with no later failure to flush them are written here.
    while True:
        await asyncio.sleep(AUTH_FAILURE_DRAIN_SECONDS)
        try:
            await _write_auth_failures(context)
        except Exception as exc:  # a database hiccup must not end the loop
            log.error("auth_failure_audit_failed", error_type=type(exc).__name__)


def lifespan_for(settings: Settings, given: Given) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """The lifespan of an app on ``settings``: build its context, drain auth failures, close after."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with running_context(settings, given) as context:
            attach_context(app, context)
            drain = asyncio.create_task(_drain_auth_failures(context))
            # Everything built so far (app, routes, schemas, model, libraries) lives as long as
            # the process: freezing it keeps the cyclic GC from re-scanning it after every few
            # requests, a measurable share of each scored request (benchmarks/bench_api.py).
            # No collection first: start-up leaves ~3k unreachable objects (well under 1 MB) and
            # a full pass over the ~400k built ones would delay /ready by 0.1-0.2 s.
            gc.freeze()
            gc.enable()  # `osteoref serve` pauses it while the app is imported (api.cli)
            try:
                yield
            finally:
                gc.unfreeze()
                drain.cancel()
                await _write_auth_failures(context, everything=True)

    return lifespan


def create_app(
    settings: Settings | None = None,
    *,
    pdf_renderer: PdfRenderer | None = None,
    model: LoadedModel | None = None,
    channels: Registry | None = None,
    cds_transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    """A configured application; its lifespan builds the one context (``api.context``).

    Without ``pdf_renderer`` the lifespan starts a process pool of ``settings.pdf_workers``
    workers, so PDF rendering never blocks the event loop. Tests may also hand in a preloaded
    ``model``, delivery ``channels`` and an HTTP transport for the CDS reads.
    """
    settings = settings or get_settings()
    configure_logging(settings.log_json)
    app = FastAPI(
        title="osteoref",
        summary="Post-kyphoplasty re-fracture risk and PCP referral decisions",
        version="0.1.0",
        lifespan=lifespan_for(settings, Given(pdf_renderer, model, channels, cds_transport)),
        docs_url=None,  # served by api.routes.docs, offline
        redoc_url=None,  # ReDoc's bundle fetches a logo from a CDN: not offered
    )
    for router in ROUTERS:
        app.include_router(router)
    install_error_handlers(app)
    install_boundary(app, settings)
    return app


def install_boundary(app: FastAPI, settings: Settings) -> None:
    """The boundary middlewares (``add_middleware`` wraps: the last added runs first)."""
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(QueryGuardMiddleware)
    app.add_middleware(CdsCorsMiddleware, origins=settings.cds.cds_cors_origins)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(RequestLogMiddleware)
    app.add_middleware(CrashGuardMiddleware)


app = create_app()
