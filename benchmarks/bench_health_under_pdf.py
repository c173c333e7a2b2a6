"""Liveness under PDF load: /health latency while 4 letter PDFs render, beside /health idle.

Run: uv run python -m benchmarks.bench_health_under_pdf [--seconds 8]
PDFs render in the app's process pool, so the event loop should keep answering /health
within a few milliseconds (target p99 < 10 ms) while four PDF requests are always in flight.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

import httpx2

from benchmarks.bench_api import running_server
from benchmarks.bench_single import RECORD

PDF_CONCURRENCY = 4
HEALTH_INTERVAL_S = 0.02  # one liveness probe every 20 ms, as a load balancer might


async def probe_health(client: httpx2.AsyncClient, stop: float) -> list[float]:
    """Latencies (ms) of /health probed at a steady interval until ``stop``."""
    latencies: list[float] = []
    while time.perf_counter() < stop:
        started = time.perf_counter()
        response = await client.get("/health")
        response.raise_for_status()
        latencies.append((time.perf_counter() - started) * 1000)
        await asyncio.sleep(HEALTH_INTERVAL_S)
    return latencies


async def render_pdfs(client: httpx2.AsyncClient, path: str, stop: float) -> int:
    """Fetch the letter PDF again and again until ``stop``; the number fetched."""
    count = 0
    while time.perf_counter() < stop:
        response = await client.get(path, timeout=60)
        response.raise_for_status()
        count += 1
    return count


def summary(label: str, latencies: list[float]) -> float:
    """Print p50/p99 of a latency list; return p99."""
    p99 = statistics.quantiles(latencies, n=100)[98]
    print(f"{label:<40} n={len(latencies):5d}  p50 {statistics.median(latencies):6.2f} ms  p99 {p99:6.2f} ms")
    return p99


async def run(base_url: str, key: str, seconds: float) -> None:
    """Idle /health, then /health with PDF_CONCURRENCY PDF renders always in flight."""
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx2.AsyncClient(base_url=base_url, headers=headers, timeout=30) as client:
        body = {"patient": RECORD, "pcp": {"name": "Dr P. Example"}, "referrer": {"name": "Dr R"}}
        created = await client.post("/v1/referrals", json=body)
        created.raise_for_status()
        pdf_path = f"/v1/referrals/{created.json()['id']}/letter.pdf"
        await client.get(pdf_path)  # warm
        idle = await probe_health(client, time.perf_counter() + seconds)
        stop = time.perf_counter() + seconds
        renders = asyncio.gather(*(render_pdfs(client, pdf_path, stop) for _ in range(PDF_CONCURRENCY)))
        under_load, counts = await asyncio.gather(probe_health(client, stop), renders)
    baseline = summary("GET /health, idle (baseline)", idle)
    loaded = summary(f"GET /health, {PDF_CONCURRENCY} PDFs rendering", under_load)
    pdfs = sum(counts)
    print(f"PDFs rendered meanwhile: {pdfs} ({pdfs / seconds:.1f}/s)")
    print(f"/health p99 under PDF load ×{loaded / baseline:.1f} of idle (target < 10 ms absolute)")


def main() -> None:
    """Start the app (with its real PDF pool) on a throwaway database and measure."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=8.0)
    seconds = parser.parse_args().seconds
    with running_server() as (port, key):
        asyncio.run(run(f"http://127.0.0.1:{port}", key, seconds))


if __name__ == "__main__":
    main()
