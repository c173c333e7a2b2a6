"""Dependency aliases for routes: the settings and the loaded Assessor of this app.

The dependencies are ``async def`` on purpose: FastAPI runs a plain ``def`` dependency in
a worker thread, and two thread hops per request cost more than scoring the patient.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from api.fast_route import read_body  # re-exported: the JSON-body helpers import it from here
from api.settings import Settings, get_settings
from risk.assess import Assessor
from risk.errors import ModelNotLoaded

__all__ = ["AssessorDep", "SettingsDep", "app_settings", "loaded_assessor", "read_body"]


def app_settings(request: Request) -> Settings:
    """The settings the app was created with (the process settings for an app built without)."""
    settings = getattr(request.app.state, "settings", None)
    return settings if isinstance(settings, Settings) else get_settings()


def loaded_assessor(request: Request) -> Assessor:
    """The Assessor loaded at start-up; 503 (ModelNotLoaded) if loading failed."""
    assessor: Assessor | None = request.app.state.assessor
    if assessor is None:
        raise ModelNotLoaded(f"no model loaded: {request.app.state.model_error}")
    return assessor


async def _settings_dependency(request: Request) -> Settings:
    return app_settings(request)


async def _assessor_dependency(request: Request) -> Assessor:
    return loaded_assessor(request)


SettingsDep = Annotated[Settings, Depends(_settings_dependency)]
AssessorDep = Annotated[Assessor, Depends(_assessor_dependency)]
