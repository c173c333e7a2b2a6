"""Dependency aliases for routes: the settings and the loaded Assessor of this app."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from api.settings import Settings
from risk.assess import Assessor
from risk.errors import ModelNotLoaded


def app_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


def loaded_assessor(request: Request) -> Assessor:
    """The Assessor loaded at start-up; 503 (ModelNotLoaded) if loading failed."""
    assessor: Assessor | None = request.app.state.assessor
    if assessor is None:
        raise ModelNotLoaded(f"no model loaded: {request.app.state.model_error}")
    return assessor


SettingsDep = Annotated[Settings, Depends(app_settings)]
AssessorDep = Annotated[Assessor, Depends(loaded_assessor)]
