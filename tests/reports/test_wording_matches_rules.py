"""Letter wording covers exactly the rule table's specialist flags (no drift from rules.md)."""

from __future__ import annotations

from reports.wording import SPECIALIST_REASON
from risk.rules.table import FLAGS


def test_specialist_wording_covers_exactly_the_specialist_flags() -> None:
    assert set(SPECIALIST_REASON) == {rule.code for rule in FLAGS if rule.specialist}
