"""The full app with the web pages, for TestClient and a real uvicorn."""

from __future__ import annotations

from fastapi import FastAPI

from api.loaded_model import LoadedModel
from api.main import create_app
from api.referrals.ports import PdfRenderer
from api.settings import Settings
from api.web.settings import WebSettings
from risk.assess import Assessor


def web_app(
    settings: Settings, web: WebSettings, pdf: PdfRenderer | None = None, assessor: Assessor | None = None
) -> FastAPI:
    """``api.main.create_app`` on ``settings`` with the ``web`` section.

    An ``assessor`` given by the fast tests replaces main's model loading (seconds per app).
    """
    model = LoadedModel(assessor) if assessor is not None else None
    return create_app(settings.model_copy(update={"web": web}), pdf_renderer=pdf, model=model)


def create_app_from_env() -> FastAPI:
    """uvicorn factory for the browser tests: every setting from ``OSTEOREF_*``, real PDF pool."""
    return web_app(Settings(), WebSettings())
