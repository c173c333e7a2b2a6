"""The CLI progress bar is drawn on a terminal only, and counts the rows it is told of."""

from __future__ import annotations

import io

from rich.console import Console

from api.cli_progress import RowProgress, print_summary, row_progress


def test_no_bar_into_a_pipe_or_a_file() -> None:
    piped = Console(file=io.StringIO(), force_terminal=False)
    with row_progress(piped, "scoring") as bar:
        assert bar is None
    assert piped.file.getvalue() == ""  # type: ignore[attr-defined]


def test_a_terminal_gets_a_bar_that_counts_rows_by_advance_and_by_update() -> None:
    terminal = Console(file=io.StringIO(), force_terminal=True, width=100)
    with row_progress(terminal, "letters") as bar:
        assert isinstance(bar, RowProgress)
        bar.advance(3)
        bar.advance(4)
        assert bar._bar.tasks[0].completed == 7  # the bar's own count is what is checked
        bar.update(9, 12)
        assert (bar._bar.tasks[0].completed, bar._bar.tasks[0].total) == (9, 12)


def test_the_summary_line_is_green_with_no_failed_row_and_yellow_with_one() -> None:
    terminal = Console(file=io.StringIO(), force_terminal=True, color_system="standard", width=20)
    print_summary(terminal, "scored 3 rows → a-very-long-path/out.csv", failed=0)
    print_summary(terminal, "1 rejected", failed=1)
    green, yellow = terminal.file.getvalue().splitlines()  # type: ignore[attr-defined]
    assert "\x1b[32m" in green and "scored 3 rows → a-very-long-path/out.csv" in green  # not wrapped at 20
    assert "\x1b[33m" in yellow and "\x1b[32m" not in yellow
