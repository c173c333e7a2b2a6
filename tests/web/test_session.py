"""Sign-in, sign-out, the session cookie's attributes, CSRF rejection and role checks."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.auth.principal import revoke_key
from api.db import keys_repo
from api.db.engine import Database
from api.web.session import COOKIE_NAME, CSRF_FIELD
from tests.web.conftest import csrf_of, sign_in


def test_sign_in_page_sets_a_secure_http_only_strict_cookie(client: TestClient) -> None:
    response = client.get("/web/sign-in")
    assert response.status_code == 200
    cookie = response.headers["set-cookie"].lower()
    for attribute in ("httponly", "secure", "samesite=strict", "path=/web"):
        assert attribute in cookie
    assert 'type="password"' in response.text


def test_unknown_key_is_refused_next_to_the_field(client: TestClient) -> None:
    token = csrf_of(client.get("/web/sign-in").text)
    response = client.post("/web/sign-in", data={"api_key": "osr_deadbeef_nope", CSRF_FIELD: token})
    assert response.status_code == 401
    assert 'id="api_key-error"' in response.text
    assert "not valid" in response.text


def test_clinician_signs_in_to_the_assessment_form_and_out_again(
    client: TestClient, keys: dict[str, str]
) -> None:
    token = sign_in(client, keys["clinician"])
    assert client.get("/web/assess").status_code == 200
    response = client.post("/web/sign-out", data={CSRF_FIELD: token})
    assert response.status_code == 303
    assert response.headers["location"] == "/web/sign-in"
    assert COOKIE_NAME not in client.cookies
    assert client.get("/web/assess").headers["location"] == "/web/sign-in"


def test_pages_need_a_session(client: TestClient) -> None:
    for path in ("/web/assess", "/web/worklist", "/web"):
        response = client.get(path)
        assert response.status_code == 303
        assert response.headers["location"] == "/web/sign-in"


def test_coordinator_starts_on_the_worklist_and_may_not_assess(
    client: TestClient, keys: dict[str, str]
) -> None:
    sign_in(client, keys["coordinator"])
    assert client.get("/web").headers["location"] == "/web/worklist"
    response = client.get("/web/assess")
    assert response.status_code == 403
    assert "may not" in response.text


def test_clinician_may_not_open_the_worklist(client: TestClient, keys: dict[str, str]) -> None:
    sign_in(client, keys["clinician"])
    assert client.get("/web/worklist").status_code == 403


def test_post_without_csrf_token_is_rejected(client: TestClient, keys: dict[str, str]) -> None:
    sign_in(client, keys["clinician"])
    for path in ("/web/assess", "/web/sign-out", "/web/referrals"):
        response = client.post(path, data={"patient_id": "X"})
        assert response.status_code == 403, path
        assert "expired or did not come from this site" in response.text


def test_post_with_a_wrong_csrf_token_is_rejected(client: TestClient, keys: dict[str, str]) -> None:
    token = sign_in(client, keys["clinician"])
    response = client.post("/web/sign-out", data={CSRF_FIELD: token[:-2] + "xx"})
    assert response.status_code == 403
    assert client.get("/web/assess").status_code == 200  # still signed in


def test_sign_in_itself_needs_the_csrf_token(client: TestClient, keys: dict[str, str]) -> None:
    client.get("/web/sign-in")
    response = client.post("/web/sign-in", data={"api_key": keys["clinician"]})
    assert response.status_code == 403


def test_token_of_another_session_is_rejected(client: TestClient, keys: dict[str, str]) -> None:
    other = csrf_of(client.get("/web/sign-in").text)
    client.cookies.clear()
    sign_in(client, keys["clinician"])
    assert client.post("/web/sign-out", data={CSRF_FIELD: other}).status_code == 403


def test_new_csrf_token_after_sign_in(client: TestClient, keys: dict[str, str]) -> None:
    before = csrf_of(client.get("/web/sign-in").text)
    after = sign_in(client, keys["clinician"])
    assert before != after


def test_tampered_cookie_is_no_session(client: TestClient, keys: dict[str, str]) -> None:
    sign_in(client, keys["clinician"])
    value = client.cookies[COOKIE_NAME]
    client.cookies.clear()
    client.cookies.set(COOKIE_NAME, value[:-3] + "abc")
    assert client.get("/web/assess").status_code == 303
    client.cookies.clear()
    client.cookies.set(COOKIE_NAME, value)
    assert client.get("/web/assess").status_code == 200


def test_revoked_key_ends_the_session(client: TestClient, keys: dict[str, str], database_url: str) -> None:
    sign_in(client, keys["clinician"])
    database = Database.connect(database_url)
    with database.reader() as session:
        key_id = next(k.id for k in keys_repo.list_keys(session) if k.role == "clinician")
    revoke_key(database, key_id, None)
    database.dispose()
    assert client.get("/web/assess").headers["location"] == "/web/sign-in"


def test_coordinator_search_needs_the_csrf_token(client: TestClient, keys: dict[str, str]) -> None:
    sign_in(client, keys["coordinator"])
    assert client.post("/web/worklist/search", data={"patient_id": "X"}).status_code == 403


def test_the_cookie_holds_no_api_key(client: TestClient, keys: dict[str, str]) -> None:
    sign_in(client, keys["clinician"])
    value = client.cookies[COOKIE_NAME]
    secret = keys["clinician"].split("_", 2)[2]
    assert secret not in value
    import base64  # noqa: PLC0415

    payload = value.split(".")[0]
    decoded = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    assert secret.encode() not in decoded and b"osr_" not in decoded


def test_a_cookie_copied_before_sign_out_no_longer_works(client: TestClient, keys: dict[str, str]) -> None:
    token = sign_in(client, keys["clinician"])
    copied = client.cookies[COOKIE_NAME]
    assert client.post("/web/sign-out", data={CSRF_FIELD: token}).status_code == 303
    client.cookies.set(COOKIE_NAME, copied, path="/web")
    assert client.get("/web/assess").headers["location"] == "/web/sign-in"


def test_sign_in_failures_are_rate_limited(client: TestClient) -> None:
    token = csrf_of(client.get("/web/sign-in").text)
    statuses = [
        client.post("/web/sign-in", data={"api_key": "osr_deadbeef_nope", CSRF_FIELD: token}).status_code
        for _ in range(31)
    ]
    assert statuses == [401] * 30 + [429]
