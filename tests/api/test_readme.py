"""The README as a new user runs it: its two commands first, then every shell block, against a real server.

The server is `osteoref serve` on a free port (the blocks' 127.0.0.1:8000 is rewritten to it)
in a scratch directory that sees the repository's data/ and models/, with its own database.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest

from api.auth.principal import create_key
from api.db.engine import Database
from api.settings import PROJECT_ROOT

pytestmark = pytest.mark.slow
README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```bash\n(.*?)```", README, flags=re.S)
SAMPLE = PROJECT_ROOT / "data" / "sample" / "patients" / "02-osteoporosis-multiple-vertebral.json"


def test_the_two_commands_come_first() -> None:
    first = README.index("```bash")
    assert README[:first].count("```") == 0
    assert [line.split()[:2] for line in BLOCKS[0].strip().splitlines()] == [
        ["make", "run"],
        ["make", "test"],
    ]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _environment(workdir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OSTEOREF_")}
    env.update(
        OSTEOREF_DATABASE_URL=f"sqlite:///{workdir / 'readme.db'}",
        OSTEOREF_PDF_WORKERS="1",
        UV_PROJECT=str(PROJECT_ROOT),  # `uv run` from the scratch directory uses this project
        UV_NO_SYNC="1",
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
    )
    return env


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, int, dict[str, str]]]:
    """`osteoref serve --port P` in a scratch directory; (directory, port, environment)."""
    workdir = tmp_path_factory.mktemp("readme")
    for name in ("data", "models"):
        (workdir / name).symlink_to(PROJECT_ROOT / name)
    env, port = _environment(workdir), _free_port()
    osteoref = Path(sys.executable).parent / "osteoref"
    command = [str(osteoref), "serve", "--port", str(port)]
    server = subprocess.Popen(
        command, cwd=workdir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 300
        while True:
            assert server.poll() is None, "osteoref serve exited"
            try:
                if httpx.get(f"http://127.0.0.1:{port}/ready", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "server not ready in 300 s"
            time.sleep(0.3)
        yield workdir, port, env
    finally:
        server.terminate()
        server.wait(timeout=30)


def _uv_shim() -> str:
    """Where uv is not on PATH (`make` may run it as `python3 -m uv`), `uv` means that."""
    return "" if shutil.which("uv") else 'uv() { python3 -m uv "$@"; }\n'


@pytest.mark.parametrize("index", range(1, len(BLOCKS)))
def test_every_readme_shell_block_runs_as_shown(served: tuple[Path, int, dict[str, str]], index: int) -> None:
    workdir, port, env = served
    script = BLOCKS[index].replace("127.0.0.1:8000", f"127.0.0.1:{port}")
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", _uv_shim() + script],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, (
        f"block {index}:\n{BLOCKS[index]}\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    )
    if "/v1/assessments" in script:
        assert json.loads(done.stdout)["risk_tier"] == "very_high"


def test_links_follow_the_port_the_server_is_bound_to(served: tuple[Path, int, dict[str, str]]) -> None:
    workdir, port, _ = served
    database = Database.connect(f"sqlite:///{workdir / 'readme.db'}")
    try:
        key = create_key(database, "clinician", "readme links", None)
    finally:
        database.dispose()
    body = {
        "patient": json.loads(SAMPLE.read_text(encoding="utf-8")),
        "pcp": {"name": "Dr P. Practitioner"},
        "referrer": {"name": "Dr R. Surgeon"},
    }
    response = httpx.post(
        f"http://127.0.0.1:{port}/v1/referrals",
        json=body,
        headers={"Authorization": f"Bearer {key}"},
        timeout=60,
    )
    assert response.status_code == 201, response.text
    links = response.json()["links"]
    assert links and all(str(link).startswith(f"http://127.0.0.1:{port}/") for link in links.values())
