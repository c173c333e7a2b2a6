"""Start-up: CLI --help, `serve` until /ready, `keys create`, beside plain imports timed in the same run.

Run: uv run python benchmarks/bench_startup.py [--repeats 3] [--commands all|top|none] [--skip-serve]
Every figure is the median of ``--repeats`` fresh processes. The machine is shared and noisy,
so the figure to read is the ratio to the baseline measured in the same run.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx2

CLI = (sys.executable, "-c", "from api.cli import main; main()")
# Every command path of `osteoref`; each is timed with --help.
COMMANDS: tuple[tuple[str, ...], ...] = (
    (),
    ("score",),
    ("synth",),
    ("train",),
    ("validate",),
    ("serve",),
    ("report",),
    ("recalibrate",),
    ("letters",),
    ("fhir-assess",),
    ("keys",),
    ("keys", "create"),
    ("keys", "list"),
    ("keys", "revoke"),
    ("reminders",),
    ("reminders", "run"),
    ("delivery",),
    ("delivery", "run"),
    ("delivery", "print-batch"),
)
READY_SECONDS = 300.0


def _run(command: tuple[str, ...] | list[str], env: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    return time.perf_counter() - started


def median_seconds(measure: Callable[[], float], repeats: int) -> float:
    """Median of ``repeats`` measurements."""
    return statistics.median(measure() for _ in range(repeats))


def python_import(modules: str) -> Callable[[], float]:
    """A fresh interpreter that imports ``modules`` and exits."""
    return lambda: _run([sys.executable, "-c", f"import {modules}"])


def help_of(path: tuple[str, ...]) -> Callable[[], float]:
    """`osteoref <path> --help` in a fresh process."""
    return lambda: _run([*CLI, *path, "--help"])


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _environment(directory: Path) -> dict[str, str]:
    return os.environ | {"OSTEOREF_DATABASE_URL": f"sqlite:///{directory / 'osteoref.db'}"}


def serve_until_ready() -> float:
    """`osteoref serve` on a free port and a fresh SQLite file, until GET /ready answers 200."""
    with tempfile.TemporaryDirectory() as directory:
        port = _free_port()
        command = [*CLI, "serve", "--port", str(port)]
        started = time.perf_counter()
        server = subprocess.Popen(
            command, env=_environment(Path(directory)), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            return started_to_ready(server, port, started)
        finally:
            server.terminate()
            server.wait(timeout=30)


def started_to_ready(server: subprocess.Popen[bytes], port: int, started: float) -> float:
    """Seconds from ``started`` until the server on ``port`` answers /ready with 200."""
    while time.perf_counter() - started < READY_SECONDS:
        if server.poll() is not None:
            raise SystemExit(f"server exited during start-up (status {server.returncode})")
        try:
            if httpx2.get(f"http://127.0.0.1:{port}/ready", timeout=2).status_code == 200:
                return time.perf_counter() - started
        except httpx2.TransportError:
            pass
        time.sleep(0.02)
    raise SystemExit(f"not ready within {READY_SECONDS} s")


def keys_create() -> float:
    """`osteoref keys create` against a fresh SQLite file (the first run migrates it)."""
    with tempfile.TemporaryDirectory() as directory:
        env = _environment(Path(directory))
        _run([*CLI, "keys", "list"], env)  # migrate first: time the key, not the schema
        return _run([*CLI, "keys", "create", "--role", "clinician", "--label", "bench"], env)


def _line(what: str, seconds: float, baseline: float, baseline_name: str) -> None:
    print(f"{what:<44} {seconds:7.2f} s   ×{seconds / baseline:5.2f} of {baseline_name}")


def main() -> None:
    """Print each start-up figure and its ratio to the baselines of the same run."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--commands", choices=("all", "top", "none"), default="all")
    parser.add_argument("--skip-serve", action="store_true", help="Leave out serve and keys create.")
    args = parser.parse_args()
    repeats = args.repeats
    pandas = median_seconds(python_import("pandas"), repeats)
    typer_rich = median_seconds(python_import("typer, rich"), repeats)
    web = median_seconds(python_import("fastapi, pandas, weasyprint"), repeats)
    print(f"{'baseline: import pandas':<44} {pandas:7.2f} s")
    print(f"{'baseline: import typer, rich':<44} {typer_rich:7.2f} s")
    print(f"{'baseline: import fastapi, pandas, weasyprint':<44} {web:7.2f} s")
    commands = {"all": COMMANDS, "top": COMMANDS[:1], "none": ()}[args.commands]
    slowest = 0.0
    for path in commands:
        seconds = median_seconds(help_of(path), repeats)
        slowest = max(slowest, seconds)
        _line(" ".join(("osteoref", *path, "--help")), seconds, pandas, "import pandas")
    if commands:
        _line("slowest --help", slowest, pandas, "import pandas")
    if args.skip_serve:
        return
    _line(
        "osteoref serve until /ready = 200",
        median_seconds(serve_until_ready, repeats),
        web,
        "fastapi+pandas+weasyprint",
    )
    _line("osteoref keys create", median_seconds(keys_create, repeats), pandas, "import pandas")


if __name__ == "__main__":
    main()
