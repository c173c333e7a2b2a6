"""List filters, pagination and the coordinator worklist (thresholds tested on both sides)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from api.db.engine import Database
from api.db.models import Referral
from tests.api.referrals.factories import bearer, referral_body

TODAY = dt.datetime.now(dt.UTC).date()


def _create(client: TestClient, key: str, **kwargs: Any) -> str:
    response = client.post("/v1/referrals", json=referral_body(**kwargs), headers=bearer(key))
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _set(database: Database, rid: str, **values: Any) -> None:
    with database.transaction() as session:
        session.execute(update(Referral).where(Referral.id == uuid.UUID(rid)).values(**values))


def _move(client: TestClient, key: str, rid: str, *path: str) -> None:
    for status in path:
        body = {"to": status, "reason": "r"}
        assert client.post(f"/v1/referrals/{rid}/transitions", json=body, headers=bearer(key)).is_success


def _ids(client: TestClient, key: str, query: str) -> list[str]:
    response = client.get(f"/v1/referrals?{query}", headers=bearer(key))
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def test_filter_by_status_and_priority(client: TestClient, keys: dict[str, str]) -> None:
    key = keys["clinician"]
    routine, soon, urgent = (_create(client, key, prior_fractures=n) for n in (0, 1, 2))
    _move(client, key, soon, "sent")
    assert _ids(client, key, "status=sent") == [soon]
    assert _ids(client, key, "status=draft") == [urgent, routine]
    assert _ids(client, key, "priority=urgent") == [urgent]
    assert _ids(client, key, "priority=routine&status=sent") == []


def test_created_dates_are_inclusive_calendar_days(
    client: TestClient, keys: dict[str, str], database: Database
) -> None:
    key = keys["clinician"]
    day = dt.datetime(2025, 3, 10, tzinfo=dt.UTC)
    at = {"before": day - dt.timedelta(microseconds=1), "first": day, "last": day.replace(hour=23, minute=59)}
    at["after"] = day + dt.timedelta(days=1)
    ids = {name: _create(client, key) for name in at}
    for name, when in at.items():
        _set(database, ids[name], created_at=when)
    found = _ids(client, key, "created_from=2025-03-10&created_to=2025-03-10")
    assert found == [ids["last"], ids["first"]]
    assert _ids(client, key, "created_to=2025-03-09") == [ids["before"]]
    assert _ids(client, key, "created_from=2025-03-11") == [ids["after"]]


def test_pagination_walks_every_item_once(client: TestClient, keys: dict[str, str]) -> None:
    key = keys["coordinator"]
    created = [_create(client, keys["clinician"]) for _ in range(7)]
    seen: list[str] = []
    url: str | None = "/v1/referrals?limit=3"
    pages = 0
    while url is not None:
        page = client.get(url, headers=bearer(key)).json()
        assert page["total"] == 7
        seen += [item["id"] for item in page["items"]]
        url, pages = page["next"], pages + 1
    assert pages == 3
    assert seen == list(reversed(created))


@pytest.mark.parametrize(("limit", "status"), [(0, 422), (1, 200), (100, 200), (101, 422)])
def test_limit_bounds(client: TestClient, keys: dict[str, str], limit: int, status: int) -> None:
    response = client.get(f"/v1/referrals?limit={limit}", headers=bearer(keys["admin"]))
    assert response.status_code == status


def test_overdue_follow_up_is_an_open_referral_past_the_16_week_window(
    client: TestClient, keys: dict[str, str]
) -> None:
    key = keys["clinician"]
    weeks16 = TODAY - dt.timedelta(weeks=16)
    past = _create(client, key, procedure_date=weeks16 - dt.timedelta(days=1))
    edge = _create(client, key, procedure_date=weeks16)
    treated = _create(client, key, procedure_date=weeks16 - dt.timedelta(days=5))
    _move(client, key, treated, "sent", "acknowledged", "treatment_started")
    assert _ids(client, key, "overdue_follow_up=true") == [past]
    assert set(_ids(client, key, "overdue_follow_up=false")) == {past, edge, treated}


def _worklist(client: TestClient, key: str, query: str = "") -> dict[str, Any]:
    response = client.get(f"/v1/worklist?{query}", headers=bearer(key))
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_worklist_lists_sent_referrals_unacknowledged_after_n_days(
    client: TestClient, keys: dict[str, str], database: Database
) -> None:
    key = keys["clinician"]
    now = dt.datetime.now(dt.UTC)
    old, fresh, acknowledged = (_create(client, key) for _ in range(3))
    _move(client, key, old, "sent")
    _move(client, key, fresh, "sent")
    _move(client, key, acknowledged, "sent", "acknowledged")
    _set(database, old, sent_at=now - dt.timedelta(days=14, minutes=1))
    _set(database, fresh, sent_at=now - dt.timedelta(days=13, hours=23))
    _set(database, acknowledged, sent_at=now - dt.timedelta(days=30))
    worklist = _worklist(client, keys["coordinator"])
    assert [r["id"] for r in worklist["unacknowledged"]] == [old]
    assert worklist["unacknowledged_after_days"] == 14
    shorter = _worklist(client, keys["coordinator"], "days=7")
    assert [r["id"] for r in shorter["unacknowledged"]] == [old, fresh]


def test_worklist_lists_patients_in_the_12_to_16_week_window(
    client: TestClient, keys: dict[str, str]
) -> None:
    key = keys["clinician"]
    weeks = {
        "too_recent": TODAY - dt.timedelta(weeks=12) + dt.timedelta(days=1),
        "starts": TODAY - dt.timedelta(weeks=12),
        "ends": TODAY - dt.timedelta(weeks=16),
        "too_old": TODAY - dt.timedelta(weeks=16) - dt.timedelta(days=1),
    }
    ids = {name: _create(client, key, procedure_date=day) for name, day in weeks.items()}
    cancelled = _create(client, key, procedure_date=weeks["starts"])
    _move(client, key, cancelled, "cancelled")
    due = _worklist(client, keys["coordinator"])
    assert [r["id"] for r in due["follow_up_due"]] == [ids["ends"], ids["starts"]]
    assert due["follow_up_due_total"] == 2
    assert due["follow_up_window_weeks"] == [12, 16]


@pytest.mark.parametrize("days", [0, 366])
def test_worklist_days_out_of_range_is_422(client: TestClient, keys: dict[str, str], days: int) -> None:
    response = client.get(f"/v1/worklist?days={days}", headers=bearer(keys["coordinator"]))
    assert response.status_code == 422
