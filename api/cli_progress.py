"""Long CLI runs (`score`, `letters`): the row progress bar, on a terminal only, and the summary line."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, TaskID


class RowProgress:
    """One transient bar of rows: advanced by a count, or set to ``done`` of ``total``."""

    def __init__(self, bar: Progress, task: TaskID) -> None:
        self._bar, self._task = bar, task

    def advance(self, rows: int) -> None:
        """``rows`` more rows are done (the total is not known)."""
        self._bar.advance(self._task, rows)

    def update(self, done: int, total: int | None) -> None:
        """``done`` rows of ``total`` are done."""
        self._bar.update(self._task, completed=done, total=total)


@contextmanager
def row_progress(console: Console, label: str) -> Iterator[RowProgress | None]:
    """A bar labelled ``label`` while the block runs; None into a pipe or a file (nothing drawn)."""
    if not console.is_terminal:
        yield None
        return
    # rich.progress only when a bar is drawn: `--help` and piped runs do not pay for it.
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn  # noqa: PLC0415

    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        yield RowProgress(bar, bar.add_task("rows", total=None))


def print_summary(console: Console, text: str, *, failed: int) -> None:
    """A run's closing line: green when no row failed, yellow when some did (never hard-wrapped)."""
    colour = "green" if failed == 0 else "yellow"
    console.print(f"[{colour}]{text}[/{colour}]", highlight=False, soft_wrap=True)
