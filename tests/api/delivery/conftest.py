"""Fixtures of the delivery tests: both database backends, a clock, a clinician."""

from __future__ import annotations

import pytest

from api.auth.principal import Principal
from api.db.engine import Database
from tests.api.db.backends import backend, database, empty_database
from tests.api.delivery.loop import Clock, clinician

__all__ = ["backend", "database", "empty_database"]


@pytest.fixture
def clock() -> Clock:
    """A clock at the test start time."""
    return Clock()


@pytest.fixture
def actor(database: Database) -> Principal:
    """A clinician with a real key row."""
    return clinician(database)
