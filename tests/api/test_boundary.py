"""Every bad-input class on every JSON endpoint: a 4xx naming the place, never a 5xx.

The classes and statuses are one table (``BAD_BODIES``, ``BAD_QUERIES``); docs/security.md
prints the same table and a test keeps the two equal.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.errors import ECHO_MAX
from api.settings import Settings
from tests.api.referrals.factories import referral_body
from tests.conftest import clinician_client

DOCS = Path(__file__).resolve().parents[2] / "docs" / "security.md"
LIMIT = 64 * 1024
X = '"__X__"'

# (class, the JSON text put in place of one value, expected status)
BAD_BODIES: list[tuple[str, str, int]] = [
    ("NaN", "NaN", 400),
    ("Infinity", "Infinity", 400),
    ("-Infinity", "-Infinity", 400),
    ("number beyond a double (1e400)", "1e400", 400),
    ("integer 2^64", "18446744073709551616", 422),
    ("integer 2^63", "9223372036854775808", 422),
    ("nesting deeper than 64 levels", "[" * 64 + "]" * 64, 422),
    ("nesting deeper than 1,024 levels (5,000)", "[" * 4999 + "]" * 4999, 400),
    ("duplicate key", '{"a": 1, "a": 2}', 422),
    ("NUL in a string", '"Dr \\u0000 Who"', 422),
    ("NUL in a key", '{"a\\u0000": 1}', 422),
    ("lone surrogate", '"\\ud800"', 400),
    ("truncated JSON", "[", 400),
    ("string of 60,000 characters", '"' + "x" * 60_000 + '"', 422),
]
CONTRACT_CLASS = "string of 60,000 characters"  # a contract rule, not the policy: batch judges it per record
BAD_QUERIES: list[tuple[str, str, str, int]] = [
    ("NUL in a query parameter", "/v1/referrals", "status=%00", 422),
    ("offset 2^63", "/v1/referrals", "offset=9223372036854775808", 422),
    ("offset 2^31 (bound 2^31 − 1)", "/v1/referrals", "offset=2147483648", 422),
    ("created_to 9999-12-31", "/v1/referrals", "created_to=9999-12-31", 422),
    ("actor_key_id 2^63", "/v1/audit", "actor_key_id=9223372036854775808", 422),
    ("from 9999-12-31T23:00-23:00 (no UTC equivalent)", "/v1/audit", "from=9999-12-31T23:00:00-23:00", 422),
    ("NUL in the path", "/v1/referrals/%00", "", 422),
]


def _record(placeholder: str) -> dict[str, Any]:
    return {**referral_body()["patient"], "given_name": placeholder}


def _bodies(rid: str) -> dict[str, str]:
    """Each JSON endpoint and a valid body with one value replaced by ``"__X__"``."""
    referral = referral_body()
    referral["pcp"]["name"] = "__X__"
    return {
        "/v1/assessments": json.dumps(_record("__X__")),
        "/v1/assessments/batch": json.dumps({"records": [_record("__X__")]}),
        "/v1/referrals": json.dumps(referral),
        f"/v1/referrals/{rid}/transitions": json.dumps({"to": "sent", "reason": "__X__"}),
        # In a field the mapping reads (an unread field, e.g. Bundle.id, is tolerated by design).
        "/fhir/$assess": json.dumps(
            {
                "resourceType": "Bundle",
                "type": "collection",
                "entry": [{"resource": {"resourceType": "Patient", "id": "p1", "birthDate": "__X__"}}],
            }
        ),
    }


@pytest.fixture(scope="module")
def boundary_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    folder = tmp_path_factory.mktemp("boundary")
    settings = Settings(database_url=f"sqlite:///{folder / 'b.db'}", max_body_bytes=LIMIT)
    with clinician_client(settings) as client:
        yield client


@pytest.fixture(scope="module")
def rid(boundary_client: TestClient) -> str:
    response = boundary_client.post("/v1/referrals", json=referral_body())
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _assert_safe_error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text[:500]
    assert len(response.content) < 8 * ECHO_MAX * 20, "an error echoed too much"
    body: dict[str, Any] = response.json()
    for detail in body["error"]["details"]:
        assert detail["field"], body
        value = detail["value"]
        assert not isinstance(value, str) or len(value) <= ECHO_MAX + 1
    return body


@pytest.mark.parametrize(("name", "fragment", "status"), BAD_BODIES, ids=[b[0] for b in BAD_BODIES])
def test_bad_bodies_get_a_4xx_naming_the_place_on_every_json_endpoint(
    boundary_client: TestClient, rid: str, name: str, fragment: str, status: int
) -> None:
    for path, template in _bodies(rid).items():
        raw = template.replace(X, fragment, 1)
        response = boundary_client.post(path, content=raw, headers={"Content-Type": "application/json"})
        if path.endswith("/batch") and name == CONTRACT_CLASS:  # a record's own error, in a 200
            errors = response.json()["results"][0]["errors"]
            assert response.status_code == 200
            assert len(errors[0]["value"]) == ECHO_MAX + 1
            continue
        body = _assert_safe_error(response, status)
        if status == 422 and name != CONTRACT_CLASS:
            assert any(d["field"].startswith("/") for d in body["error"]["details"]), (path, body)


def test_a_body_over_the_cap_is_413_from_its_content_length(boundary_client: TestClient, rid: str) -> None:
    for path in _bodies(rid):
        raw = b'{"pad": "' + b"x" * LIMIT + b'"}'
        _assert_safe_error(boundary_client.post(path, content=raw), 413)


def test_a_chunked_body_over_the_cap_is_413_while_it_is_read(boundary_client: TestClient, rid: str) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"pad": "'
        for _ in range(LIMIT // 1024 + 2):
            yield b"x" * 1024
        yield b'"}'

    for path in _bodies(rid):
        _assert_safe_error(boundary_client.post(path, content=chunks()), 413)


def test_a_body_just_under_the_cap_is_read(boundary_client: TestClient) -> None:
    record = _record("Ada") | {"family_name": "L"}
    raw = json.dumps(record).encode()
    raw = raw[:-1] + b" " * (LIMIT - len(raw)) + b"}"
    assert len(raw) == LIMIT
    assert boundary_client.post("/v1/assessments", content=raw).status_code == 200


@pytest.mark.parametrize(("name", "path", "query", "status"), BAD_QUERIES, ids=[q[0] for q in BAD_QUERIES])
def test_bad_queries_get_a_4xx(
    boundary_client: TestClient, admin_key: str, name: str, path: str, query: str, status: int
) -> None:
    url = f"{path}?{query}" if query else path
    _assert_safe_error(boundary_client.get(url, headers={"Authorization": f"Bearer {admin_key}"}), status)


@pytest.fixture(scope="module")
def admin_key(boundary_client: TestClient) -> str:
    from api.auth.principal import create_key  # noqa: PLC0415
    from api.context import context_of  # noqa: PLC0415

    return create_key(context_of(boundary_client).database, "admin", "boundary", None)


def docs_rows() -> list[str]:
    """The bad-input table as docs/security.md prints it."""
    rows = [f"| {name} | request body | {status} |" for name, _, status in BAD_BODIES]
    rows += ["| body over `OSTEOREF_MAX_BODY_BYTES` (Content-Length or chunked) | request body | 413 |"]
    rows += [f"| {name} | `{path}` | {status} |" for name, path, _, status in BAD_QUERIES]
    return rows


def test_docs_print_the_same_table() -> None:
    text = DOCS.read_text(encoding="utf-8")
    table = [line for line in text.splitlines() if re.match(r"^\| .+ \| .+ \| \d{3} \|$", line)]
    assert table == docs_rows()


def test_next_links_use_the_public_base_url_not_the_host_header(
    boundary_client: TestClient, rid: str
) -> None:
    boundary_client.post("/v1/referrals", json=referral_body("P-002"))
    page = boundary_client.get("/v1/referrals?limit=1", headers={"Host": "evil.example"}).json()
    assert page["next"] == "http://127.0.0.1:8000/v1/referrals?limit=1&offset=1"


def test_letters_and_every_html_answer_carry_csp_and_nosniff(boundary_client: TestClient, rid: str) -> None:
    letter = boundary_client.get(f"/v1/referrals/{rid}/letter.html")
    assert letter.headers["content-security-policy"].startswith("default-src 'none'")
    assert letter.headers["x-content-type-options"] == "nosniff"
    docs_policy = boundary_client.get("/docs").headers["content-security-policy"]
    assert "script-src 'self' 'unsafe-inline'" in docs_policy
    assert "http" not in docs_policy  # the docs' assets are served here: no other origin is allowed
    assert boundary_client.get("/health").headers["x-content-type-options"] == "nosniff"


def test_idempotency_keys_belong_to_the_api_key_that_sent_them(
    boundary_client: TestClient, admin_key: str
) -> None:
    headers = {"Idempotency-Key": "shared-key-1"}
    mine = boundary_client.post("/v1/referrals", json=referral_body("P-010"), headers=headers)
    theirs = boundary_client.post(
        "/v1/referrals",
        json=referral_body("P-011"),
        headers=headers | {"Authorization": f"Bearer {admin_key}"},
    )
    again = boundary_client.post("/v1/referrals", json=referral_body("P-010"), headers=headers)
    assert (mine.status_code, theirs.status_code, again.status_code) == (201, 201, 200)
    assert theirs.json()["id"] != mine.json()["id"] == again.json()["id"]
