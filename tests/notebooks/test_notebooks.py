"""Every notebook in notebooks/ runs top to bottom in SMOKE mode (jupytext → ipynb → nbmake)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import jupytext  # type: ignore[import-untyped]
import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("[0-9][0-9]-*.py"))
TIMEOUT_S = 180


@pytest.mark.slow
@pytest.mark.parametrize("source", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The kernelspec runs "python": put this interpreter's directory first so the kernel is the project venv.
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    notebook = jupytext.read(source)
    nbformat.write(notebook, tmp_path / f"{source.stem}.ipynb")  # type: ignore[no-untyped-call]
    parameters = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    assert parameters and "SMOKE = True" in parameters[0].source
    ipynb = tmp_path / f"{source.stem}.ipynb"
    # nbmake runs the notebook as its own pytest item, in a child pytest with no project config.
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbmake", f"--nbmake-timeout={TIMEOUT_S}",
         "--nbmake-kernel=python3", "-p", "no:cacheprovider", "-q", str(ipynb)],
        cwd=tmp_path, capture_output=True, text=True, check=False, env=dict(os.environ),
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "1 passed" in result.stdout


def test_every_notebook_is_collected() -> None:
    assert [p.stem for p in NOTEBOOKS] == [
        "01-cohort-overview", "02-model-validation", "03-referral-outcomes", "04-site-recalibration",
    ]  # fmt: skip
