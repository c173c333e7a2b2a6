"""Liveness (/health: the process answers) and readiness (/ready: a model is loaded)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from api.deps import AssessorDep
from api.errors import error_responses

router = APIRouter(tags=["health"])


class Status(BaseModel):
    """Health answer."""

    status: str


class Readiness(Status):
    """Readiness answer, naming the loaded model."""

    model_name: str
    model_version: str


@router.get("/health", response_model=Status)
async def health() -> Status:
    """Liveness: 200 whenever the process can answer."""
    return Status(status="ok")


@router.get("/ready", response_model=Readiness, responses=error_responses(503))
async def ready(assessor: AssessorDep) -> Readiness:
    """Readiness: 200 only when the model artefact is loaded, else 503."""
    info = assessor.model_info
    return Readiness(status="ready", model_name=info.name, model_version=info.version)
