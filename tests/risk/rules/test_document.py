"""docs/rules.md is generated from the rule data and must not drift from it."""

from __future__ import annotations

from pathlib import Path

from risk.rules.document import rules_markdown
from risk.rules.table import RULES

DOC = Path(__file__).resolve().parents[3] / "docs" / "rules.md"


def test_rules_document_is_up_to_date() -> None:
    assert DOC.read_text() == rules_markdown(), "run: python -m risk.rules.document > docs/rules.md"


def test_every_rule_code_is_documented_once() -> None:
    text = rules_markdown()
    for rule in RULES:
        assert text.count(f"| {rule.code} |") == 1
