"""Fixtures of the FHIR tests: an app with our router, a fresh database, keys and the real model."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.context import attach_context, build_context
from api.db.engine import Database
from api.errors import install_error_handlers
from api.fhir.routes import router
from api.loaded_model import LoadedModel
from api.settings import DEFAULT_MODEL_PATH, Settings
from risk.assess import Assessor
from tests.api.db.backends import backend, database, empty_database
from tests.api.referrals.factories import role_keys
from tests.api.referrals.fakes import FakePdf

__all__ = ["backend", "database", "empty_database"]


@pytest.fixture
def keys(database: Database) -> dict[str, str]:
    """A key for every role."""
    return role_keys(database)


@pytest.fixture
def client(database: Database) -> Iterator[TestClient]:
    """A client of the FHIR router on a fresh database with the shipped model."""
    app = FastAPI()
    app.include_router(router)
    install_error_handlers(app)
    settings = Settings(public_base_url="http://osteoref.test")
    model = LoadedModel(Assessor.load(DEFAULT_MODEL_PATH))
    attach_context(app, build_context(settings, database, model, FakePdf()))
    with TestClient(app) as test_client:
        yield test_client
