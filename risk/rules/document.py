"""The rule table as users read it, generated from the rule data (docs/rules.md is its output)."""

from __future__ import annotations

from risk.rules.decisions import DEFAULT_THERAPY, THERAPY_PRECEDENCE
from risk.rules.engine import RULESET_VERSION
from risk.rules.pathway import DEFAULT_PATHWAY, PATHWAY_RULES
from risk.rules.table import CRITERIA, FLAGS

HEADER = """# Guideline rules (rule set {version})

Generated from `risk/rules/` by `python -m risk.rules.document > docs/rules.md`; a test
fails when this file and the code disagree. The contract is
`../shared/contract/rules.md`; thresholds live in `risk/rules/conditions.py`.
"""


def _row(*cells: str) -> str:
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


def rules_markdown() -> str:
    """Markdown tables of pathways, criteria, flags and the therapy precedence."""
    lines = [HEADER.format(version=RULESET_VERSION), "## Pathway (first match wins)", ""]
    lines += [_row("rule", "pathway"), _row("---", "---")]
    lines += [_row(rule.code, rule.pathway) for rule in PATHWAY_RULES]
    lines += [_row("otherwise", DEFAULT_PATHWAY), "", "## Criteria (osteoporosis pathway)", ""]
    lines += [_row("code", "very high?", "message", "source"), _row("---", "---", "---", "---")]
    lines += [
        _row(r.code, "yes" if r.very_high else "no (at least high)", r.message, r.source) for r in CRITERIA
    ]
    lines += ["", "## Flags", ""]
    lines += [
        _row("code", "severity", "specialist?", "message", "source"),
        _row("---", "---", "---", "---", "---"),
    ]
    lines += [
        _row(r.code, r.severity or "", "yes" if r.specialist else "no", r.message, r.source) for r in FLAGS
    ]
    lines += ["", "## Recommended therapy (first match wins)", ""]
    lines += [_row("step", "therapy"), _row("---", "---")]
    lines += [_row(str(i), step.therapy) for i, step in enumerate(THERAPY_PRECEDENCE, start=1)]
    lines += [_row("otherwise", DEFAULT_THERAPY), ""]
    return "\n".join(lines)


if __name__ == "__main__":
    print(rules_markdown(), end="")  # noqa: T201 - the module's job is to print the document
