from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from api import cli_analyst
from api.db import migrate
from api.db.engine import Database
from api.settings import get_settings
from risk.cohort import write_table
from risk.model.scorer import RefractureModel
from risk.synth import synthesize


@pytest.fixture
def app() -> typer.Typer:
    """The analyst commands registered the way the maintainer will register them."""
    application = typer.Typer()
    application.command()(cli_analyst.report)
    application.command()(cli_analyst.recalibrate)
    return application


def test_report_command_writes_html_and_json_with_funnel(
    app: typer.Typer, scored_fls: pd.DataFrame, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'ref.db'}"
    database = Database.connect(url)
    migrate.upgrade(database.engine)
    database.dispose()
    monkeypatch.setenv("OSTEOREF_DATABASE_URL", url)
    get_settings.cache_clear()
    write_table(scored_fls.head(400), tmp_path / "scored.parquet")
    result = CliRunner().invoke(
        app, ["report", "--cohort", str(tmp_path / "scored.parquet"), "--output", str(tmp_path / "r.html"),
              "--referrals-from-db", "--resamples", "10"],
    )  # fmt: skip
    get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    numbers = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert numbers["funnel"]["steps"][0] == {**numbers["funnel"]["steps"][0], "status": "created", "n": 0}


def test_report_command_bad_file_is_one_line_error(app: typer.Typer, tmp_path: Path) -> None:
    (tmp_path / "x.csv").write_text("patient_id,pathway\nP1,surgery\n", encoding="utf-8")
    result = CliRunner().invoke(
        app, ["report", "--cohort", str(tmp_path / "x.csv"), "--output", str(tmp_path / "r.html")]
    )
    assert result.exit_code == 2
    assert "invalid scored cohort" in result.output


def test_recalibrate_command_writes_a_loadable_artefact(app: typer.Typer, tmp_path: Path) -> None:
    write_table(synthesize(1500, 4).cohort, tmp_path / "site.csv")
    out = tmp_path / "site-model.json"
    result = CliRunner().invoke(
        app, ["recalibrate", "--cohort", str(tmp_path / "site.csv"), "--output", str(out), "--site", "demo",
              "--resamples", "0"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    model = RefractureModel.load(out)
    assert model.version.endswith("+site.demo")


def test_the_holdout_default_shown_in_help_is_the_fitting_codes_default() -> None:
    from risk.scale.recalibrate import HOLDOUT_FRACTION  # noqa: PLC0415 (the point: the two modules agree)

    assert cli_analyst.HOLDOUT_FRACTION == HOLDOUT_FRACTION
