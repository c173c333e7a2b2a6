"""Where the process-wide Database lives on the FastAPI app (set in lifespan, read per request)."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.requests import HTTPConnection

from api.db.engine import Database
from risk.errors import OsteorefError


def attach_database(app: FastAPI, database: Database) -> None:
    """Make ``database`` the app's database (called once in lifespan)."""
    app.state.osteoref_database = database


def database_of(connection: HTTPConnection) -> Database:
    """The app's database; a clear error if lifespan did not attach one."""
    database = getattr(connection.app.state, "osteoref_database", None)
    if not isinstance(database, Database):
        raise OsteorefError("no database attached to the app (lifespan did not run)")
    return database
