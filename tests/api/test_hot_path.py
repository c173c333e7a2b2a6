"""The fast-route pieces (bearer header, body read) and the frozen start-up heap behave."""

from __future__ import annotations

import asyncio
import gc
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.requests import ClientDisconnect, Request

from api.auth.deps import bearer_key
from api.auth.permissions import ACTIONS, PERMISSIONS, ROLES, is_allowed
from api.fast_route import read_body
from api.main import create_app
from api.settings import Settings
from tests.conftest import UnusedPdfRenderer


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ([(b"authorization", b"Bearer osr_abc")], "osr_abc"),
        ([(b"authorization", b"bearer osr_abc")], "osr_abc"),  # the scheme is case-insensitive
        ([(b"host", b"x"), (b"authorization", b"BEARER osr_abc")], "osr_abc"),
        ([(b"authorization", b"Basic dXNlcjpwdw==")], None),
        ([(b"authorization", b"Bearer ")], None),
        ([(b"authorization", b"Bearer")], None),
        ([(b"authorization", b"osr_abc")], None),
        ([(b"host", b"x")], None),
        ([], None),
    ],
)
def test_bearer_key_reads_only_a_bearer_authorization(
    headers: list[tuple[bytes, bytes]], expected: str | None
) -> None:
    assert bearer_key(headers) == expected


def test_is_allowed_is_exactly_the_permission_table() -> None:
    for role in ROLES:
        for action in ACTIONS:
            assert is_allowed(role, action) == (action in PERMISSIONS[role])
    assert not is_allowed("nobody", "assessments:score")


def _request_receiving(messages: list[dict[str, Any]]) -> Request:
    queue = list(messages)

    async def receive() -> dict[str, Any]:
        return queue.pop(0)

    return Request({"type": "http", "method": "POST", "headers": []}, receive)


def test_a_body_sent_in_many_chunks_is_read_whole() -> None:
    body = b'{"patient_id": "P-0001"}'
    chunks = [body[i : i + 5] for i in range(0, len(body), 5)]
    messages = [{"type": "http.request", "body": c, "more_body": True} for c in chunks]
    messages.append({"type": "http.request", "body": b"", "more_body": False})
    assert asyncio.run(read_body(_request_receiving(messages))) == body


def test_a_client_that_leaves_mid_body_is_a_disconnect() -> None:
    messages: list[dict[str, Any]] = [
        {"type": "http.request", "body": b"{", "more_body": True},
        {"type": "http.disconnect"},
    ]
    with pytest.raises(ClientDisconnect):
        asyncio.run(read_body(_request_receiving(messages)))


def test_the_scoring_route_reads_the_body_it_was_sent(client: TestClient, record: dict[str, Any]) -> None:
    body = json.dumps(record).encode()
    response = client.post("/v1/assessments", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 200
    assert response.json()["patient_id"] == record["patient_id"]


def test_an_empty_body_is_a_malformed_json_400(client: TestClient) -> None:
    response = client.post("/v1/assessments", content=b"", headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_json"


def test_start_up_freezes_the_heap_and_shutdown_unfreezes_it(settings: Settings) -> None:
    app = create_app(settings, pdf_renderer=UnusedPdfRenderer())
    assert gc.get_freeze_count() == 0
    with TestClient(app):
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0


def test_start_up_turns_back_on_the_gc_that_serve_paused_for_the_import(settings: Settings) -> None:
    app = create_app(settings, pdf_renderer=UnusedPdfRenderer())
    gc.disable()  # as `osteoref serve` does before uvicorn imports api.main
    try:
        with TestClient(app):
            assert gc.isenabled()
    finally:
        gc.enable()
