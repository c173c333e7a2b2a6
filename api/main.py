"""The FastAPI application: one factory, one router list, one error-handler module.

Other parts of the service plug in by adding their router to ``ROUTERS``. Every request passes
the boundary middlewares, outermost first: the crash guard (a 500 that logs only a type), the
request log, security headers, CDS CORS, the NUL-in-URL guard and the body cap.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from fastapi import APIRouter, FastAPI
from starlette.concurrency import run_in_threadpool

from api.ack.routes import router as ack_router
from api.auth.throttle import FailureLimiter, write_counts
from api.body_limit import BodyLimitMiddleware
from api.cds.cors import CdsCorsMiddleware
from api.cds.routes import router as cds_router
from api.crash_guard import CrashGuardMiddleware
from api.db.engine import Database
from api.delivery.routes import router as delivery_router
from api.errors import install_error_handlers
from api.fhir import referral_routes as fhir_referral_routes
from api.fhir import routes as fhir_routes
from api.logging import RequestLogMiddleware, configure_logging
from api.model_card.routes import router as model_card_router
from api.query_guard import QueryGuardMiddleware
from api.referrals.lifespan import referral_lifespan
from api.referrals.ports import PdfRenderer
from api.routes import assessments, audit, docs, health, referrals, worklist
from api.security_headers import SecurityHeadersMiddleware
from api.settings import Settings, get_settings
from api.web import routes as web_routes
from risk.assess import Assessor
from risk.errors import OsteorefError

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


def load_model(app: FastAPI, settings: Settings) -> None:
    """Load the Assessor onto ``app.state``; on failure keep serving and report not ready."""
    app.state.assessor, app.state.model_error = None, None
    try:
        app.state.assessor = Assessor.load(settings.model_path, settings.rule_config())
    except (OsteorefError, OSError) as exc:
        app.state.model_error = str(exc)
        log.error("model_load_failed", error_type=type(exc).__name__)
        return
    info = app.state.assessor.model_info
    log.info("model_loaded", model_name=info.name, model_version=info.version)


async def _write_auth_failures(app: FastAPI, *, everything: bool = False) -> None:
    limiter: FailureLimiter = app.state.auth_limiter
    database: Database = app.state.osteoref_database  # attached by referral_lifespan
    await run_in_threadpool(write_counts, database, limiter.drain(everything=everything))


async def _drain_auth_failures(app: FastAPI) -> None:
    # Windows that ended with no later failure to flush them are written here.
    while True:
        await asyncio.sleep(AUTH_FAILURE_DRAIN_SECONDS)
        try:
            await _write_auth_failures(app)
        except Exception as exc:  # a database hiccup must not end the loop
            log.error("auth_failure_audit_failed", error_type=type(exc).__name__)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Load the model, open and migrate the database, warm the PDF pool; close them after."""
    load_model(app, app.state.settings)
    async with referral_lifespan(app, app.state.settings, pdf=app.state.pdf_renderer):
        drain = asyncio.create_task(_drain_auth_failures(app))
        # Everything built so far (app, routes, schemas, model, libraries) lives as long as
        # the process: freezing it keeps the cyclic GC from re-scanning it after every few
        # requests, a measurable share of each scored request (benchmarks/bench_api.py).
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            gc.unfreeze()
            drain.cancel()
            await _write_auth_failures(app, everything=True)


def create_app(settings: Settings | None = None, *, pdf_renderer: PdfRenderer | None = None) -> FastAPI:
    """A configured application (tests pass their own settings, and may pass a PDF renderer).

    Without ``pdf_renderer`` the lifespan starts and warms a process pool of
    ``settings.pdf_workers`` workers, so PDF rendering never blocks the event loop.
    """
    settings = settings or get_settings()
    configure_logging(settings.log_json)
    app = FastAPI(
        title="osteoref",
        summary="Post-kyphoplasty re-fracture risk and PCP referral decisions",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,  # served by api.routes.docs, offline
        redoc_url=None,  # ReDoc's bundle fetches a logo from a CDN: not offered
    )
    app.state.settings = settings
    app.state.pdf_renderer = pdf_renderer
    app.state.assessor, app.state.model_error = None, "not loaded yet"
    app.state.auth_limiter = FailureLimiter(settings.auth_failure_limit, settings.auth_failure_window_seconds)
    for router in ROUTERS:
        app.include_router(router)
    install_error_handlers(app)
    install_boundary(app, settings)
    return app


def install_boundary(app: FastAPI, settings: Settings) -> None:
    """The boundary middlewares (``add_middleware`` wraps: the last added runs first)."""
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(QueryGuardMiddleware)
    app.add_middleware(CdsCorsMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(RequestLogMiddleware)
    app.add_middleware(CrashGuardMiddleware)


app = create_app()
