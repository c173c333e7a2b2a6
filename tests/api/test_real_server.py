"""A real uvicorn on 127.0.0.1 (free port, in a thread) answers over HTTP."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest
import uvicorn

from api.main import create_app
from api.settings import Settings


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def base_url(settings: Settings) -> Iterator[str]:
    port = _free_port()
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_real_server_serves_health_and_assessments(base_url: str, record: dict[str, Any]) -> None:
    with httpx2.Client(base_url=base_url, timeout=10) as http:
        assert http.get("/health").json() == {"status": "ok"}
        assert http.get("/ready").status_code == 200
        scored = http.post("/v1/assessments", json=record)
        rejected = http.post("/v1/assessments", json=record | {"sex": "x"})
    assert scored.status_code == 200
    assert scored.json()["patient_id"] == record["patient_id"]
    assert rejected.status_code == 422
