"""A real server's whole output (structlog, uvicorn, SQLAlchemy, tracebacks) after every error class
holds none of the identifiers, names or tokens the requests carried.

Runs on SQLite and on PostgreSQL (where a NUL used to reach the database and its error printed
the statement's parameters).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest

from api.auth.principal import create_key
from api.db.engine import Database
from tests.api.cds.keys import BASE_URL, EC_ISS, ec_signer
from tests.api.db.backends import backend, database, empty_database
from tests.api.served import served

__all__ = ["backend", "database", "empty_database"]

PATIENT_ID = "PZ-SECRET-7731"
GIVEN, FAMILY = "Zelphinavar", "Quarringtonish"
PCP = "Dr Hortensiaqua Vexleyworth"
ACCESS_TOKEN = "tok-SECRET-9f3e71"
SECRETS = (PATIENT_ID, GIVEN, FAMILY, PCP, ACCESS_TOKEN)


def _referral(**pcp: Any) -> dict[str, Any]:
    return {
        "patient": {
            "patient_id": PATIENT_ID,
            "given_name": GIVEN,
            "family_name": FAMILY,
            "age_years": 72,
            "sex": "female",
            "assessment_date": "2025-02-01",
            "procedure_date": "2025-01-10",
            "treated_levels": ["L1"],
            "prior_fragility_fractures": 1,
        },
        "pcp": {"name": PCP, **pcp},
        "referrer": {"name": "Dr R"},
    }


def _hook() -> dict[str, Any]:
    patient = {"resourceType": "Patient", "id": PATIENT_ID, "name": [{"family": FAMILY, "given": [GIVEN]}]}
    return {
        "hook": "patient-view",
        "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
        "fhirServer": "http://127.0.0.1:9/fhir",  # never read: every prefetch key is given
        "fhirAuthorization": {"access_token": ACCESS_TOKEN, "token_type": "Bearer", "subject": "x"},
        "context": {"userId": "Practitioner/1", "patientId": PATIENT_ID},
        "prefetch": {"patient": patient}
        | dict.fromkeys(("observations", "conditions", "procedures", "medications")),
    }


def _drive(http: httpx.Client, key: str) -> list[int]:
    """Every error class of issue 13 (and a success), each carrying the identifiers."""
    referral = json.dumps(_referral())
    statuses = []
    bad_bodies = [
        ("/v1/referrals", referral.replace('"age_years": 72', '"age_years": NaN')),
        ("/v1/referrals", referral.replace('"age_years": 72', '"age_years": 1e400')),
        (
            "/v1/referrals",
            referral.replace('"prior_fragility_fractures": 1', '"prior_fragility_fractures": 1, "sex": "x"'),
        ),
        ("/v1/referrals", json.dumps(_referral(practice=f"{PCP}\u0000"))),
        ("/v1/referrals", json.dumps(_referral()).replace('"sex": "female"', '"sex": "' + PATIENT_ID + '"')),
        ("/v1/assessments", json.dumps(_referral()["patient"] | {"t_score_total_hip": -9})),
        (
            "/v1/assessments/batch",
            json.dumps({"records": [_referral()["patient"] | {"falls_last_12_months": 2**64}]}),
        ),
        ("/fhir/$assess", "[" * 5000 + json.dumps(_referral()) + "]" * 5000),
        ("/v1/referrals", json.dumps(_referral()) + " " * 70_000),  # over the 64 KiB cap
        ("/test/crash", f"boom {PATIENT_ID} {GIVEN}"),
        ("/test/crash", f"sql:{PATIENT_ID} {FAMILY}"),
        ("/v1/referrals", referral),  # and a success
    ]
    for path, body in bad_bodies:
        headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        statuses.append(http.post(path, content=body.encode(), headers=headers).status_code)
    for query in (f"offset={2**63}", f"actor_key_id={2**63}&target_id={PATIENT_ID}", "status=%00"):
        statuses.append(
            http.get(f"/v1/audit?{query}", headers={"Authorization": f"Bearer {key}"}).status_code
        )
    for _ in range(3):
        statuses.append(
            http.get("/v1/referrals", headers={"Authorization": f"Bearer osr_{PATIENT_ID}_x"}).status_code
        )
    return statuses


def _drive_cds(http: httpx.Client, signer: Any) -> list[int]:
    path = "/cds-services/osteoref-refracture-risk"
    good, broken = _hook(), _hook() | {"context": {"userId": GIVEN}}
    statuses = []
    for body in (
        good,
        broken,
        {**good, "prefetch": {"patient": {"resourceType": "Patient", "birthDate": GIVEN}}},
    ):
        headers = signer.bearer(path) | {"Content-Type": "application/json"}
        statuses.append(http.post(path, content=json.dumps(body).encode(), headers=headers).status_code)
    return statuses


@pytest.mark.slow
def test_no_identifier_reaches_the_log_on_any_path(database: Database, tmp_path: Path) -> None:
    url = database.engine.url.render_as_string(hide_password=False)
    key = create_key(database, "admin", "log test", None)
    signer = ec_signer()
    clients = [{"iss": EC_ISS, "jwks": {"keys": [signer.public_jwk()]}}]
    env = {
        "OSTEOREF_DATABASE_URL": url,
        "OSTEOREF_LOG_JSON": "true",
        "OSTEOREF_MAX_BODY_BYTES": str(64 * 1024),
        "OSTEOREF_PUBLIC_BASE_URL": BASE_URL,
        "OSTEOREF_CDS_CLIENTS": json.dumps(clients),
    }
    log_path = tmp_path / "server.log"
    with served(env, log_path) as base, httpx.Client(base_url=base, timeout=30) as http:
        statuses = _drive(http, key) + _drive_cds(http, signer)
    log = log_path.read_text(encoding="utf-8", errors="replace")
    assert statuses[:12] == [400, 400, 422, 422, 422, 422, 422, 400, 413, 500, 500, 201], statuses
    assert 500 not in statuses[12:], statuses
    assert '"event": "unhandled_error"' in log.replace('":"', '": "')  # the crashes were logged...
    assert "Traceback" not in log  # ...by type, without a traceback
    for secret in SECRETS:
        assert secret not in log, f"{secret!r} is in the server log"
