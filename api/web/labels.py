"""Words the pages print for priorities, severities and percentages; codes go through ``reports.labels``."""

from __future__ import annotations

from reports.labels import label
from reports.wording import ACTION_WEEKS

__all__ = ["PRIORITY_TEXT", "SEVERITY_TEXT", "label", "percent"]

# The deadlines are the letters' own (contract §2: 2 / 4 / 12 weeks).
PRIORITY_TEXT: dict[str, str] = {
    priority: f"{label(priority)} — act within {weeks} weeks" for priority, weeks in ACTION_WEEKS.items()
}

SEVERITY_TEXT: dict[str, str] = {"urgent": "Urgent", "warning": "Warning", "info": "Information"}


def percent(probability: float | None) -> str:
    """A probability as a whole percentage ("18%"); under 1% as "<1%"; None as an em dash."""
    if probability is None:
        return "—"
    if 0 < probability < 0.01:
        return "<1%"
    return f"{round(probability * 100)}%"
