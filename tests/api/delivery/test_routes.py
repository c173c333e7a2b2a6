"""The loop's HTTP surface on the real app: delivery routes and roles, the public /a pages, rate limits."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.ack.settings import AckSettings
from api.auth.principal import create_key
from api.context import context_of
from api.delivery.channels import PrintChannel
from api.delivery.wiring import build_loop
from api.main import create_app
from api.settings import Settings
from tests.api.delivery.loop import SECRET, fake_pdfs
from tests.api.referrals.factories import FAMILY_NAME, GIVEN_NAME, bearer, referral_body
from tests.api.referrals.fakes import BlankPdf


@pytest.fixture
def app_client(settings: Settings) -> Iterator[tuple[TestClient, dict[str, str]]]:
    ack = AckSettings(ack_secret=SECRET, ack_rate_limit="8/minute", ack_failure_rate_limit="3/hour")
    app = create_app(
        settings.model_copy(update={"ack": ack}), pdf_renderer=BlankPdf(), channels={"print": PrintChannel()}
    )
    with TestClient(app, follow_redirects=False) as client:
        database = context_of(client).database
        keys = {
            role: create_key(database, role, role, None) for role in ("clinician", "coordinator", "analyst")
        }
        yield client, keys


def _referral(client: TestClient, keys: dict[str, str], record: dict[str, object]) -> str:
    body = referral_body() | {"patient": record}
    created = client.post("/v1/referrals", json=body, headers=bearer(keys["clinician"]))
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


def test_roles_idempotency_and_an_unknown_channel(
    app_client: tuple[TestClient, dict[str, str]], record: dict[str, object]
) -> None:
    client, keys = app_client
    rid = _referral(client, keys, record)
    path = f"/v1/referrals/{rid}/deliveries"
    assert client.post(path, json={"channel": "print"}, headers=bearer(keys["analyst"])).status_code == 403
    assert client.post(path, json={"channel": "pigeon"}, headers=bearer(keys["clinician"])).status_code == 422
    first = client.post(path, json={"channel": "print"}, headers=bearer(keys["clinician"]))
    again = client.post(path, json={"channel": "print"}, headers=bearer(keys["coordinator"]))
    assert (first.status_code, again.status_code, again.json()["id"]) == (202, 200, first.json()["id"])
    assert client.post("/v1/print-batches", headers=bearer(keys["clinician"])).status_code == 403
    history = client.get(path, headers=bearer(keys["coordinator"])).json()
    assert [(d["channel"], d["status"]) for d in history] == [("print", "queued")]


def test_a_print_batch_is_put_back_once_by_a_printer_role_only(
    app_client: tuple[TestClient, dict[str, str]], record: dict[str, object]
) -> None:
    client, keys = app_client
    rid = _referral(client, keys, record)
    client.post(
        f"/v1/referrals/{rid}/deliveries", json={"channel": "print"}, headers=bearer(keys["clinician"])
    )
    made = client.post("/v1/print-batches", headers=bearer(keys["coordinator"]))
    assert made.status_code == 200, made.text
    batch_id = made.headers["X-Print-Batch-Id"]
    path = f"/v1/print-batches/{batch_id}/requeue"
    assert client.post(path, headers=bearer(keys["clinician"])).status_code == 403
    assert client.post(path, headers=bearer(keys["analyst"])).status_code == 403
    unknown = client.post(f"/v1/print-batches/{uuid.uuid4()}/requeue", headers=bearer(keys["coordinator"]))
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "not_found")
    assert (
        client.post("/v1/print-batches/P-1234/requeue", headers=bearer(keys["coordinator"])).status_code
        == 422
    )
    listed = client.get("/v1/print-batches", headers=bearer(keys["coordinator"]))
    reference = "P-" + uuid.UUID(batch_id).hex[:8].upper()
    assert listed.status_code == 200, listed.text
    assert [(b["id"], b["reference"], b["letters"], b["requeued_at"]) for b in listed.json()] == [
        (batch_id, reference, 1, None)
    ]
    assert client.get("/v1/print-batches", headers=bearer(keys["clinician"])).status_code == 403
    assert client.get("/v1/print-batches?limit=0", headers=bearer(keys["coordinator"])).status_code == 422
    done = client.post(path, headers=bearer(keys["coordinator"]))
    assert done.status_code == 200, done.text
    assert done.json() == {
        "batch_id": batch_id,
        "reference": reference,
        "requeued": 1,
        "skipped": [],
        "back_to_draft": 1,
    }
    again = client.post(path, headers=bearer(keys["coordinator"]))
    assert (again.status_code, again.json()["error"]["code"]) == (409, "conflict")
    history = client.get(f"/v1/referrals/{rid}/deliveries", headers=bearer(keys["coordinator"])).json()
    assert [(d["status"], [a["outcome"] for a in d["attempts"]]) for d in history] == [
        ("queued", ["delivered", "requeued"])
    ]
    assert client.get(f"/v1/referrals/{rid}", headers=bearer(keys["clinician"])).json()["status"] == "draft"
    assert client.post("/v1/print-batches", headers=bearer(keys["coordinator"])).headers["X-Letters"] == "1"
    newest, oldest = client.get("/v1/print-batches", headers=bearer(keys["coordinator"])).json()
    assert (newest["letters"], newest["requeued_at"]) == (1, None)
    assert (oldest["id"], oldest["requeued_letters"]) == (batch_id, 1) and oldest["requeued_at"] is not None
    one = client.get("/v1/print-batches?limit=1", headers=bearer(keys["coordinator"])).json()
    assert [b["id"] for b in one] == [newest["id"]]


def test_the_public_pages_show_initials_first_and_refuse_replays(
    app_client: tuple[TestClient, dict[str, str]], record: dict[str, object]
) -> None:
    client, keys = app_client
    rid = _referral(client, keys, record)
    context = context_of(client)
    issuer = build_loop(context.database, context.settings, fake_pdfs).issuer
    with context.database.transaction() as session:
        token = issuer.issue(session, uuid.UUID(rid), dt.datetime.now(dt.UTC)).token
    start = client.get(f"/a/{token}")
    assert start.status_code == 200 and "A.L." in start.text and "1948" in start.text
    assert GIVEN_NAME not in start.text and "Ada" not in start.text and "P-0001" not in start.text
    assert start.headers["Cache-Control"] == "no-store" and start.headers["Referrer-Policy"] == "no-referrer"
    unconfirmed = client.post(f"/a/{token}/confirm", data={})
    assert unconfirmed.status_code == 422
    confirmed = client.post(f"/a/{token}/confirm", data={"confirm": "yes"})
    assert "Ada Lovelace" in confirmed.text
    stamp = re.search(r'name="stamp" value="([^"]+)"', confirmed.text)
    assert stamp
    missing = client.post(f"/a/{token}/answer", data={"stamp": stamp.group(1), "answer": "declined"})
    assert missing.status_code == 422 and "give the reason" in missing.text
    reason = "<script>alert(1)</script> prefers lifestyle measures"
    done = client.post(
        f"/a/{token}/answer", data={"stamp": stamp.group(1), "answer": "declined", "reason": reason}
    )
    assert done.status_code == 200 and "Thank you" in done.text
    assert (
        client.post(f"/a/{token}/answer", data={"stamp": stamp.group(1), "answer": "received"}).status_code
        == 409
    )
    detail = client.get(f"/v1/referrals/{rid}", headers=bearer(keys["clinician"])).json()
    assert detail["status"] == "declined" and detail["events"][-1]["reason"].endswith(reason)
    assert FAMILY_NAME not in detail["events"][-1]["reason"]


def test_guessing_tokens_is_rate_limited(app_client: tuple[TestClient, dict[str, str]]) -> None:
    client, _ = app_client
    statuses = [client.get(f"/a/{'0' * 23}{i}").status_code for i in range(5)]
    assert statuses == [404, 404, 404, 429, 429]
    assert int(client.get("/a/ack.css").headers.get("Retry-After", "1")) >= 1


def test_a_typed_code_is_forgiven_its_case_and_hyphens(app_client: tuple[TestClient, dict[str, str]]) -> None:
    client, _ = app_client
    response = client.post("/a", data={"code": "abcd-efgh-jkmn-pqrs-tvwx-yz01"})
    assert (response.status_code, response.headers["location"]) == (303, "/a/ABCDEFGHJKMNPQRSTVWXYZ01")
