"""The worklist's print batches: download one, then put it back in the queue when it was never printed."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.settings import DEFAULT_MODEL_PATH, Settings
from api.web.session import CSRF_FIELD
from api.web.settings import WebSettings
from risk.assess import Assessor
from tests.api.referrals.factories import bearer, referral_body
from tests.api.referrals.fakes import BlankPdf
from tests.web.app import web_app
from tests.web.conftest import SECRET, csrf_of, sign_in

BATCH_FILE = re.compile(r'filename="print-batch-([0-9a-f-]{36})\.pdf"')


@pytest.fixture
def client(database_url: str, assessor: Assessor) -> Iterator[TestClient]:
    """The web app of ``tests/web/conftest.py`` with PDFs a batch can merge."""
    settings = Settings(model_path=DEFAULT_MODEL_PATH, database_url=database_url)
    app = web_app(settings, WebSettings(session_secret=SECRET), pdf=BlankPdf(), assessor=assessor)
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as test_client:
        yield test_client


def _printed_batch(client: TestClient, keys: dict[str, str]) -> tuple[str, str]:
    """A referral's letter downloaded in a batch from the worklist: (batch id, CSRF token)."""
    created = client.post("/v1/referrals", json=referral_body(), headers=bearer(keys["clinician"]))
    rid = created.json()["id"]
    queued = client.post(
        f"/v1/referrals/{rid}/deliveries", json={"channel": "print"}, headers=bearer(keys["clinician"])
    )
    assert queued.status_code == 202, queued.text
    csrf = sign_in(client, keys["coordinator"])
    download = client.post("/web/print-batch", data={CSRF_FIELD: csrf})
    assert download.status_code == 200 and download.headers["content-type"] == "application/pdf"
    found = BATCH_FILE.search(download.headers["content-disposition"])
    assert found
    return found.group(1), csrf


def test_a_batch_never_printed_is_put_back_from_the_worklist_once(
    client: TestClient, keys: dict[str, str]
) -> None:
    batch_id, csrf = _printed_batch(client, keys)
    reference = "P-" + uuid.UUID(batch_id).hex[:8].upper()
    action = f'action="/web/print-batches/{batch_id}/requeue"'
    page = client.get("/web/worklist").text
    assert reference in page and action in page and "Not printed — put back in the queue" in page
    assert client.post(f"/web/print-batches/{batch_id}/requeue", data={}).status_code == 403  # no CSRF token
    assert action in client.get("/web/worklist").text  # ... and nothing was put back
    done = client.post(f"/web/print-batches/{batch_id}/requeue", data={CSRF_FIELD: csrf})
    assert (done.status_code, done.headers["location"]) == (303, "/web/worklist#print-batches-title")
    page = client.get("/web/worklist").text
    assert action not in page and re.search(
        r"Put back in the queue [0-9-]{10} [0-9:]{5}: 1 of 1 letters", page
    )
    again = client.post(f"/web/print-batches/{batch_id}/requeue", data={CSRF_FIELD: csrf})
    assert again.status_code == 409 and "already put back in the queue" in again.text
    unknown = client.post(f"/web/print-batches/{uuid.uuid4()}/requeue", data={CSRF_FIELD: csrf})
    assert unknown.status_code == 404
    assert client.post("/web/print-batch", data={CSRF_FIELD: csrf}).status_code == 200  # printed again


def test_a_clinician_may_not_put_a_batch_back(client: TestClient, keys: dict[str, str]) -> None:
    csrf = sign_in(client, keys["clinician"])
    refused = client.post(f"/web/print-batches/{uuid.uuid4()}/requeue", data={CSRF_FIELD: csrf})
    assert refused.status_code == 403 and "deliveries:print" in refused.text


def test_the_worklist_lists_no_batch_before_the_first_is_made(
    client: TestClient, keys: dict[str, str]
) -> None:
    sign_in(client, keys["coordinator"])
    page = client.get("/web/worklist").text
    assert "Download the print batch" in page and "Recent print batches" not in page
    assert csrf_of(page)
