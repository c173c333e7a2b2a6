"""Every notebook in notebooks/ runs top to bottom in SMOKE mode (jupytext → ipynb → nbclient)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import jupytext  # type: ignore[import-untyped]
import nbformat
import pytest
from nbclient import NotebookClient

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
    client = NotebookClient(
        notebook, timeout=TIMEOUT_S, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()
    errors = [o for c in notebook.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert errors == []


def test_every_notebook_is_collected() -> None:
    assert [p.stem for p in NOTEBOOKS] == [
        "01-cohort-overview", "02-model-validation", "03-referral-outcomes", "04-site-recalibration",
    ]  # fmt: skip
