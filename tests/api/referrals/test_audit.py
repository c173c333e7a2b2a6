"""The audit log: every access is recorded, nothing identifying is, and rows cannot change."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, select, update
from sqlalchemy.exc import DBAPIError

from api.db.engine import Database
from api.db.models import AuditEntry
from tests.api.referrals.factories import NAMES, bearer, referral_body


def _entries(database: Database) -> list[AuditEntry]:
    with database.reader() as session:
        return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def _exercise(client: TestClient, keys: dict[str, str]) -> str:
    body = referral_body("PATIENT-SECRET-ID")
    clinician, coordinator = bearer(keys["clinician"]), bearer(keys["coordinator"])
    rid = str(client.post("/v1/referrals", json=body, headers=clinician).json()["id"])
    client.get(f"/v1/referrals/{rid}", headers=coordinator)
    client.get(f"/v1/referrals/{rid}/letter.html", headers=coordinator)
    client.post(f"/v1/referrals/{rid}/transitions", json={"to": "sent"}, headers=clinician)
    decline = {"to": "declined", "reason": f"{NAMES[0]} prefers no treatment"}
    client.post(f"/v1/referrals/{rid}/transitions", json=decline, headers=coordinator)
    client.get("/v1/audit", headers=coordinator)  # denied
    client.get("/v1/referrals")  # unauthenticated
    return rid


def test_every_access_is_audited_with_actor_role_and_outcome(
    client: TestClient, keys: dict[str, str], database: Database
) -> None:
    rid = _exercise(client, keys)
    seen = [
        (e.role, e.action, e.outcome, e.target_id)
        for e in _entries(database)
        if e.action.startswith(("referrals", "audit"))
    ]
    assert seen == [
        ("clinician", "referrals:create", "ok", rid),
        ("coordinator", "referrals:read", "ok", rid),
        ("coordinator", "referrals:letter_pcp", "ok", rid),
        ("clinician", "referrals:transition:sent", "ok", rid),
        ("clinician", "referrals:read", "ok", rid),
        ("coordinator", "referrals:transition:declined", "ok", rid),
        ("coordinator", "referrals:read", "ok", rid),
        ("coordinator", "audit:read", "denied", None),
        (None, "referrals:read", "unauthenticated", None),
    ]


def test_audit_entries_carry_no_names_identifiers_or_free_text(
    client: TestClient, keys: dict[str, str], database: Database
) -> None:
    _exercise(client, keys)
    text = repr([vars(e) for e in _entries(database)])
    for forbidden in (*NAMES, "PATIENT-SECRET-ID", "prefers no treatment"):
        assert forbidden not in text


def test_refused_moves_are_audited_with_their_error_code(
    client: TestClient, keys: dict[str, str], database: Database
) -> None:
    clinician = bearer(keys["clinician"])
    rid = client.post("/v1/referrals", json=referral_body(), headers=clinician).json()["id"]
    body = {"to": "treatment_started"}
    assert client.post(f"/v1/referrals/{rid}/transitions", json=body, headers=clinician).status_code == 409
    last = _entries(database)[-1]
    assert (last.action, last.outcome) == ("referrals:transition:treatment_started", "conflict")


def test_admin_reads_and_filters_the_audit_log(client: TestClient, keys: dict[str, str]) -> None:
    rid = _exercise(client, keys)
    admin = bearer(keys["admin"])
    page = client.get(f"/v1/audit?target_id={rid}&limit=2", headers=admin).json()
    assert page["total"] == 7
    assert len(page["items"]) == 2
    assert page["next"] is not None
    creates = client.get("/v1/audit?action=referrals:create", headers=admin).json()["items"]
    assert [e["outcome"] for e in creates] == ["ok"]
    future = client.get("/v1/audit?from=2999-01-01T00:00:00", headers=admin).json()
    assert future["total"] == 0


@pytest.mark.parametrize("statement", ["update", "delete"])
def test_audit_log_is_append_only_in_the_database(
    client: TestClient, keys: dict[str, str], database: Database, statement: str
) -> None:
    _exercise(client, keys)
    change = update(AuditEntry).values(outcome="ok") if statement == "update" else delete(AuditEntry)
    with pytest.raises(DBAPIError, match="append-only"), database.transaction() as session:
        session.execute(change)
