"""Fixtures of the referral tests: both database backends, keys per role, a client on the fakes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.db.engine import Database
from tests.api.db.backends import backend, database, empty_database
from tests.api.referrals.factories import role_keys
from tests.api.referrals.fakes import FakeScorer, build_app

__all__ = ["backend", "database", "empty_database"]


@pytest.fixture
def keys(database: Database) -> dict[str, str]:
    """A key for every role."""
    return role_keys(database)


@pytest.fixture
def scorer() -> FakeScorer:
    """The scorer the app uses (tests may set a barrier)."""
    return FakeScorer()


@pytest.fixture
def client(database: Database, scorer: FakeScorer) -> Iterator[TestClient]:
    """A client of our routers on the fresh database."""
    with TestClient(build_app(database, scorer)) as test_client:
        yield test_client
