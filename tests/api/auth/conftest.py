"""Fixtures of the access-control tests: both database backends, keys per role, a client."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.db.engine import Database
from tests.api.db.backends import backend, database, empty_database
from tests.api.referrals.factories import role_keys
from tests.api.referrals.fakes import build_app

__all__ = ["backend", "database", "empty_database"]


@pytest.fixture
def keys(database: Database) -> dict[str, str]:
    """A key for every role."""
    return role_keys(database)


@pytest.fixture
def client(database: Database) -> Iterator[TestClient]:
    """A client of our routers on the fresh database."""
    with TestClient(build_app(database)) as test_client:
        yield test_client
