"""Dependency aliases for routes: the settings and the loaded Assessor, views of ``api.context``.

The dependencies are ``async def`` on purpose: FastAPI runs a plain ``def`` dependency in
a worker thread, and two thread hops per request cost more than scoring the patient.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from api.context import context_of
from api.settings import Settings
from risk.assess import Assessor


def loaded_assessor(request: Request) -> Assessor:
    """The Assessor loaded at start-up; 503 (ModelNotLoaded) if loading failed."""
    return context_of(request).model.require()


async def _settings_dependency(request: Request) -> Settings:
    return context_of(request).settings


async def _assessor_dependency(request: Request) -> Assessor:
    return loaded_assessor(request)


SettingsDep = Annotated[Settings, Depends(_settings_dependency)]
AssessorDep = Annotated[Assessor, Depends(_assessor_dependency)]
