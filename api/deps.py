"""Dependency aliases for routes: the settings and the loaded Assessor, views of ``api.context``.

The dependencies are ``async def`` on purpose: FastAPI runs a plain ``def`` dependency in
a worker thread, and two thread hops per request cost more than scoring the patient.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from starlette.requests import ClientDisconnect

from api.context import context_of
from api.settings import Settings
from risk.assess import Assessor


async def read_body(request: Request) -> bytes:
    """The whole request body, read from ASGI ``receive`` (ClientDisconnect if the client left).

    ``Request.body()`` wraps the same loop in an async generator and a context manager,
    which on the scoring route cost more than reading the bytes.
    """
    chunks: list[bytes] = []
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def loaded_assessor(request: Request) -> Assessor:
    """The Assessor loaded at start-up; 503 (ModelNotLoaded) if loading failed."""
    return context_of(request).model.require()


async def _settings_dependency(request: Request) -> Settings:
    return context_of(request).settings


async def _assessor_dependency(request: Request) -> Assessor:
    return loaded_assessor(request)


SettingsDep = Annotated[Settings, Depends(_settings_dependency)]
AssessorDep = Annotated[Assessor, Depends(_assessor_dependency)]
