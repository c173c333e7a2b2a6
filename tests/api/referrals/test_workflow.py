"""The referral workflow end to end through HTTP: create, read, every move, illegal moves."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.referrals.schemas import PcpIn
from api.referrals.states import STATUSES, TRANSITIONS
from reports.models import Recipient
from tests.api.referrals.factories import PCP_NAME, bearer, referral_body


def _create(client: TestClient, key: str, **kwargs: Any) -> dict[str, Any]:
    response = client.post("/v1/referrals", json=referral_body(**kwargs), headers=bearer(key))
    assert response.status_code == 201, response.text
    return dict(response.json())


def _move(client: TestClient, key: str, rid: str, to: str, reason: str | None = None) -> Any:
    body = {"to": to, "reason": reason}
    return client.post(f"/v1/referrals/{rid}/transitions", json=body, headers=bearer(key))


def _walk(client: TestClient, key: str, path: list[str]) -> str:
    rid = str(_create(client, key)["id"])
    for status in path:
        assert _move(client, key, rid, status, "because").status_code == 200
    return rid


def test_create_returns_draft_with_links(client: TestClient, keys: dict[str, str]) -> None:
    created = _create(client, keys["clinician"], prior_fractures=1)
    assert created["status"] == "draft"
    assert created["priority"] == "soon"
    assert created["links"]["self"].endswith(f"/v1/referrals/{created['id']}")
    assert created["links"]["letter_pdf"].endswith("/letter.pdf")


def test_detail_has_record_assessment_versions_and_created_event(
    client: TestClient, keys: dict[str, str]
) -> None:
    rid = _create(client, keys["clinician"])["id"]
    detail = client.get(f"/v1/referrals/{rid}", headers=bearer(keys["coordinator"])).json()
    assert detail["patient"]["patient_id"] == "P-001"
    assert detail["assessment"]["priority"] == "routine"
    assert detail["model"] == {"name": "fake", "version": "9.9", "ruleset_version": "rules-test-1"}
    assert detail["pcp"]["name"] == PCP_NAME
    assert [(e["from_status"], e["to_status"]) for e in detail["events"]] == [(None, "draft")]


def test_full_path_to_treatment_started_records_every_move(client: TestClient, keys: dict[str, str]) -> None:
    rid = _walk(client, keys["clinician"], [])
    for status, key in [("sent", "clinician"), ("acknowledged", "coordinator")]:
        assert _move(client, keys[key], rid, status).status_code == 200
    final = _move(client, keys["coordinator"], rid, "treatment_started").json()
    assert final["status"] == "treatment_started"
    moves = [(e["from_status"], e["to_status"]) for e in final["events"]]
    assert moves == [
        (None, "draft"),
        ("draft", "sent"),
        ("sent", "acknowledged"),
        ("acknowledged", "treatment_started"),
    ]
    assert final["sent_at"] is not None
    assert all(e["by_key_id"] is not None and e["at"] for e in final["events"])


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ([], "acknowledged"),
        ([], "treatment_started"),
        ([], "declined"),
        (["sent"], "treatment_started"),
        (["sent"], "draft"),
        (["sent", "acknowledged"], "sent"),
        (["cancelled"], "sent"),
        (["sent", "declined"], "cancelled"),
        (["sent", "acknowledged", "treatment_started"], "cancelled"),
    ],
)
def test_illegal_move_is_409_and_changes_nothing(
    client: TestClient, keys: dict[str, str], path: list[str], target: str
) -> None:
    rid = _walk(client, keys["clinician"], path)
    response = _move(client, keys["clinician"], rid, target, "a reason")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"
    detail = client.get(f"/v1/referrals/{rid}", headers=bearer(keys["clinician"])).json()
    assert detail["status"] == (path[-1] if path else "draft")
    assert len(detail["events"]) == len(path) + 1


@pytest.mark.parametrize("source", ["draft", "sent", "acknowledged"])
def test_cancel_is_allowed_from_every_open_status(
    client: TestClient, keys: dict[str, str], source: str
) -> None:
    path = {"draft": [], "sent": ["sent"], "acknowledged": ["sent", "acknowledged"]}[source]
    rid = _walk(client, keys["clinician"], path)
    assert _move(client, keys["coordinator"], rid, "cancelled").json()["status"] == "cancelled"


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_declined_without_reason_is_422(client: TestClient, keys: dict[str, str], reason: str | None) -> None:
    rid = _walk(client, keys["clinician"], ["sent"])
    response = _move(client, keys["coordinator"], rid, "declined", reason)
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "reason"


def test_declined_with_reason_stores_the_reason(client: TestClient, keys: dict[str, str]) -> None:
    rid = _walk(client, keys["clinician"], ["sent"])
    detail = _move(client, keys["coordinator"], rid, "declined", " already on denosumab ").json()
    assert detail["status"] == "declined"
    assert detail["events"][-1]["reason"] == "already on denosumab"


def test_unknown_target_status_is_422(client: TestClient, keys: dict[str, str]) -> None:
    rid = _walk(client, keys["clinician"], [])
    assert _move(client, keys["clinician"], rid, "archived").status_code == 422


def test_unknown_referral_is_404(client: TestClient, keys: dict[str, str]) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    assert client.get(f"/v1/referrals/{missing}", headers=bearer(keys["admin"])).status_code == 404
    assert _move(client, keys["admin"], missing, "sent").status_code == 404


def test_transition_table_covers_every_status_and_final_ones_are_empty() -> None:
    assert set(TRANSITIONS) == set(STATUSES)
    assert {s for s, moves in TRANSITIONS.items() if not moves} == {
        "treatment_started",
        "declined",
        "not_registered",
        "cancelled",
    }


def test_letters_are_served_as_html_and_pdf(client: TestClient, keys: dict[str, str]) -> None:
    links = _create(client, keys["clinician"])["links"]
    auth = bearer(keys["coordinator"])
    pcp = client.get(links["letter_html"], headers=auth)
    assert pcp.status_code == 200
    assert PCP_NAME in pcp.text
    assert pcp.headers["cache-control"] == "no-store"
    assert "Zebulon" in client.get(links["patient_letter_html"], headers=auth).text
    for link in ("letter_pdf", "patient_letter_pdf"):
        pdf = client.get(links[link], headers=auth)
        assert pdf.headers["content-type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF")


@pytest.mark.parametrize(
    ("pcp_update", "status"),
    [
        ({"address": ["x" * 200] * 8, "phone": "1" * 200}, 201),  # the letter's limits, exactly
        ({"address": ["line"] * 9}, 422),
        ({"address": ["x" * 201]}, 422),
        ({"phone": "1" * 201}, 422),
    ],
    ids=["at the limits", "9 address lines", "201-char line", "201-char phone"],
)
def test_the_pcp_body_has_the_letters_limits(
    client: TestClient, keys: dict[str, str], pcp_update: dict[str, Any], status: int
) -> None:
    body = referral_body()
    body["pcp"] |= pcp_update
    response = client.post("/v1/referrals", json=body, headers=bearer(keys["clinician"]))
    assert response.status_code == status, response.text


def test_every_accepted_pcp_body_is_a_printable_recipient() -> None:
    widest = PcpIn(name="n" * 200, practice="p" * 200, address=["a" * 200] * 8, phone="1" * 200)
    assert Recipient.model_validate(widest.model_dump()).address == widest.address
