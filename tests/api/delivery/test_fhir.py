"""The FHIR channel on the real app and both backends: publishing, following the references, status."""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.ack import routes as ack_routes
from api.ack.settings import AckSettings
from api.auth.principal import Principal
from api.context import context_of
from api.db.base import Base
from api.db.delivery_models import FhirCommunication
from api.db.engine import Database
from api.db.models import AuditEntry
from api.delivery import routes as delivery_routes
from api.delivery.channels import OutgoingLetter
from api.delivery.settings import DeliverySettings
from api.delivery.wiring import LoopComponents, build_loop
from api.fhir import referral_routes
from api.fhir.bindings import validate_emitted
from api.fhir.emit.stored_referral import STATUS
from api.referrals.states import STATUSES
from api.settings import Settings
from reports.models import Recipient
from tests.api.delivery.loop import SECRET, Clock, fake_pdfs
from tests.api.referrals.factories import PCP_NAME, bearer, referral_body, role_keys
from tests.api.referrals.fakes import BASE_URL, FakeScorer, build_app

PRACTICE = "Elm Street Surgery"  # the practice of referral_body()'s PCP
FHIR_JSON = "application/fhir+json"
Client = tuple[TestClient, dict[str, str]]


@pytest.fixture
def app_client(database: Database) -> Iterator[Client]:
    """The app with the delivery, acknowledgement and FHIR routers; Elm Street reads by FHIR."""
    delivery = DeliverySettings(fhir_practices=["  elm street  SURGERY "])
    settings = Settings(public_base_url=BASE_URL, ack=AckSettings(ack_secret=SECRET), delivery=delivery)
    app = build_app(database, FakeScorer(), settings)
    for router in (delivery_routes.router, ack_routes.router, referral_routes.router):
        app.include_router(router)
    with TestClient(app, follow_redirects=False) as client:
        yield client, role_keys(database)


def _referral(client: TestClient, keys: dict[str, str], **pcp: Any) -> str:
    body = referral_body()
    body["pcp"] |= pcp
    created = client.post("/v1/referrals", json=body, headers=bearer(keys["clinician"]))
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


def _publish(client: TestClient, keys: dict[str, str], rid: str) -> dict[str, Any]:
    response = client.post(
        f"/v1/referrals/{rid}/deliveries", json={"channel": "fhir"}, headers=bearer(keys["clinician"])
    )
    assert response.status_code == 202, response.text
    [delivery] = client.get(f"/v1/referrals/{rid}/deliveries", headers=bearer(keys["coordinator"])).json()
    return dict(delivery)


def _fhir(client: TestClient, keys: dict[str, str], url: str) -> dict[str, Any]:
    """GET an absolute URL of this server as an EHR would (the path, with a reader's key)."""
    response = client.get(url.removeprefix(BASE_URL), headers=bearer(keys["coordinator"]))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(FHIR_JSON)
    assert response.headers["cache-control"] == "no-store"
    resource: dict[str, Any] = response.json()
    validate_emitted(resource)
    for entry in resource.get("entry", []):
        validate_emitted(entry["resource"])
    return resource


def _communications(client: TestClient, keys: dict[str, str], rid: str) -> dict[str, Any]:
    return _fhir(client, keys, f"/fhir/Communication?based-on=ServiceRequest/{rid}")


def test_before_the_fhir_delivery_there_is_no_communication(app_client: Client) -> None:
    client, keys = app_client
    rid = _referral(client, keys)
    bundle = _communications(client, keys, rid)
    assert (bundle["type"], bundle["total"], "entry" in bundle) == ("searchset", 0, False)
    queued = client.post(
        f"/v1/referrals/{rid}/deliveries", json={"channel": "print"}, headers=bearer(keys["clinician"])
    )
    assert queued.status_code == 202
    assert _communications(client, keys, rid)["total"] == 0  # another channel publishes nothing


def test_an_ehr_follows_service_request_to_letter_to_communication(app_client: Client) -> None:
    client, keys = app_client
    rid = _referral(client, keys)
    delivery = _publish(client, keys, rid)
    assert (delivery["channel"], delivery["status"]) == ("fhir", "delivered")
    assert [(a["number"], a["outcome"], a["error_code"]) for a in delivery["attempts"]] == [
        (1, "delivered", None)
    ]
    service_request_url = f"{BASE_URL}/fhir/ServiceRequest/{rid}"
    request = _fhir(client, keys, service_request_url)
    assert (request["status"], request["intent"]) == ("active", "order")  # delivered: draft → sent
    [letter_entry] = _fhir(client, keys, f"/fhir/DocumentReference?related=ServiceRequest/{rid}")["entry"]
    assert letter_entry["resource"]["context"]["related"] == [{"reference": service_request_url}]
    [entry] = _communications(client, keys, rid)["entry"]
    communication = entry["resource"]
    assert communication["basedOn"] == [{"reference": service_request_url}]
    [payload] = communication["payload"]
    assert payload["contentReference"] == {"reference": letter_entry["fullUrl"], "type": "DocumentReference"}
    assert _fhir(client, keys, letter_entry["fullUrl"]) == letter_entry["resource"]
    assert _fhir(client, keys, entry["fullUrl"]) == communication
    contained = {r["id"]: r for r in communication["contained"]}
    recipients = [contained[r["reference"].removeprefix("#")] for r in communication["recipient"]]
    assert [(r["resourceType"], r.get("name")) for r in recipients] == [
        ("Practitioner", [{"text": PCP_NAME}]),
        ("Organization", PRACTICE),
    ]
    assert communication["status"] == "completed"
    assert communication["category"][0]["coding"][0]["code"] == "notification"
    assert communication["medium"][0]["coding"][0]["code"] == "ELECTRONIC"
    assert _between(communication["sent"], delivery["attempts"][0])  # sent = the attempt's time


def _between(sent: str, attempt: dict[str, Any]) -> bool:
    at = dt.datetime.fromisoformat(sent)
    started = dt.datetime.fromisoformat(attempt["started_at"]).replace(microsecond=0)
    return bool(started <= at <= dt.datetime.fromisoformat(attempt["finished_at"]))


def test_sending_is_audited_and_reads_are_role_checked(app_client: Client, database: Database) -> None:
    client, keys = app_client
    rid = _referral(client, keys)
    _publish(client, keys, rid)
    with database.reader() as session:
        actions = [
            (a.action, a.outcome)
            for a in session.scalars(select(AuditEntry).where(AuditEntry.target_id == rid))
        ]
    assert ("delivery:request", "queued") in actions and ("delivery:fhir", "delivered") in actions
    path = f"/fhir/Communication?based-on=ServiceRequest/{rid}"
    assert client.get(path).status_code == 401
    assert client.get(path, headers=bearer(keys["analyst"])).status_code == 403
    [entry] = _communications(client, keys, rid)["entry"]
    with database.reader() as session:
        reads = session.scalars(select(AuditEntry).where(AuditEntry.action == "referrals:read")).all()
    assert any(r.target_id == rid for r in reads)
    missing = f"/fhir/Communication/{uuid.uuid4()}"
    assert client.get(missing, headers=bearer(keys["clinician"])).status_code == 404
    bad = client.get("/fhir/Communication?based-on=Patient/1", headers=bearer(keys["clinician"]))
    assert bad.status_code == 422 and bad.json()["error"]["details"][0]["field"] == "based-on"
    assert (
        client.get(entry["fullUrl"].removeprefix(BASE_URL), headers=bearer(keys["analyst"])).status_code
        == 403
    )


def _loop(client: TestClient) -> LoopComponents:
    return context_of(client).loop


def test_dispatching_twice_publishes_one_communication(app_client: Client, database: Database) -> None:
    client, keys = app_client
    rid = _referral(client, keys)
    delivery = _publish(client, keys, rid)
    again = client.post(
        f"/v1/referrals/{rid}/deliveries", json={"channel": "fhir"}, headers=bearer(keys["coordinator"])
    )
    assert (again.status_code, again.json()["id"]) == (200, delivery["id"])
    components = _loop(client)
    assert components.dispatcher.attempt(delivery["id"]) == ("skipped", None)
    channel = components.dispatcher.channels["fhir"]
    letter = _letter(uuid.UUID(rid))
    assert [channel.send(letter).result, channel.send(letter).result] == ["delivered", "delivered"]
    assert _communications(client, keys, rid)["total"] == 1
    reminder, created = components.deliveries.request(None, uuid.UUID(rid), "fhir", "reminder")
    assert created and components.dispatcher.attempt(reminder.id)[0] == "delivered"
    bundle = _communications(client, keys, rid)
    categories = [e["resource"]["category"][0]["coding"][0]["code"] for e in bundle["entry"]]
    assert categories == ["notification", "reminder"]
    with database.reader() as session:
        assert len(session.scalars(select(FhirCommunication)).all()) == 2


def _letter(referral_id: uuid.UUID) -> OutgoingLetter:
    recipient = Recipient(name=PCP_NAME, practice=PRACTICE)
    return OutgoingLetter(referral_id, recipient, "R-X", "http://x/a/t", dt.date(2030, 1, 1), lambda: b"")


def _other_loop(database: Database, clock: Clock, practices: list[str]) -> LoopComponents:
    delivery = DeliverySettings(fhir_practices=practices)
    settings = Settings(public_base_url=BASE_URL)
    ack = AckSettings(ack_secret=SECRET)
    return build_loop(database, settings, fake_pdfs, delivery=delivery, ack=ack, clock=clock)


@pytest.mark.parametrize(
    ("practice", "reason"),
    [
        ("Oak Lane Clinic", "the PCP's practice does not read referrals by FHIR (OSTEOREF_FHIR_PRACTICES)"),
        (None, "the PCP has no practice that could read the referral by FHIR"),
    ],
)
def test_a_practice_that_does_not_read_by_fhir_is_unreachable(
    app_client: Client, practice: str | None, reason: str
) -> None:
    client, keys = app_client
    rid = _referral(client, keys, practice=practice)
    path = f"/v1/referrals/{rid}/deliveries"
    refused = client.post(path, json={"channel": "fhir"}, headers=bearer(keys["clinician"]))
    assert refused.status_code == 422
    assert refused.json()["error"]["details"][0] == {"field": "channel", "value": "fhir", "rule": reason}
    assert client.get(path, headers=bearer(keys["clinician"])).json() == []
    assert _communications(client, keys, rid)["total"] == 0


def test_a_practice_taken_off_the_list_before_the_send_fails_as_unreachable(
    app_client: Client, database: Database, clock: Clock
) -> None:
    client, keys = app_client
    rid = _referral(client, keys)
    queued, _ = _loop(client).deliveries.request(None, uuid.UUID(rid), "fhir")
    status, outcome = _other_loop(database, clock, ["Oak Lane Clinic"]).dispatcher.attempt(queued.id)
    assert (status, outcome and outcome.error_code) == ("failed", "unreachable")
    [delivery] = client.get(f"/v1/referrals/{rid}/deliveries", headers=bearer(keys["clinician"])).json()
    assert delivery["attempts"][0]["error_text"].startswith("the PCP's practice does not read")
    assert _communications(client, keys, rid)["total"] == 0
    assert _fhir(client, keys, f"/fhir/ServiceRequest/{rid}")["status"] == "draft"


def test_a_failed_publication_is_retried_with_the_backoff(
    app_client: Client, database: Database, clock: Clock, actor: Principal
) -> None:
    client, keys = app_client
    rid = _referral(client, keys)
    components = _other_loop(database, clock, [PRACTICE])
    queued, _ = components.deliveries.request(None, uuid.UUID(rid), "fhir")
    table = Base.metadata.tables[FhirCommunication.__tablename__]
    table.drop(database.engine)  # the store is gone: a real database error, not a mock
    status, outcome = components.dispatcher.attempt(queued.id)
    assert (status, outcome and outcome.error_code) == ("retrying", "store_error")
    [delivery] = components.deliveries.history(actor, uuid.UUID(rid))
    assert delivery.next_attempt_at == clock.now + dt.timedelta(minutes=5)  # the first configured wait
    table.create(database.engine)
    clock.advance(minutes=4, seconds=59)
    assert components.dispatcher.run_due().delivered == 0  # not yet due
    clock.advance(seconds=1)
    assert components.dispatcher.run_due().delivered == 1
    [entry] = _communications(client, keys, rid)["entry"]
    assert entry["resource"]["sent"] == clock.now.isoformat(timespec="seconds")


EXPECTED_STATUS = {
    "draft": ("draft", "proposal"),
    "sent": ("active", "order"),
    "acknowledged": ("active", "order"),
    "treatment_started": ("completed", "order"),
    "declined": ("revoked", "order"),
    "not_registered": ("revoked", "order"),
    "cancelled": ("revoked", "order"),
}
# The PCP's answer on the acknowledgement page that takes a sent referral to each status.
ANSWERS: dict[str, dict[str, str]] = {
    "acknowledged": {"answer": "received"},
    "treatment_started": {
        "answer": "treatment_started", "drug_class": "denosumab", "treatment_start_date": "2025-03-01"
    },
    "declined": {"answer": "declined", "reason": "prefers lifestyle measures"},
    "not_registered": {"answer": "not_registered"},
}  # fmt: skip


def test_every_workflow_status_has_its_service_request_status() -> None:
    assert STATUS == EXPECTED_STATUS and set(STATUS) == set(STATUSES)


def _answer(client: TestClient, rid: str, form: dict[str, str]) -> None:
    components = _loop(client)
    with components.ack.database.transaction() as session:
        token = components.issuer.issue(session, uuid.UUID(rid), dt.datetime.now(dt.UTC)).token
    confirmed = client.post(f"/a/{token}/confirm", data={"confirm": "yes"})
    stamp = re.search(r'name="stamp" value="([^"]+)"', confirmed.text)
    assert stamp, confirmed.text
    done = client.post(f"/a/{token}/answer", data={"stamp": stamp.group(1), **form})
    assert done.status_code == 200 and "Thank you" in done.text, done.text


@pytest.mark.parametrize("target", STATUSES)
def test_the_service_request_follows_each_lifecycle_move(app_client: Client, target: str) -> None:
    client, keys = app_client
    rid = _referral(client, keys)
    if target != "draft":
        _publish(client, keys, rid)  # draft → sent by the FHIR delivery itself
    if target in ANSWERS:
        _answer(client, rid, ANSWERS[target])
    elif target == "cancelled":
        moved = client.post(
            f"/v1/referrals/{rid}/transitions", json={"to": "cancelled"}, headers=bearer(keys["coordinator"])
        )
        assert moved.status_code == 200, moved.text
    request = _fhir(client, keys, f"/fhir/ServiceRequest/{rid}")
    assert client.get(f"/v1/referrals/{rid}", headers=bearer(keys["clinician"])).json()["status"] == target
    assert (request["status"], request["intent"]) == EXPECTED_STATUS[target]
    found = _fhir(client, keys, f"/fhir/ServiceRequest?patient=P-001&status={request['status']}")
    assert [e["resource"]["id"] for e in found["entry"]] == [rid]
    communications = _communications(client, keys, rid)
    assert communications["total"] == (0 if target == "draft" else 1)  # the sending stays on record
    assert all(e["resource"]["status"] == "completed" for e in communications.get("entry", []))


HL7_EXAMPLE = Path(__file__).parents[1] / "fhir" / "public" / "hl7" / "communication-example.json"


def _fits(ours: Any, example: Any) -> bool:
    """Same JSON structure where both have an element: object to object, array to array, scalar types."""
    if isinstance(ours, dict) and isinstance(example, dict):
        return all(_fits(ours[key], example[key]) for key in set(ours) & set(example))
    if isinstance(ours, list) and isinstance(example, list):
        return _fits(ours[0], example[0])
    return type(ours) is type(example)


def test_an_emitted_communication_has_the_shape_of_the_hl7_r4_example(app_client: Client) -> None:
    client, keys = app_client
    rid = _referral(client, keys)
    _publish(client, keys, rid)
    [entry] = _communications(client, keys, rid)["entry"]
    ours, example = entry["resource"], json.loads(HL7_EXAMPLE.read_text(encoding="utf-8"))
    validate_emitted(example)  # the example itself passes the validator our resources pass
    shared = {
        "resourceType",
        "status",
        "category",
        "medium",
        "subject",
        "sent",
        "recipient",
        "sender",
        "payload",
    }
    assert set(ours) & set(example) - {"id"} == shared
    for element in ("category", "medium", "recipient", "sender", "sent", "status"):
        assert _fits(ours[element], example[element]), element
    # the payload is a Reference as the example's second payload is; the subject is a Reference
    # too, logical (by identifier) rather than literal since we serve no Patient
    assert isinstance(ours["payload"][0]["contentReference"], dict)
    assert isinstance(example["payload"][1]["contentReference"], dict)
    assert isinstance(ours["subject"]["identifier"], dict) and isinstance(example["subject"], dict)
    assert ours["medium"][0]["coding"][0]["system"] == example["medium"][0]["coding"][0]["system"]
    assert dt.datetime.fromisoformat(ours["sent"]).tzinfo is not None  # a dateTime with its offset
