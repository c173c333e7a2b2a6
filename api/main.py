"""The FastAPI application: one factory, one router list, one error-handler module.

Other parts of the service plug in by adding their router to ``ROUTERS``.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from fastapi import APIRouter, FastAPI

from api.ack.routes import router as ack_router
from api.cds.routes import router as cds_router
from api.delivery.routes import router as delivery_router
from api.errors import install_error_handlers
from api.fhir import routes as fhir_routes
from api.logging import RequestLogMiddleware, configure_logging
from api.model_card.routes import router as model_card_router
from api.referrals.lifespan import referral_lifespan
from api.referrals.ports import PdfRenderer
from api.routes import assessments, audit, health, referrals, worklist
from api.settings import Settings, get_settings
from api.web import routes as web_routes
from risk.assess import Assessor
from risk.errors import OsteorefError

log = structlog.get_logger("api.main")

ROUTERS: tuple[APIRouter, ...] = (
    health.router,
    assessments.router,
    referrals.router,
    worklist.router,
    audit.router,
    fhir_routes.router,
    web_routes.router,
    cds_router,
    model_card_router,
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


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Load the model, open and migrate the database, warm the PDF pool; close them after."""
    load_model(app, app.state.settings)
    async with referral_lifespan(app, app.state.settings, pdf=app.state.pdf_renderer):
        # Everything built so far (app, routes, schemas, model, libraries) lives as long as
        # the process: freezing it keeps the cyclic GC from re-scanning it after every few
        # requests, a measurable share of each scored request (benchmarks/bench_api.py).
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            gc.unfreeze()


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
    )
    app.state.settings = settings
    app.state.pdf_renderer = pdf_renderer
    app.state.assessor, app.state.model_error = None, "not loaded yet"
    for router in ROUTERS:
        app.include_router(router)
    install_error_handlers(app)
    app.add_middleware(RequestLogMiddleware)
    return app


app = create_app()
