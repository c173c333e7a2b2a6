"""`osteoref keys …`: create, list and revoke API keys (the only way keys are made in production)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer

from api import cli_exit
from api.auth import cache
from api.auth.permissions import ROLES
from risk.errors import OsteorefError

# The database and the settings are imported when a command runs, so `keys --help` stays light.
if TYPE_CHECKING:
    from api.db.engine import Database

app = typer.Typer(help="Manage API keys (stored hashed; a new key is shown once).", no_args_is_help=True)


@contextmanager
def _database() -> Iterator[Database]:
    from api.db import migrate  # noqa: PLC0415 (only when run)
    from api.db.engine import Database  # noqa: PLC0415 (only when run)
    from api.settings import get_settings  # noqa: PLC0415 (only when run)

    database = Database.connect(get_settings().database_url)
    try:
        migrate.upgrade(database.engine)
        yield database
    except OsteorefError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(cli_exit.USAGE) from None
    finally:
        database.dispose()


@app.command("create")
def create(
    role: Annotated[str, typer.Option(help=f"One of: {', '.join(ROLES)}.")],
    label: Annotated[str | None, typer.Option(help="Who or what uses the key.")] = None,
) -> None:
    """Create a key; it is printed once, alone on the last line, and never again."""
    from api.auth.principal import create_key  # noqa: PLC0415 (only when run)

    with _database() as database:
        plaintext = create_key(database, role, label, actor=None)
    typer.echo(f"Created a {role} key. Store it now; it cannot be shown again:", err=True)
    typer.echo(plaintext)


@app.command("list")
def list_keys(
    label: Annotated[str | None, typer.Option(help="Only the keys with exactly this label.")] = None,
) -> None:
    """List keys, oldest first: id, prefix, role, label, created, revoked, tab-separated; never a secret."""
    from api.db import keys_repo  # noqa: PLC0415 (only when run)

    with _database() as database, database.reader() as session:
        for key in keys_repo.list_keys(session):
            if label is not None and key.label != label:
                continue
            revoked = key.revoked_at.isoformat() if key.revoked_at else "-"
            typer.echo(
                f"{key.id}\tosr_{key.prefix}_…\t{key.role}\t{key.label or ''}\t"
                f"{key.created_at.isoformat()}\t{revoked}"
            )


@app.command("revoke")
def revoke(key_id: Annotated[int, typer.Argument(help="The key's id (see `keys list`).")]) -> None:
    """Revoke a key (web sessions end at once; running servers within 30 s); it stays listed."""
    from api.auth.principal import revoke_key  # noqa: PLC0415 (only when run)

    with _database() as database:
        found = revoke_key(database, key_id, actor=None)
    if not found:
        typer.echo(f"error: no key with id {key_id}", err=True)
        raise typer.Exit(cli_exit.USAGE)
    typer.echo(
        f"revoked key {key_id}; web sessions signed in with it have ended. Servers that verified it "
        f"in the last {int(cache.TTL_SECONDS)} s may accept it that much longer (their verified-key cache)."
    )
