"""Real uvicorn processes for boundary tests: the real app (a fake PDF renderer) plus one crashing route."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import httpx2 as httpx
from fastapi import FastAPI, Request
from sqlalchemy import text

from api.context import context_of
from api.main import create_app
from api.settings import Settings
from tests.api.referrals.fakes import FakePdf

FACTORY = "tests.api.served:create_app_from_env"


def create_app_from_env() -> FastAPI:
    """uvicorn factory: the whole app from ``OSTEOREF_*`` and a route that crashes on purpose.

    The crash route runs a failing SQL statement whose parameter is the posted text, and
    raises with that text in the message: neither may reach the log.
    """
    app = create_app(Settings(), pdf_renderer=FakePdf())

    @app.post("/test/crash", include_in_schema=False)
    async def crash(request: Request) -> None:
        posted = (await request.body()).decode()
        if posted.startswith("sql:"):
            with context_of(request).database.transaction() as session:
                session.execute(text("INSERT INTO no_such_table (x) VALUES (:x)"), {"x": posted})
        raise RuntimeError(f"crashed while handling {posted}")

    return app


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start(
    port: int, env: dict[str, str], log: IO[bytes] | int = subprocess.DEVNULL
) -> subprocess.Popen[bytes]:
    """``uvicorn --factory`` on 127.0.0.1:``port`` with ``env`` added to this environment."""
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
    return subprocess.Popen(command, env=os.environ | env, stdout=log, stderr=subprocess.STDOUT)


def wait_ready(port: int, process: subprocess.Popen[bytes], seconds: float = 300) -> None:
    """Until ``/ready`` answers 200 (AssertionError if the process dies or time runs out)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, f"server exited during start-up (status {process.returncode})"
        try:
            if httpx.get(f"http://127.0.0.1:{port}/ready", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"server not ready within {seconds} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then wait (SIGKILL after 20 s)."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@contextmanager
def served(env: dict[str, str], log_path: Path) -> Iterator[str]:
    """One server's base URL; its stdout and stderr go to ``log_path``."""
    port = free_port()
    with log_path.open("wb") as log:
        process = start(port, env, log)
        try:
            wait_ready(port, process)
            yield f"http://127.0.0.1:{port}"
        finally:
            stop(process)
