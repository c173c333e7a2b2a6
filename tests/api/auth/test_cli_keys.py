"""`osteoref keys`: create prints the key alone on its last line; list hides secrets; revoke."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from api import cli_keys
from api.auth.principal import authenticate
from api.db.engine import Database
from api.settings import get_settings
from risk.errors import NotAuthenticated


@pytest.fixture
def runner(database: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    url = database.engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("OSTEOREF_DATABASE_URL", url)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_create_prints_a_working_key_alone_on_the_last_line(runner: CliRunner, database: Database) -> None:
    result = runner.invoke(cli_keys.app, ["create", "--role", "clinician", "--label", "ward 3"])
    assert result.exit_code == 0, result.output
    key = result.stdout.strip().splitlines()[-1]
    assert authenticate(database, key).role == "clinician"
    listed = runner.invoke(cli_keys.app, ["list"]).stdout
    assert "clinician\tward 3" in listed
    assert key not in listed


def test_list_by_label_shows_exactly_the_keys_with_that_label(runner: CliRunner, database: Database) -> None:
    for label in ("ward 3", "ward 30", "ward 3"):
        assert runner.invoke(cli_keys.app, ["create", "--role", "clinician", "--label", label]).exit_code == 0
    lines = runner.invoke(cli_keys.app, ["list", "--label", "ward 3"]).stdout.strip().splitlines()
    assert [line.split("\t")[3] for line in lines] == ["ward 3", "ward 3"]
    assert runner.invoke(cli_keys.app, ["list", "--label", "nobody"]).stdout == ""


def test_unknown_role_fails_without_a_key(runner: CliRunner) -> None:
    result = runner.invoke(cli_keys.app, ["create", "--role", "root"])
    assert result.exit_code == 2
    assert "unknown role" in result.stderr


def test_revoke_then_the_key_no_longer_authenticates(runner: CliRunner, database: Database) -> None:
    key = runner.invoke(cli_keys.app, ["create", "--role", "admin"]).stdout.strip().splitlines()[-1]
    key_id = authenticate(database, key).key_id
    assert runner.invoke(cli_keys.app, ["revoke", str(key_id)]).exit_code == 0
    assert runner.invoke(cli_keys.app, ["list"]).stdout.rstrip().split("\t")[-1] != "-"
    with pytest.raises(NotAuthenticated):
        authenticate(database, key)
    assert runner.invoke(cli_keys.app, ["revoke", "424242"]).exit_code == 2
