"""A typer group whose commands import their module only when run, so `--help` stays light.

Each lazy command is a row of a table: its name, where it lives (``module:attribute``, a
command function or a ``typer.Typer`` sub-app) and the help line the group lists. Listing
the commands reads only the table; resolving one (to run it, or for its own ``--help``)
imports its module and builds the real click command.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, MutableMapping
from dataclasses import dataclass
from typing import Any

import typer
import typer.main
from typer import _click as click  # typer 0.29 ships its own click
from typer.core import TyperCommand, TyperGroup


@dataclass(frozen=True)
class LazyCommand:
    """One command of the table: ``name``, ``target`` as ``module:attribute``, its listed help."""

    name: str
    target: str
    help: str

    def load(self) -> click.Command:
        """Import the target's module and build its click command (a group for a sub-app)."""
        module_name, attribute = self.target.split(":")
        found = getattr(importlib.import_module(module_name), attribute)
        command: click.Command
        if isinstance(found, typer.Typer):
            command = typer.main.get_group(found)  # no completion options: only the root has them
        else:
            holder = typer.Typer(add_completion=False)
            holder.command(self.name)(found)
            command = typer.main.get_command(holder)
        command.name = self.name
        return command


class _Placeholder(TyperCommand):
    """Stands for a lazy command in help listings: a name and a help line, nothing imported."""

    def __init__(self, lazy: LazyCommand) -> None:
        super().__init__(name=lazy.name, help=lazy.help)
        self.lazy = lazy


class LazyGroup(TyperGroup):
    """A TyperGroup listing ``LEADING`` commands, then its own, then ``TRAILING`` (sub-apps)."""

    LEADING: tuple[LazyCommand, ...] = ()
    TRAILING: tuple[LazyCommand, ...] = ()

    def __init__(self, *, commands: Any = None, **attrs: Any) -> None:
        own: MutableMapping[str, click.Command] = dict(commands or {})
        ordered = {**_placeholders(self.LEADING), **own, **_placeholders(self.TRAILING)}
        super().__init__(commands=ordered, **attrs)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        """The command ``args`` name, its module imported now if it is lazy."""
        name, command, rest = super().resolve_command(ctx, args)
        if isinstance(command, _Placeholder) and name is not None:
            command = command.lazy.load()
            self.commands[name] = command
        return name, command, rest


def _placeholders(table: Iterable[LazyCommand]) -> dict[str, click.Command]:
    return {lazy.name: _Placeholder(lazy) for lazy in table}


def lazy_group(leading: Iterable[LazyCommand], trailing: Iterable[LazyCommand]) -> type[LazyGroup]:
    """A LazyGroup class for ``typer.Typer(cls=...)`` with these tables."""
    return type("OsteorefGroup", (LazyGroup,), {"LEADING": tuple(leading), "TRAILING": tuple(trailing)})
