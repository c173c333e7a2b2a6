"""Drop every null, empty string, empty list and empty object: CDS Hooks forbids sending them."""

from __future__ import annotations

from typing import Any

EMPTY: tuple[Any, ...] = (None, "", [], {})


def prune(value: Any) -> Any:
    """``value`` with empty optional members removed, recursively (containers emptied too)."""
    if isinstance(value, dict):
        pruned = {k: prune(v) for k, v in value.items()}
        return {k: v for k, v in pruned.items() if not _empty(v)}
    if isinstance(value, list):
        items = [prune(v) for v in value]
        return [v for v in items if not _empty(v)]
    return value


def _empty(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, list | dict) and not value)


def response_body(cards: list[dict[str, Any]]) -> dict[str, Any]:
    """A hook response: pruned cards; ``cards`` itself stays even when empty (spec: REQUIRED)."""
    return {"cards": [prune(card) for card in cards]}
