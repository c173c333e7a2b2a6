"""Fixtures of the web tests: a temporary database with keys, a TestClient, and (browser tests) Chromium."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.auth.principal import create_key
from api.db import migrate
from api.db.engine import Database
from api.settings import DEFAULT_MODEL_PATH, Settings
from api.web.session import CSRF_FIELD
from api.web.settings import WebSettings
from risk.assess import Assessor
from tests.api.referrals.fakes import FakePdf
from tests.web.app import web_app

CHROMIUM = Path("/usr/bin/chromium")
SECRET = "test-secret-" + "x" * 40
CSRF_PATTERN = re.compile(rf'name="{CSRF_FIELD}" value="([^"]+)"')


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker of the browser tests."""
    config.addinivalue_line("markers", "browser: drives headless Chromium against a real uvicorn")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Browser tests skip only when Chromium is absent and OSTEOREF_REQUIRE_BROWSER is unset."""
    if CHROMIUM.exists():
        return
    if os.environ.get("OSTEOREF_REQUIRE_BROWSER"):
        return  # the browser fixture fails loudly instead
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is not installed (set OSTEOREF_REQUIRE_BROWSER to fail)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """A fresh, migrated SQLite database file."""
    url = f"sqlite:///{tmp_path / 'web.db'}"
    database = Database.connect(url)
    migrate.upgrade(database.engine)
    database.dispose()
    return url


@pytest.fixture
def keys(database_url: str) -> dict[str, str]:
    """One API key per role used by the pages."""
    database = Database.connect(database_url)
    try:
        return {
            role: create_key(database, role, f"web {role}", None) for role in ("clinician", "coordinator")
        }
    finally:
        database.dispose()


@pytest.fixture(scope="session")
def assessor() -> Assessor:
    """The shipped model, loaded once for the fast tests."""
    return Assessor.load(DEFAULT_MODEL_PATH, Settings().rule_config())


@pytest.fixture
def client(database_url: str, keys: dict[str, str], assessor: Assessor) -> Iterator[TestClient]:
    """The whole app on the temporary database (real Assessor and letters, fake PDF) over https."""
    settings = Settings(model_path=DEFAULT_MODEL_PATH, database_url=database_url)
    web = WebSettings(session_secret=SECRET)
    app = web_app(settings, web, pdf=FakePdf(), assessor=assessor)
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as test_client:
        yield test_client


def csrf_of(html: str) -> str:
    """The CSRF token in a page's forms."""
    found = CSRF_PATTERN.search(html)
    assert found, "no CSRF field on the page"
    return found.group(1)


def sign_in(client: TestClient, key: str) -> str:
    """Sign in through the form; the CSRF token of the new session."""
    token = csrf_of(client.get("/web/sign-in").text)
    response = client.post("/web/sign-in", data={"api_key": key, CSRF_FIELD: token})
    assert response.status_code == 303, response.text
    return csrf_of(client.get(response.headers["location"]).text)


from tests.web.browser import browser, page, server  # noqa: E402  (fixtures of the browser tests)

__all__ = ["browser", "page", "server"]
