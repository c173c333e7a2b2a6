"""HTTP: POST /v1/assessments vs GET /health on one uvicorn worker, 16 connections, same run.

Run: uv run python -m benchmarks.bench_api [--seconds 8] [--connections 16] [--rounds 3]
The load generator is raw asyncio HTTP/1.1 keep-alive on the same machine, so absolute req/s is
a floor; the ratio of the two endpoints is the figure to read.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx2

from api.auth.bootstrap import open_database
from api.auth.principal import create_key
from api.settings import Settings
from benchmarks.bench_single import RECORD


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def prepare_database(database_url: str) -> str:
    """Create and migrate a throwaway database; return a clinician API key for it."""
    database = open_database(Settings(database_url=database_url))
    try:
        return create_key(database, "clinician", "benchmark", None)
    finally:
        database.dispose()


def start_server(port: int, database_url: str) -> subprocess.Popen[bytes]:
    """uvicorn api.main:app in a child process, logging off the hot path (to /dev/null)."""
    command = [sys.executable, "-m", "uvicorn", "api.main:app", "--port", str(port)]
    env = os.environ | {"OSTEOREF_LOG_JSON": "true", "OSTEOREF_DATABASE_URL": database_url}
    server = subprocess.Popen(
        [*command, "--host", "127.0.0.1", "--log-level", "warning", "--no-access-log"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    deadline = time.monotonic() + 120  # start-up warms the PDF pool; slow on a busy machine
    while time.monotonic() < deadline:
        try:
            if httpx2.get(f"http://127.0.0.1:{port}/ready").status_code == 200:
                return server
        except httpx2.TransportError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("server did not become ready")


@contextmanager
def running_server() -> Iterator[tuple[int, str]]:
    """uvicorn on a free port with a throwaway, migrated database: (port, clinician key)."""
    port = _free_port()
    with tempfile.TemporaryDirectory() as folder:
        database_url = f"sqlite:///{folder}/bench.db"
        key = prepare_database(database_url)
        server = start_server(port, database_url)
        try:
            yield port, key
        finally:
            server.terminate()
            server.wait(timeout=10)


def _request_bytes(path: str, body: bytes | None, port: int, key: str) -> bytes:
    method = "GET" if body is None else "POST"
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
    if body is not None:
        head += f"Authorization: Bearer {key}\r\n"
        head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    return (head + "\r\n").encode() + (body or b"")


async def _one_connection(port: int, request: bytes, stop: float, latencies: list[float]) -> None:
    # Raw keep-alive HTTP/1.1: a Python HTTP client would be the bottleneck, not the server.
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    while time.perf_counter() < stop:
        started = time.perf_counter()
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 200"):
            raise RuntimeError(head.decode(errors="replace"))
        length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
        await reader.readexactly(length)
        latencies.append(time.perf_counter() - started)
    writer.close()


async def load(
    port: int, path: str, body: bytes | None, seconds: float, connections: int, *, key: str = ""
) -> list[float]:
    """Latencies (s) of every request made over ``connections`` connections for ``seconds``."""
    latencies: list[float] = []
    request = _request_bytes(path, body, port, key)
    stop = time.perf_counter() + seconds
    await asyncio.gather(*(_one_connection(port, request, stop, latencies) for _ in range(connections)))
    return latencies


def report(label: str, latencies: list[float], seconds: float) -> float:
    """Print req/s, p50 and p99; return req/s."""
    rate = len(latencies) / seconds
    p50 = statistics.median(latencies) * 1000
    p99 = statistics.quantiles(latencies, n=100)[98] * 1000
    print(f"{label:<24} {rate:8.0f} req/s   p50 {p50:6.2f} ms   p99 {p99:6.2f} ms")
    return rate


def main() -> None:
    """Benchmark both endpoints against one server and print the ratio."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with running_server() as (port, key):
        ratios = _rounds(port, key, args)
    print(f"POST /v1/assessments at ×{statistics.median(ratios):.2f} the /health rate (median of rounds)")


def _rounds(port: int, key: str, args: argparse.Namespace) -> list[float]:
    """Alternate the two loads round by round (this machine drifts); each round's ratio."""
    body = json.dumps(RECORD).encode()
    asyncio.run(load(port, "/health", None, 1.0, args.connections))  # warm-up
    asyncio.run(load(port, "/v1/assessments", body, 1.0, args.connections, key=key))
    ratios = []
    for number in range(1, args.rounds + 1):
        health = asyncio.run(load(port, "/health", None, args.seconds, args.connections))
        scored = asyncio.run(load(port, "/v1/assessments", body, args.seconds, args.connections, key=key))
        print(f"round {number}")
        baseline = report("  GET /health", health, args.seconds)
        rate = report("  POST /v1/assessments", scored, args.seconds)
        print(f"  ratio ×{rate / baseline:.2f}")
        ratios.append(rate / baseline)
    return ratios


if __name__ == "__main__":
    main()
