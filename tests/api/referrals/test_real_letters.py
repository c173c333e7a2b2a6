"""The workflow on the real Assessor, the reports templates and the PDF pool (no fakes)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pypdf import PdfReader

from api.auth.principal import create_key
from api.context import attach_context, build_context
from api.db.engine import Database
from api.loaded_model import LoadedModel
from api.settings import DEFAULT_MODEL_PATH, PROJECT_ROOT, Settings
from reports import PdfRenderPool
from risk.assess import Assessor
from tests.api.referrals.fakes import REFERRAL_ROUTERS, FakePdf, add_error_handlers

SAMPLES = PROJECT_ROOT / "data" / "sample" / "patients"
PCP_NAME = "Dr P. Practitioner"
PCP = {"name": PCP_NAME, "address": ["1 Surgery Lane"]}
REFERRER = {"name": "Dr R. Surgeon"}


def _app(database: Database, pdf: Any) -> FastAPI:
    app = FastAPI()
    add_error_handlers(app)
    for router in REFERRAL_ROUTERS:
        app.include_router(router)
    settings = Settings()
    model = LoadedModel(Assessor.load(DEFAULT_MODEL_PATH, settings.rule_config()))
    attach_context(app, build_context(settings, database, model, pdf))  # the real scorer and letters
    return app


def _body(sample: str) -> dict[str, Any]:
    patient = json.loads((SAMPLES / sample).read_text())
    return {"patient": patient, "pcp": PCP, "referrer": REFERRER}


@pytest.fixture
def real(database: Database) -> Iterator[tuple[TestClient, dict[str, str]]]:
    key = create_key(database, "clinician", None, actor=None)
    with TestClient(_app(database, FakePdf())) as client:
        yield client, {"Authorization": f"Bearer {key}"}


def test_real_referral_stores_versions_and_both_letters(
    real: tuple[TestClient, dict[str, str]],
) -> None:
    client, auth = real
    created = client.post("/v1/referrals", json=_body("01-osteoporosis-very-high-recent.json"), headers=auth)
    assert created.status_code == 201, created.text
    detail = client.get(created.json()["links"]["self"], headers=auth).json()
    assert detail["model"]["version"] and detail["model"]["ruleset_version"]
    letter = client.get(created.json()["links"]["letter_html"], headers=auth)
    assert PCP_NAME in letter.text
    assert client.get(created.json()["links"]["patient_letter_html"], headers=auth).status_code == 200


def test_oncology_pathway_has_a_note_but_no_patient_copy(
    real: tuple[TestClient, dict[str, str]],
) -> None:
    client, auth = real
    created = client.post("/v1/referrals", json=_body("08-oncology-myeloma.json"), headers=auth).json()
    assert client.get(created["links"]["letter_html"], headers=auth).status_code == 200
    assert client.get(created["links"]["patient_letter_html"], headers=auth).status_code == 404


def test_a_bool_for_a_number_is_still_422(real: tuple[TestClient, dict[str, str]]) -> None:
    client, auth = real
    body = _body("01-osteoporosis-very-high-recent.json")
    body["patient"]["weight_kg"] = True
    response = client.post("/v1/referrals", json=body, headers=auth)
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"].endswith("weight_kg")


@pytest.mark.slow
def test_pdf_is_rendered_by_the_pool_from_the_stored_html(database: Database) -> None:
    key = create_key(database, "clinician", None, actor=None)
    auth = {"Authorization": f"Bearer {key}"}
    with PdfRenderPool(workers=1) as pool, TestClient(_app(database, pool)) as client:
        created = client.post(
            "/v1/referrals", json=_body("01-osteoporosis-very-high-recent.json"), headers=auth
        )
        pdf = client.get(created.json()["links"]["letter_pdf"], headers=auth)
    assert pdf.headers["content-type"] == "application/pdf"
    assert len(PdfReader(io.BytesIO(pdf.content)).pages) >= 1
