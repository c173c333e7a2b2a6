"""Every CDS call needs a valid signed JWT: each rejection, both algorithms, jku allow-list and cache."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import jwt
import pytest
from fastapi.testclient import TestClient

from api.cds.jwks import JwksSource
from api.cds.replay import ReplayCache
from api.cds.settings import CdsClient, CdsSettings
from api.context import context_of
from api.db.engine import Database
from api.errors import TooManyRequests
from risk.errors import NotAuthenticated
from tests.api.cds.conftest import FakeRemote, cds_app
from tests.api.cds.keys import BASE_URL, EC_ISS, RSA_ISS, RSA_JKU, Signer, ec_signer

DISCOVERY = "/cds-services"


def _get(client: TestClient, token: str | None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return client.get(DISCOVERY, headers=headers)


def _rejected(client: TestClient, token: str | None, words: str) -> None:
    response = _get(client, token)
    assert response.status_code == 401, response.text
    assert response.json()["error"]["code"] == "not_authenticated"
    assert words in response.json()["error"]["message"]


def test_es384_with_inline_jwks_is_accepted(client: TestClient, ec: Signer) -> None:
    assert _get(client, ec.token(DISCOVERY)).status_code == 200


def test_rs384_with_allow_listed_jku_is_accepted_and_the_set_is_cached(
    client: TestClient, rsa: Signer, remote: FakeRemote
) -> None:
    for _ in range(3):
        assert _get(client, rsa.token(DISCOVERY)).status_code == 200
    assert remote.urls() == [RSA_JKU]


def test_missing_header_is_rejected(client: TestClient) -> None:
    _rejected(client, None, "missing CDS Hooks JWT")


def test_alg_none_is_rejected(client: TestClient, ec: Signer) -> None:
    now = int(time.time())
    claims = {"iss": EC_ISS, "aud": BASE_URL + DISCOVERY, "exp": now + 300, "iat": now, "jti": "n-1"}
    unsigned = jwt.encode(claims, "", algorithm="none", headers={"kid": ec.kid, "typ": "JWT"})
    _rejected(client, unsigned, "alg 'none' refused")


def test_hs256_is_rejected(client: TestClient, ec: Signer) -> None:
    now = int(time.time())
    claims = {"iss": EC_ISS, "aud": BASE_URL + DISCOVERY, "exp": now + 300, "iat": now, "jti": "h-1"}
    token = jwt.encode(claims, "a-shared-secret-of-32-bytes-len!", algorithm="HS256", headers={"kid": ec.kid})
    _rejected(client, token, "alg 'HS256' refused")


def test_es256_is_rejected(client: TestClient) -> None:
    from cryptography.hazmat.primitives.asymmetric import ec as ec_keys  # noqa: PLC0415

    other = Signer(EC_ISS, "ec-1", "ES256", ec_keys.generate_private_key(ec_keys.SECP256R1()))
    _rejected(client, other.token(DISCOVERY), "alg 'ES256' refused")


def test_unknown_issuer_is_rejected(client: TestClient, ec: Signer) -> None:
    _rejected(client, ec.token(DISCOVERY, iss="https://evil.example.com"), "not an allow-listed")


def test_jku_not_matching_the_allow_list_is_rejected_without_fetching(
    client: TestClient, rsa: Signer, remote: FakeRemote
) -> None:
    token = rsa.token(DISCOVERY, header={"jku": "https://evil.example.com/jwks.json"})
    _rejected(client, token, "jku does not match")
    assert remote.seen == []


def test_jku_on_a_client_with_inline_keys_is_rejected(client: TestClient, ec: Signer) -> None:
    _rejected(client, ec.token(DISCOVERY, header={"jku": RSA_JKU}), "jku does not match")


@pytest.mark.parametrize(
    "aud",
    [BASE_URL, BASE_URL + "/cds-services/other", "http://osteoref.example.test/cds-services", None],
)
def test_wrong_or_missing_audience_is_rejected(client: TestClient, ec: Signer, aud: str | None) -> None:
    _rejected(client, ec.token(DISCOVERY, aud=aud), "JWT rejected")


def test_expired_token_is_rejected(client: TestClient, ec: Signer) -> None:
    now = int(time.time())
    _rejected(client, ec.token(DISCOVERY, iat=now - 600, exp=now - 120), "ExpiredSignatureError")


def test_token_without_jti_is_rejected(client: TestClient, ec: Signer) -> None:
    _rejected(client, ec.token(DISCOVERY, jti=None), "jti")


def test_token_issued_in_the_future_is_rejected(client: TestClient, ec: Signer) -> None:
    _rejected(client, ec.token(DISCOVERY, iat=int(time.time()) + 3600), "ImmatureSignatureError")


def test_replayed_jti_is_rejected(client: TestClient, ec: Signer) -> None:
    token = ec.token(DISCOVERY)
    assert _get(client, token).status_code == 200
    _rejected(client, token, "replayed")


def test_signature_of_another_key_is_rejected(client: TestClient) -> None:
    impostor = ec_signer()  # same iss and kid, different private key
    _rejected(client, impostor.token(DISCOVERY), "InvalidSignatureError")


def test_tampered_payload_is_rejected(client: TestClient, ec: Signer) -> None:
    header, _payload, signature = ec.token(DISCOVERY).split(".")
    other_payload = ec.token(DISCOVERY).split(".")[1]
    _rejected(client, f"{header}.{other_payload}.{signature}", "InvalidSignatureError")


def test_unknown_kid_is_rejected(client: TestClient, ec: Signer) -> None:
    _rejected(client, ec.token(DISCOVERY, header={"kid": "nope"}), "no key with kid")


def test_unknown_kids_do_not_download_the_jwk_set_per_request(
    client: TestClient, rsa: Signer, remote: FakeRemote
) -> None:
    for n in range(5):
        _rejected(client, rsa.token(DISCOVERY, header={"kid": f"made-up-{n}"}), "no key with kid")
    assert remote.urls() == [RSA_JKU]  # the first read; no re-read within the throttle


def test_an_unknown_kid_rereads_the_set_once_the_throttle_has_passed(rsa: Signer, remote: FakeRemote) -> None:
    now = [1000.0]
    source = JwksSource(
        timeout_seconds=1,
        cache_seconds=3600,
        refetch_seconds=60,
        transport=httpx.MockTransport(remote.handle),
        clock=lambda: now[0],
    )
    client = CdsClient(iss=RSA_ISS, jku=RSA_JKU)
    asyncio.run(source.key(client, "rsa-1"))
    for seconds_later, reads in ((59.0, 1), (60.0, 2), (61.0, 2)):
        now[0] = 1000.0 + seconds_later
        with pytest.raises(NotAuthenticated, match="no key with kid"):
            asyncio.run(source.key(client, "rotated"))
        assert len(remote.seen) == reads, seconds_later


def test_unreachable_jku_is_rejected(client: TestClient, rsa: Signer, remote: FakeRemote) -> None:
    remote.pages.clear()
    _rejected(client, rsa.token(DISCOVERY), "could not be read")


def test_garbage_token_is_rejected(client: TestClient) -> None:
    _rejected(client, "not-a-jwt", "malformed JWT")


def test_hook_and_feedback_endpoints_need_the_jwt_too(client: TestClient) -> None:
    for path in ("/cds-services/osteoref-refracture-risk", "/cds-services/osteoref-refracture-risk/feedback"):
        assert client.post(path, json={}).status_code == 401


def test_token_for_discovery_is_not_accepted_by_a_hook(client: TestClient, ec: Signer) -> None:
    path = "/cds-services/osteoref-refracture-risk"
    response = client.post(path, json={}, headers={"Authorization": f"Bearer {ec.token(DISCOVERY)}"})
    assert response.status_code == 401


def test_replay_cache_forgets_expired_entries() -> None:
    now = [1000.0]
    cache = ReplayCache(clock=lambda: now[0], max_entries=1)
    assert cache.seen_before("iss", "a", exp=1010) is False
    assert cache.seen_before("iss", "a", exp=1010) is True
    now[0] = 1020.0
    assert cache.seen_before("iss", "b", exp=1030) is False  # full: purges "a"
    assert len(cache) == 1
    with pytest.raises(TooManyRequests):  # full of unexpired entries: refused, nothing forgotten
        cache.seen_before("iss", "a", exp=1030)
    now[0] = 1031.0
    assert cache.seen_before("iss", "a", exp=1040) is False


def test_a_client_needs_exactly_one_key_source() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        CdsClient(iss="x")
    with pytest.raises(ValueError, match="exactly one"):
        CdsClient(iss="x", jwks={"keys": []}, jku="https://x/jwks")


def test_aud_as_an_array_holding_the_endpoint_is_accepted(client: TestClient, ec: Signer) -> None:
    assert _get(client, ec.token(DISCOVERY, aud=[BASE_URL + DISCOVERY])).status_code == 200
    assert (
        _get(client, ec.token(DISCOVERY, aud=["https://other.example", BASE_URL + DISCOVERY])).status_code
        == 200
    )
    _rejected(client, ec.token(DISCOVERY, aud=[BASE_URL + "/cds-services/x"]), "JWT rejected")


@pytest.mark.parametrize(("lifetime", "accepted"), [(330, True), (331, False), (10 * 365 * 86400, False)])
def test_token_lifetime_is_at_most_five_minutes_plus_leeway(
    client: TestClient, ec: Signer, lifetime: int, accepted: bool
) -> None:
    now = int(time.time())
    token = ec.token(DISCOVERY, iat=now, exp=now + lifetime)
    if accepted:
        assert _get(client, token).status_code == 200
    else:
        _rejected(client, token, "lifetime")


def test_a_full_replay_cache_refuses_rather_than_forgets() -> None:
    cache = ReplayCache(clock=lambda: 1000.0, max_entries=2)
    assert cache.seen_before("iss", "a", exp=2000) is False
    assert cache.seen_before("iss", "b", exp=2000) is False
    with pytest.raises(TooManyRequests):
        cache.seen_before("iss", "c", exp=2000)
    assert cache.seen_before("iss", "a", exp=2000) is True


def test_cds_errors_repeat_no_access_token(client: TestClient, ec: Signer) -> None:
    path = "/cds-services/osteoref-refracture-risk"
    body = {"hook": "patient-view", "hookInstance": "x", "fhirAuthorization": {"access_token": "SECRET-tok"}}
    response = client.post(path, json=body, headers=ec.bearer(path))
    assert response.status_code == 422
    assert "SECRET-tok" not in response.text
    assert all(d["value"] is None for d in response.json()["error"]["details"])


def test_a_hook_body_is_not_read_before_the_jwt_is_checked(client: TestClient) -> None:
    path = "/cds-services/osteoref-refracture-risk"
    assert client.post(path, content=b"{not json").status_code == 401


def test_cors_answers_allow_listed_origins_on_cds_paths_only(
    cds_settings: CdsSettings, remote: FakeRemote, database: Database
) -> None:
    allowed_origins = cds_settings.model_copy(update={"cds_cors_origins": ["https://ehr.example.org"]})
    app = cds_app(allowed_origins, remote, database)
    with TestClient(app, base_url=BASE_URL) as browser:
        assert context_of(browser).cds.settings.cds_cors_origins
        preflight = {"Origin": "https://ehr.example.org", "Access-Control-Request-Method": "POST",
                     "Access-Control-Request-Headers": "authorization,content-type"}  # fmt: skip
        allowed = browser.options("/cds-services/osteoref-refracture-risk", headers=preflight)
        assert allowed.headers["access-control-allow-origin"] == "https://ehr.example.org"
        other = browser.options(DISCOVERY, headers=preflight | {"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers
        rest = browser.get("/health", headers={"Origin": "https://ehr.example.org"})
        assert "access-control-allow-origin" not in rest.headers
