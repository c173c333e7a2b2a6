"""kill -9 the server mid-burst: every acknowledged referral survives whole, nothing half-written."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import httpx2 as httpx
import pytest
from sqlalchemy import select

from api.auth.principal import create_key
from api.db.engine import Database
from api.db.models import Referral, ReferralEvent
from tests.api.referrals.factories import bearer, referral_body

CLIENTS = 8
KILL_AFTER = 25
FACTORY = "tests.api.referrals.fakes:create_app_from_env"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _server(url: str, port: int) -> Iterator[subprocess.Popen[bytes]]:
    command = [sys.executable, "-m", "uvicorn", "--factory", FACTORY, "--port", str(port)]
    env = {**os.environ, "OSTEOREF_DATABASE_URL": url}
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_ready(port, process)
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)
        if process.stderr is not None:
            process.stderr.close()


def _wait_ready(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "server exited during start-up"
        try:
            httpx.get(f"http://127.0.0.1:{port}/v1/referrals", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError("server did not start within 60 s")


def _burst(port: int, key: str, process: subprocess.Popen[bytes]) -> list[str]:
    acknowledged: list[str] = []
    lock, stop = threading.Lock(), threading.Event()

    def client(worker: int) -> None:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
            for n in range(10_000):
                if stop.is_set():
                    return
                body = referral_body(f"P-{worker}-{n}")
                try:
                    response = http.post("/v1/referrals", json=body, headers=bearer(key))
                except httpx.TransportError:
                    return  # the server died under us: this one was never acknowledged
                if response.status_code == 201:
                    with lock:
                        acknowledged.append(str(response.json()["id"]))

    with ThreadPoolExecutor(CLIENTS) as pool:
        for worker in range(CLIENTS):
            pool.submit(client, worker)
        while len(acknowledged) < KILL_AFTER and process.poll() is None:
            time.sleep(0.005)
        os.kill(process.pid, signal.SIGKILL)  # mid-burst: requests are in flight
        stop.set()
    with lock:
        return list(acknowledged)


@pytest.mark.slow
def test_kill_9_mid_burst_loses_no_acknowledged_referral_and_leaves_no_partial_row(
    database: Database,
) -> None:
    url = database.engine.url.render_as_string(hide_password=False)
    key = create_key(database, "clinician", "crash test", actor=None)
    port = _free_port()
    with _server(url, port) as process:
        acknowledged = _burst(port, key, process)
    assert len(acknowledged) >= KILL_AFTER
    # Restart: the start-up migration is a no-op and every acknowledged referral is served.
    with _server(url, port), httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
        for rid in acknowledged:
            assert http.get(f"/v1/referrals/{rid}", headers=bearer(key)).status_code == 200
    with database.reader() as session:
        referrals = session.scalars(select(Referral)).all()
        created = set(
            session.scalars(select(ReferralEvent.referral_id).where(ReferralEvent.from_status.is_(None)))
        )
    assert all(r.assessment_json and r.letter_html and r.patient_letter_html for r in referrals)
    assert {r.id for r in referrals} == created
    assert {str(r.id) for r in referrals} >= set(acknowledged)
