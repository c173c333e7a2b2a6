"""Browser fixtures: the app on a real uvicorn (temporary DB, keys) and headless Debian Chromium."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from api.auth.principal import create_key
from api.db import migrate
from api.db.engine import Database

HERE = Path(__file__).parent
CHROMIUM = Path("/usr/bin/chromium")
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
ARTEFACTS = HERE / "artefacts"
FACTORY = "tests.web.app:create_app_from_env"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass(frozen=True)
class Server:
    """A running app: its base URL and one key per role."""

    base_url: str
    keys: dict[str, str]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_ready(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert process.poll() is None, "uvicorn exited during start-up"
        try:
            if httpx.get(f"{url}/web/sign-in", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError("uvicorn did not start within 120 s")


def _keys(url: str) -> dict[str, str]:
    database = Database.connect(url)
    try:
        migrate.upgrade(database.engine)
        return {r: create_key(database, r, f"browser {r}", None) for r in ("clinician", "coordinator")}
    finally:
        database.dispose()


@contextmanager
def running_server(database_url: str, extra_env: dict[str, str] | None = None) -> Iterator[Server]:
    """uvicorn on 127.0.0.1 (free port) serving the app on ``database_url``, with one key per role."""
    keys = _keys(database_url)
    port = _free_port()
    env = {
        **os.environ,
        "OSTEOREF_DATABASE_URL": database_url,
        "OSTEOREF_SESSION_SECRET": "browser-test-secret-" + "s" * 32,
        "OSTEOREF_PDF_WORKERS": "1",
        **(extra_env or {}),
    }
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        FACTORY,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base_url, process)
        yield Server(base_url, keys)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """uvicorn on 127.0.0.1 (free port) serving the app with a temporary SQLite database."""
    with running_server(f"sqlite:///{tmp_path_factory.mktemp('web-db') / 'web.db'}") as running:
        yield running


def _ensure_axe() -> None:
    if AXE.exists():
        return
    npm = shutil.which("npm")
    assert npm, "npm is needed to install axe-core (tests/web/package.json)"
    subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=HERE, check=True, capture_output=True)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless Debian Chromium (Playwright's own download is not used); fails if it is missing."""
    assert CHROMIUM.exists(), f"{CHROMIUM} is required (OSTEOREF_REQUIRE_BROWSER is set)"
    _ensure_axe()
    ARTEFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Browser, server: Server) -> Iterator[Page]:
    """A fresh browser context (own cookies); CSP bypassed only so axe can be injected."""
    context = browser.new_context(base_url=server.base_url, bypass_csp=True, accept_downloads=True)
    context.set_default_timeout(30_000)
    opened = context.new_page()
    try:
        yield opened
    finally:
        context.close()


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Serious and critical axe-core violations of the page as it is now."""
    page.add_script_tag(path=str(AXE))
    result: dict[str, Any] = page.evaluate("async () => await axe.run(document)")
    return [v for v in result["violations"] if v.get("impact") in ("serious", "critical")]


def shot(page: Page, name: str) -> None:
    """A full-page screenshot into tests/web/artefacts/."""
    page.screenshot(path=str(ARTEFACTS / f"{name}.png"), full_page=True)
