"""The lifespan piece ``create_app`` enters: database, PDF pool and the real scorer and letters."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api.referrals.adapters import AppAssessor, ReportLetters, letterhead_from
from api.referrals.ports import PdfRenderer
from api.referrals.wiring import install, open_database
from api.settings import Settings
from reports import PdfRenderPool


@asynccontextmanager
async def referral_lifespan(
    app: FastAPI, settings: Settings, pdf: PdfRenderer | None = None
) -> AsyncIterator[None]:
    """Open and migrate the database, start a PDF pool (unless given one), install, clean up.

    Enter it after the model is loaded (``app.state.assessor``); the scorer is looked up per
    request, so a failed model load answers 503 on creation, not a crash at start-up.
    """
    database = open_database(settings)
    pool: PdfRenderPool | None = None
    if pdf is None:
        pool = PdfRenderPool(settings.pdf_workers)
        # Readiness does not wait for WeasyPrint: an early PDF queues behind the warm-up.
        pool.start(wait=False)
        pdf = pool
    letters = ReportLetters(letterhead_from(settings))
    install(app, settings, database, scorer=AppAssessor(app), letters=letters, pdf=pdf)
    try:
        yield
    finally:
        if pool is not None:
            pool.close()
        database.dispose()
