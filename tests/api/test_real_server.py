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

from api.auth.principal import create_key
from api.db.engine import Database
from api.main import create_app
from api.settings import Settings


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def served(settings: Settings) -> Iterator[tuple[str, str]]:
    """(base URL, a clinician key) of a real uvicorn serving the app, with the real PDF pool."""
    port = _free_port()
    app = create_app(settings)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    database = Database.connect(settings.database_url)  # the file the server migrated at start-up
    key = create_key(database, "clinician", "tests", None)
    database.dispose()
    yield f"http://127.0.0.1:{port}", key
    server.should_exit = True
    thread.join(timeout=10)


def test_real_server_serves_health_and_assessments(served: tuple[str, str], record: dict[str, Any]) -> None:
    base_url, key = served
    with httpx2.Client(base_url=base_url, timeout=10) as http:
        assert http.get("/health").json() == {"status": "ok"}
        assert http.get("/ready").status_code == 200
        anonymous = http.post("/v1/assessments", json=record)
        http.headers["Authorization"] = f"Bearer {key}"
        scored = http.post("/v1/assessments", json=record)
        rejected = http.post("/v1/assessments", json=record | {"sex": "x"})
    assert anonymous.status_code == 401
    assert scored.status_code == 200
    assert scored.json()["patient_id"] == record["patient_id"]
    assert rejected.status_code == 422
