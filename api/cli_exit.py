"""Exit statuses of every ``osteoref`` command: one table, documented in the README ("Exit status").

Scripts can tell "fix the command or its input" (2, as click already uses for bad options)
from "the run finished but some rows failed" (3): a count of failed rows is never the status,
so it can neither wrap at 256 nor collide with 2.
"""

from __future__ import annotations

from typing import Final

OK: Final = 0
# Bad option, unreadable or invalid input file, unknown column, unusable model, settings or database.
USAGE: Final = 2
# Ran to the end; some rows were rejected or failed (see the summary and the errors file).
ROWS_FAILED: Final = 3
# A safety check refused to write the output (recalibrate: the candidate is worse calibrated on
# held-out patients than the model it would replace; --force writes it, recorded).
REFUSED: Final = 4
# 1 is Python's own status for an unexpected error (a bug: please report the traceback).


def for_failed_rows(failed: int) -> int:
    """The status of a finished run with ``failed`` rejected or failed rows."""
    return ROWS_FAILED if failed else OK
