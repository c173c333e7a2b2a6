"""The PDF renderer fetches nothing: no file://, no network, no data:, not even via urllib."""

from __future__ import annotations

import urllib.request

import pytest
from weasyprint.urls import URLFetcher

from reports import render_pdf
from reports.fetcher import FetchRefused, NoFetchURLFetcher
from risk.errors import RenderError

URLS = [
    "file:///etc/passwd",
    "file:///dev/urandom",
    "http://127.0.0.1/",
    "http://169.254.169.254/latest/meta-data/",
    "https://example.org/logo.png",
    "ftp://example.org/x",
    "data:image/png;base64,iVBORw0KGgo=",
]


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record (and block) any attempt to open a URL through urllib or WeasyPrint's fetcher."""
    opened: list[str] = []

    def spy(_self: object, url: object, *args: object, **kwargs: object) -> None:
        opened.append(str(url))
        raise AssertionError("a URL was opened")

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", spy)
    monkeypatch.setattr(URLFetcher, "fetch", spy)
    return opened


@pytest.mark.parametrize("url", URLS)
def test_fetcher_refuses_every_url(url: str, no_network: list[str]) -> None:
    fetcher = NoFetchURLFetcher()
    with pytest.raises(FetchRefused, match="letters fetch no resources"):
        fetcher(url)
    with pytest.raises(FetchRefused):
        fetcher.open(urllib.request.Request(url) if url.startswith("http") else url)
    assert no_network == []


@pytest.mark.parametrize(
    "markup",
    [
        '<img src="{url}">',
        '<link rel="stylesheet" href="{url}">',
        '<div style="background: url({url})">x</div>',
        "<style>@import url({url});</style>",
    ],
)
@pytest.mark.parametrize("url", ["file:///etc/passwd", "http://127.0.0.1/"])
def test_render_fails_rather_than_fetch(markup: str, url: str, no_network: list[str]) -> None:
    html = f"<html><head></head><body>{markup.format(url=url)}<p>Letter</p></body></html>"
    with pytest.raises(RenderError, match="refused to fetch") as raised:
        render_pdf(html)
    assert url not in str(raised.value)
    assert no_network == []
