"""The full app with the web pages and the referral lifespan, for TestClient and a real uvicorn."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import FastAPI

from api.main import create_app
from api.referrals.lifespan import referral_lifespan
from api.referrals.ports import PdfRenderer
from api.settings import Settings
from api.web.routes import router as web_router
from api.web.settings import WebSettings
from risk.assess import Assessor


def web_app(
    settings: Settings, web: WebSettings, pdf: PdfRenderer | None = None, assessor: Assessor | None = None
) -> FastAPI:
    """``api.main.create_app`` plus the web router and, unless main enters it, the referral lifespan.

    An ``assessor`` given by the fast tests replaces main's model loading (seconds per app).
    """
    app = create_app(settings)
    if not any(getattr(route, "original_router", None) is web_router for route in app.routes):
        app.include_router(web_router)
    app.state.web_settings = web
    inner = app.router.lifespan_context if assessor is None else _preloaded(assessor)

    @asynccontextmanager
    async def lifespan(application: FastAPI) -> AsyncIterator[None]:
        async with inner(application):
            if getattr(application.state, "osteoref_referrals", None) is not None:
                yield
                return
            async with referral_lifespan(application, settings, pdf):
                yield

    app.router.lifespan_context = lifespan
    return app


def _preloaded(assessor: Assessor) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(application: FastAPI) -> AsyncIterator[None]:
        application.state.assessor, application.state.model_error = assessor, None
        yield

    return lifespan


def create_app_from_env() -> FastAPI:
    """uvicorn factory for the browser tests: every setting from ``OSTEOREF_*``, real PDF pool."""
    return web_app(Settings(), WebSettings())
