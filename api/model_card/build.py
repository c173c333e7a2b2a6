"""Assemble the model card from the artefact's validation metrics and the static content file."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from risk.model.artefact import Artefact, load_artefact
from risk.model.report import NOT_ESTIMABLE, Estimate, HorizonMetrics

CONTENT_PATH = Path(__file__).with_name("content.json")
METRICS = ("auc", "brier", "o_e", "calibration_slope", "calibration_intercept")
# HTI-1 attributes whose value comes from another part of the card, not from a fixed text.
FROM_CONTENT = ("intended_use", "population")
FROM_LISTS = ("out_of_scope", "limitations")


@lru_cache(maxsize=4)
def model_card(model_path: Path) -> dict[str, Any]:
    """The whole card as JSON-ready data (cached per artefact path; the artefact is immutable)."""
    content: dict[str, Any] = json.loads(CONTENT_PATH.read_text(encoding="utf-8"))
    artefact = load_artefact(model_path)
    card = {k: v for k, v in content.items() if k != "hti1_attributes"}
    card["model"] = _model(artefact)
    card["performance"] = _performance(artefact)
    card["hti1_attributes"] = [
        _attribute(a, content, card["performance"]) for a in content["hti1_attributes"]
    ]
    return card


def _model(artefact: Artefact) -> dict[str, Any]:
    data = artefact.training_data
    return {
        "name": artefact.model_name,
        "version": artefact.model_version,
        "created": artefact.created.isoformat(),
        "horizons_months": artefact.horizons_months,
        "training_data": data.model_dump(),
    }


def _performance(artefact: Artefact) -> dict[str, Any]:
    report = artefact.validation
    if report is None:
        return {"available": False}
    return {
        "available": True,
        "design": report.design,
        "n": report.n,
        "overall": [metrics_row("overall", m) for m in report.overall],
        "subgroups": [metrics_row(g.name, m) for g in report.subgroups for m in g.metrics],
        "warnings": list(report.warnings),
    }


def metrics_row(group: str, m: HorizonMetrics) -> dict[str, Any]:
    """One (group, horizon) row: counts and each metric with its 95% interval."""
    row: dict[str, Any] = {"group": group, "months": m.months, "n": m.n, "events": m.events}
    for name in METRICS:
        row[name] = _estimate(getattr(m, name))
    return row


def _estimate(e: Estimate) -> dict[str, float | None]:
    return {"value": e.value, "low": e.low, "high": e.high}


def _attribute(
    attribute: dict[str, Any], content: dict[str, Any], performance: dict[str, Any]
) -> dict[str, Any]:
    if attribute["status"] is not None:
        return attribute
    key = attribute["value"]
    if key in FROM_CONTENT:
        value = content[key]
    elif key in FROM_LISTS:
        value = " ".join(content[key])
    else:
        value = _metrics_text(performance, key)
    status = "filled" if value else "not yet available"
    return attribute | {"status": status, "value": value or "No validation report in the artefact."}


def _metrics_text(performance: dict[str, Any], key: str) -> str:
    if not performance["available"]:
        return ""
    rows = performance["overall"] if key == "performance" else performance["subgroups"]
    return (
        "; ".join(
            f"{r['group']} {r['months']} mo: AUC {fmt(r['auc'])}, O/E {fmt(r['o_e'])}, "
            f"slope {fmt(r['calibration_slope'])}"
            for r in rows
        )
        + f" ({performance['design']}). Full table: /model-card#performance."
    )


def fmt(estimate: dict[str, float | None]) -> str:
    """'0.760 (0.723–0.796)' or '0.760'."""
    low, high = estimate["low"], estimate["high"]
    if estimate["value"] is None:
        return NOT_ESTIMABLE
    value = f"{estimate['value']:.3f}"
    return value if low is None or high is None else f"{value} ({low:.3f}–{high:.3f})"
