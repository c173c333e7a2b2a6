"""The FHIR channel on the referral page: offered only to a practice that reads by FHIR, attempts shown."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.delivery.settings import DeliverySettings
from api.settings import DEFAULT_MODEL_PATH, Settings
from api.web.session import CSRF_FIELD
from api.web.settings import WebSettings
from risk.assess import Assessor
from tests.api.referrals.factories import bearer, referral_body
from tests.api.referrals.fakes import FakePdf
from tests.web.app import web_app
from tests.web.conftest import SECRET, csrf_of, sign_in

FHIR_BUTTON = re.compile(r'<button type="submit" name="channel" value="fhir"[^>]*>')


@pytest.fixture
def client(database_url: str, assessor: Assessor) -> Iterator[TestClient]:
    """The web app of ``tests/web/conftest.py``, with Elm Street Surgery reading referrals by FHIR."""
    delivery = DeliverySettings(fhir_practices=["Elm Street Surgery"])
    settings = Settings(model_path=DEFAULT_MODEL_PATH, database_url=database_url, delivery=delivery)
    app = web_app(settings, WebSettings(session_secret=SECRET), pdf=FakePdf(), assessor=assessor)
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as test_client:
        yield test_client


def _referral(client: TestClient, key: str, practice: str) -> str:
    body = referral_body()
    body["pcp"]["practice"] = practice
    created = client.post("/v1/referrals", json=body, headers=bearer(key))
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


def test_the_fhir_button_publishes_and_the_page_shows_the_attempt(
    client: TestClient, keys: dict[str, str]
) -> None:
    reading = _referral(client, keys["clinician"], "Elm Street Surgery")
    other = _referral(client, keys["clinician"], "Oak Lane Clinic")
    sign_in(client, keys["clinician"])
    [disabled] = FHIR_BUTTON.findall(client.get(f"/web/referrals/{other}").text)
    assert "disabled" in disabled
    page = client.get(f"/web/referrals/{reading}").text
    [enabled] = FHIR_BUTTON.findall(page)
    assert "disabled" not in enabled
    sent = client.post(
        f"/web/referrals/{reading}/deliveries", data={CSRF_FIELD: csrf_of(page), "channel": "fhir"}
    )
    assert sent.status_code == 303, sent.text
    after = client.get(f"/web/referrals/{reading}").text
    row = re.search(r"<tr><td>FHIR</td><td>Letter</td>\s*<td[^>]*>([^<]*)</td>\s*<td>([^<]*)<br>", after)
    assert row, after
    assert (
        row.group(1) == "Delivered" and row.group(2).startswith("1. ") and row.group(2).endswith("Delivered")
    )
