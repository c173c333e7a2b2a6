"""`osteoref --help` and every command's own `--help` list options without importing the heavy libraries."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from api.cli import LAZY_COMMANDS, LAZY_SUB_APPS
from api.cli_lazy import LazyCommand

HEAVY = (
    "pandas", "dask", "weasyprint", "sklearn", "fastapi", "matplotlib", "uvicorn",
    "sqlalchemy", "pydantic_settings",
)  # fmt: skip
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


# Every command and sub-command, as a user would ask for its help (sub-apps and their commands).
EVERY_COMMAND = (
    ("score",), ("synth",), ("train",), ("validate",), ("serve",),
    ("fhir-assess",), ("report",), ("recalibrate",), ("letters",),
    ("keys",), ("keys", "create"), ("keys", "list"), ("keys", "revoke"),
    ("reminders",), ("reminders", "run"), ("delivery",), ("delivery", "run"), ("delivery", "print-batch"),
    ("delivery", "requeue-batch"),
)  # fmt: skip


@pytest.mark.parametrize("command", EVERY_COMMAND, ids=" ".join)
def test_every_commands_help_imports_nothing_heavy(command: tuple[str, ...]) -> None:
    shown = _help(*command)
    assert "Usage:" in shown.stdout
    assert shown.stderr.strip() == ""


def test_every_command_of_the_top_help_is_checked() -> None:
    listed = {lazy.name for lazy in (*LAZY_COMMANDS, *LAZY_SUB_APPS)}
    assert listed <= {command[0] for command in EVERY_COMMAND}


@pytest.mark.parametrize("lazy", [*LAZY_COMMANDS, *LAZY_SUB_APPS], ids=lambda lazy: lazy.name)
def test_table_help_is_the_first_paragraph_of_the_commands_own_help(lazy: LazyCommand) -> None:
    command = lazy.load()
    assert (command.help or "").split("\n\n")[0].strip() == lazy.help
