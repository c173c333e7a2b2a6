"""The URL fetcher WeasyPrint uses for letters: it fetches nothing at all.

Letters are self-contained (inline CSS, system font), so any fetch is either a template
bug or injected markup. Refusing every URL means no ``file://`` read (``/etc/passwd``,
``/dev/urandom`` hangs), no network access (SSRF to ``127.0.0.1`` or cloud metadata),
and no redirects. ``fail_on_errors`` turns a refusal into a failed render, not a silent
gap, so a template that starts needing an asset fails its tests.
"""

from __future__ import annotations

from typing import Any, NoReturn
from urllib.parse import urlsplit

from weasyprint.urls import URLFetcher


class FetchRefused(ValueError):
    """A letter asked WeasyPrint to fetch a URL; letters may fetch nothing."""


class NoFetchURLFetcher(URLFetcher):  # type: ignore[misc]  # weasyprint is untyped
    """Refuses every URL, before any scheme handler (file, http, ftp, data) is reached."""

    def __init__(self) -> None:
        super().__init__(timeout=1, allowed_protocols=(), allow_redirects=False, fail_on_errors=True)

    def fetch(self, url: str, headers: Any = None) -> NoReturn:  # noqa: ARG002
        """Refuse; name only the scheme, since a URL could carry data."""
        scheme = urlsplit(str(url)).scheme or "relative"
        raise FetchRefused(f"letters fetch no resources (refused a {scheme!r} URL)")

    def open(self, url: Any, data: Any = None, timeout: Any = None) -> NoReturn:  # noqa: ARG002
        """The urllib entry point, refused the same way."""
        self.fetch(getattr(url, "full_url", url))
