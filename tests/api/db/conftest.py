"""Fixtures of the persistence tests: both database backends."""

from tests.api.db.backends import backend, database, empty_database

__all__ = ["backend", "database", "empty_database"]
