"""The one router of the web pages (add it to ``api.main.ROUTERS``); its lifespan checks the settings."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

from api.web import pages_assess, pages_auth, pages_delivery, pages_referrals, pages_worklist
from api.web.settings import WebSettings


@asynccontextmanager
async def web_lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Read the web settings at start-up, so production refuses the development secret at once."""
    if not isinstance(getattr(app.state, "web_settings", None), WebSettings):
        app.state.web_settings = WebSettings()
    yield


router = APIRouter(lifespan=web_lifespan, include_in_schema=False)
for _pages in (pages_auth, pages_assess, pages_referrals, pages_worklist, pages_delivery):
    router.include_router(_pages.router)
