"""API docs without internet (assets from the installed package) and GET / pointing people onward."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.routes.docs import ASSET_TYPES
from api.settings import Settings


@pytest.fixture(scope="module")
def client() -> TestClient:
    # No lifespan: these routes need neither the model nor the database.
    return TestClient(create_app(Settings()), follow_redirects=False)


def test_root_sends_browsers_to_the_web_pages_and_names_the_api_docs(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 307
    assert response.headers["location"] == "/web"
    assert 'href="/docs"' in response.text and 'href="/web"' in response.text


def test_docs_page_loads_nothing_from_outside(client: TestClient) -> None:
    html = client.get("/docs").text
    urls = re.findall(r'(?:src|href)="([^"]+)"', html) + re.findall(r"url: '([^']+)'", html)
    assert urls, "the page references its assets"
    assert all(u.startswith("/") for u in urls), urls
    assert "cdn" not in html.lower() and "fonts.googleapis" not in html


@pytest.mark.parametrize(("name", "media_type"), ASSET_TYPES.items())
def test_docs_assets_are_served_from_the_package(client: TestClient, name: str, media_type: str) -> None:
    response = client.get(f"/docs-assets/{name}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)
    assert len(response.content) > 1000


def test_redoc_is_not_offered(client: TestClient) -> None:
    assert client.get("/redoc").status_code == 404


def test_only_listed_assets_are_served(client: TestClient) -> None:
    assert client.get("/docs-assets/..%2F__init__.py").status_code == 404
    assert client.get("/docs-assets/core.py").status_code == 404
