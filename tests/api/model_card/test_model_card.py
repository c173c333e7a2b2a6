"""GET /model-card: all TRIPOD+AI items and HTI-1 attributes, the artefact's metrics, HTML and JSON."""

from __future__ import annotations

import html
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.context import attach_context, build_context
from api.db.engine import Database
from api.errors import install_error_handlers
from api.loaded_model import LoadedModel
from api.model_card.routes import router
from api.settings import DEFAULT_MODEL_PATH, Settings
from risk.model.artefact import load_artefact
from tests.api.referrals.fakes import FakePdf

STATUSES = {"filled", "not applicable", "not yet available"}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    url = f"sqlite:///{tmp_path_factory.mktemp('card') / 'card.db'}"
    settings = Settings(model_path=DEFAULT_MODEL_PATH, database_url=url)
    app = FastAPI()
    app.include_router(router)
    install_error_handlers(app)
    database = Database.connect(url)  # the card reads only the settings: no tables needed
    attach_context(app, build_context(settings, database, LoadedModel(None, "not needed"), FakePdf()))
    with TestClient(app) as test_client:
        yield test_client
    database.dispose()


@pytest.fixture(scope="module")
def card(client: TestClient) -> dict[str, Any]:
    response = client.get("/model-card", headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    return body


def test_all_27_tripod_ai_items_say_where_they_are_answered(card: dict[str, Any]) -> None:
    items = card["tripod_ai"]
    assert [t["item"] for t in items] == [str(i) for i in range(1, 28)]
    assert all(t["topic"] and t["reported_in"].strip() for t in items)


def test_all_31_hti1_attributes_are_filled_or_honestly_marked(card: dict[str, Any]) -> None:
    attributes = card["hti1_attributes"]
    assert [a["number"] for a in attributes] == list(range(1, 32))
    assert all(a["status"] in STATUSES and a["value"].strip() and a["name"] for a in attributes)
    assert {a["status"] for a in attributes} >= {"filled", "not yet available"}


def test_metrics_equal_the_artefacts(card: dict[str, Any]) -> None:
    report = load_artefact(DEFAULT_MODEL_PATH).validation
    assert report is not None
    overall = {r["months"]: r for r in card["performance"]["overall"]}
    for m in report.overall:
        row = overall[m.months]
        assert (row["n"], row["events"]) == (m.n, m.events)
        assert row["auc"] == {"value": m.auc.value, "low": m.auc.low, "high": m.auc.high}
        assert row["brier"]["value"] == m.brier.value
        assert row["o_e"] == {"value": m.o_e.value, "low": m.o_e.low, "high": m.o_e.high}
        assert row["calibration_slope"]["low"] == m.calibration_slope.low
    expected = {(g.name, m.months) for g in report.subgroups for m in g.metrics}
    assert {(r["group"], r["months"]) for r in card["performance"]["subgroups"]} == expected


def test_card_has_the_model_card_sections(card: dict[str, Any]) -> None:
    assert card["model"]["version"] == load_artefact(DEFAULT_MODEL_PATH).model_version
    for key in ("intended_use", "population", "outcome", "inputs", "limitations", "fairness", "ethics"):
        assert card[key]
    assert any("Cancer-related" in item for item in card["out_of_scope"])


def test_html_is_the_default_and_shows_metrics_and_checklists(
    client: TestClient, card: dict[str, Any]
) -> None:
    response = client.get("/model-card")
    assert response.headers["content-type"].startswith("text/html")
    page = html.unescape(response.text)
    assert page.count("<tr><td>") >= 27 + 31
    assert f"{card['performance']['overall'][0]['auc']['value']:.3f}" in page
    assert "TRIPOD+AI checklist (27 items)" in page
    assert "not yet available" in page


@pytest.mark.parametrize(
    ("query", "accept", "kind"),
    [
        ("?format=json", "text/html", "application/json"),
        ("?format=html", "application/json", "text/html"),
        ("", "text/html,application/json", "text/html"),
        ("", "*/*", "text/html"),
    ],
)
def test_format_negotiation(client: TestClient, query: str, accept: str, kind: str) -> None:
    response = client.get(f"/model-card{query}", headers={"Accept": accept})
    assert response.headers["content-type"].startswith(kind)


def test_unknown_format_is_422(client: TestClient) -> None:
    assert client.get("/model-card?format=pdf").status_code == 422


def test_text_is_escaped() -> None:
    from api.model_card.build import model_card  # noqa: PLC0415
    from api.model_card.render import render_html  # noqa: PLC0415

    card = dict(model_card(DEFAULT_MODEL_PATH))
    card["intended_use"] = "<script>alert(1)</script>"
    page = render_html(card)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page
