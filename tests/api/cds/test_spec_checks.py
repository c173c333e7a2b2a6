"""The independent spec checker itself catches what the spec forbids."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.cds.spec_checks import check_card, check_discovery, check_response, empty_members

GOOD_CARD: dict[str, Any] = {
    "summary": "ok",
    "indicator": "info",
    "source": {"label": "x", "url": "https://x.org/card"},
}


def test_a_minimal_card_and_empty_cards_pass() -> None:
    assert check_card(GOOD_CARD) == []
    assert check_response({"cards": []}) == []


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"summary": "x" * 140}, "fewer than 140"),
        ({"indicator": "hard-stop"}, "indicator"),
        ({"detail": ""}, "empty"),
        ({"links": []}, "empty"),
        ({"source": {"label": "x", "url": "/relative"}}, "absolute"),
        ({"suggestions": [{"label": "s"}]}, "selectionBehavior required"),
        ({"suggestions": [{"label": "s"}], "selectionBehavior": "all"}, "selectionBehavior required"),
        ({"links": [{"label": "l", "url": "https://x.org", "type": "web"}]}, "link type"),
        ({"uuid": None}, "empty"),
    ],
)
def test_violations_are_named(change: dict[str, Any], words: str) -> None:
    assert any(words in p for p in check_card(GOOD_CARD | change))


def test_discovery_needs_id_hook_description() -> None:
    assert check_discovery({"services": [{"hook": "patient-view"}]}) != []
    assert check_discovery({"services": []}) == []


def test_empty_members_walks_nested_values() -> None:
    assert empty_members({"a": [{"b": {}}], "c": 0, "d": False}) == ["$.a[0].b"]
