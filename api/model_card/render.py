"""Render the model card as HTML with Jinja2 (autoescaped: every text comes from data files)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from api.model_card.build import fmt

_ENV = Environment(
    loader=FileSystemLoader(Path(__file__).with_name("templates")),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_ENV.filters["estimate"] = fmt


def render_html(card: dict[str, Any]) -> str:
    """The model card page."""
    return _ENV.get_template("model_card.html.j2").render(card=card)
