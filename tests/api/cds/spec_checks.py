"""An independent checker of CDS Hooks 2.0 discovery and response JSON, written from the spec tables.

It shares no code with ``api.cds``: each function returns the list of violations (empty = valid).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

INDICATORS = {"info", "warning", "critical"}
SELECTION = {"at-most-one", "any"}
ACTION_TYPES = {"create", "update", "delete"}
LINK_TYPES = {"absolute", "smart"}
SERVICE_FIELDS = {"hook", "title", "description", "id", "prefetch", "usageRequirements"}
CARD_FIELDS = {
    "uuid", "summary", "detail", "indicator", "source", "suggestions",
    "selectionBehavior", "overrideReasons", "links",
}  # fmt: skip


def empty_members(value: Any, path: str = "$") -> list[str]:
    """Paths of null, "", [] or {} anywhere (the caller exempts the top-level empty cards)."""
    if value is None or value == "" or (isinstance(value, list | dict) and not value):
        return [path]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in empty_members(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in empty_members(v, f"{path}[{i}]")]
    return []


def check_discovery(doc: Any) -> list[str]:
    """Violations of the discovery response."""
    if not isinstance(doc, dict) or not isinstance(doc.get("services"), list):
        return ["services must be an array"]
    problems = []
    for i, service in enumerate(doc["services"]):
        where = f"services[{i}]"
        problems += [
            f"{where}.{k} required" for k in ("hook", "description", "id") if not _text(service.get(k))
        ]
        problems += [f"{where}.{k} unknown" for k in service if k not in SERVICE_FIELDS]
        prefetch = service.get("prefetch", {})
        if not isinstance(prefetch, dict) or not all(_text(v) for v in prefetch.values()):
            problems.append(f"{where}.prefetch must map keys to query strings")
        problems += [f"{where}{p[1:]} empty" for p in empty_members(service)]
    return problems


def check_response(body: Any) -> list[str]:
    """Violations of a hook response (cards REQUIRED, maybe empty)."""
    if not isinstance(body, dict) or not isinstance(body.get("cards"), list):
        return ["cards must be an array"]
    problems = [f"{k} unknown" for k in body if k not in {"cards", "systemActions"}]
    problems += [p for p in empty_members({k: v for k, v in body.items() if k != "cards"}) if p != "$"]
    for i, card in enumerate(body["cards"]):
        problems += [f"cards[{i}]: {p}" for p in check_card(card)]
    return problems


def check_card(card: dict[str, Any]) -> list[str]:
    """Violations of one card."""
    problems = [f"{p} empty" for p in empty_members(card)]
    problems += [f"{k} unknown" for k in card if k not in CARD_FIELDS]
    summary = card.get("summary")
    if not isinstance(summary, str) or not summary.strip() or len(summary) >= 140:
        problems.append("summary required, fewer than 140 characters")
    if card.get("indicator") not in INDICATORS:
        problems.append("indicator must be info|warning|critical")
    source = card.get("source")
    if not isinstance(source, dict) or not _text(source.get("label")):
        problems.append("source.label required")
    elif "url" in source and not _absolute(source["url"]):
        problems.append("source.url must be absolute")
    problems += _check_suggestions(card)
    problems += [p for link in card.get("links", []) for p in _check_link(link)]
    problems += [f"overrideReasons: {c} needs code and display" for c in card.get("overrideReasons", [])
                 if not (_text(c.get("code")) and _text(c.get("display")))]  # fmt: skip
    return problems


def _check_suggestions(card: dict[str, Any]) -> list[str]:
    suggestions = card.get("suggestions")
    if suggestions is None:
        return ["selectionBehavior without suggestions"] if "selectionBehavior" in card else []
    problems = [] if card.get("selectionBehavior") in SELECTION else ["selectionBehavior required"]
    for s in suggestions:
        problems += [] if _text(s.get("label")) else ["suggestion label required"]
        problems += (
            [] if "isRecommended" not in s or isinstance(s["isRecommended"], bool) else ["isRecommended"]
        )
        for action in s.get("actions", []):
            if action.get("type") not in ACTION_TYPES or not _text(action.get("description")):
                problems.append("action needs type create|update|delete and description")
            if action.get("type") == "create" and not isinstance(action.get("resource"), dict):
                problems.append("create action needs a resource")
    return problems


def _check_link(link: dict[str, Any]) -> list[str]:
    problems = [] if _text(link.get("label")) and _absolute(link.get("url")) else ["link label/url"]
    if link.get("type") not in LINK_TYPES:
        problems.append("link type must be absolute|smart")
    if "appContext" in link and link.get("type") != "smart":
        problems.append("appContext only on smart links")
    return problems


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _absolute(url: Any) -> bool:
    parsed = urlparse(url) if isinstance(url, str) else None
    return bool(parsed and parsed.scheme in {"http", "https"} and parsed.netloc)
