"""`osteoref --help` lists every command from the lazy table without importing the heavy libraries."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from api.cli import LAZY_COMMANDS, LAZY_SUB_APPS
from api.cli_lazy import LazyCommand

HEAVY = ("pandas", "dask", "weasyprint", "sklearn", "fastapi", "matplotlib", "uvicorn")
PROBE = (
    "import sys\n"
    "from api.cli import main\n"
    "try:\n    main()\nexcept SystemExit:\n    pass\n"
    "print(' '.join(m for m in {heavy!r} if m in sys.modules), file=sys.stderr)\n"
)


def _help(*args: str) -> subprocess.CompletedProcess[str]:
    code = PROBE.format(heavy=HEAVY)
    command = [sys.executable, "-c", code, *args, "--help"]
    return subprocess.run(
        command, capture_output=True, text=True, check=True, env=os.environ | {"COLUMNS": "200"}
    )


def test_top_help_lists_every_command_and_imports_nothing_heavy() -> None:
    shown = _help()
    for lazy in (*LAZY_COMMANDS, *LAZY_SUB_APPS):
        assert lazy.name in shown.stdout
        assert lazy.help in shown.stdout
    assert shown.stderr.strip() == ""


def test_keys_help_imports_nothing_heavy() -> None:
    assert _help("keys").stderr.strip() == ""


@pytest.mark.parametrize("lazy", [*LAZY_COMMANDS, *LAZY_SUB_APPS], ids=lambda lazy: lazy.name)
def test_table_help_is_the_first_paragraph_of_the_commands_own_help(lazy: LazyCommand) -> None:
    command = lazy.load()
    assert (command.help or "").split("\n\n")[0].strip() == lazy.help
