"""Request bodies and keys for referral tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from api.auth.permissions import ROLES
from api.auth.principal import create_key
from api.db.engine import Database

GIVEN_NAME = "Zebulon"
FAMILY_NAME = "Quartermaine"
PCP_NAME = "Dr Philippa Pemberton"
REFERRER_NAME = "Dr Rowena Ravensworth"
NAMES = (GIVEN_NAME, FAMILY_NAME, PCP_NAME, REFERRER_NAME)


def referral_body(
    patient_id: str = "P-001",
    *,
    prior_fractures: int = 0,
    procedure_date: dt.date = dt.date(2025, 1, 10),
) -> dict[str, Any]:
    """A valid POST /v1/referrals body (JSON-ready)."""
    assessment_date = max(procedure_date, dt.date(2025, 2, 1))
    return {
        "patient": {
            "patient_id": patient_id,
            "given_name": GIVEN_NAME,
            "family_name": FAMILY_NAME,
            "age_years": 72,
            "sex": "female",
            "assessment_date": assessment_date.isoformat(),
            "procedure_date": procedure_date.isoformat(),
            "treated_levels": ["L1"],
            "prior_fragility_fractures": prior_fractures,
        },
        "pcp": {"name": PCP_NAME, "practice": "Elm Street Surgery", "address": ["1 Elm St"]},
        "referrer": {"name": REFERRER_NAME, "role": "Spine surgeon"},
    }


def role_keys(database: Database) -> dict[str, str]:
    """One key per role, plaintext by role name."""
    return {role: create_key(database, role, f"test {role}", actor=None) for role in ROLES}


def bearer(key: str) -> dict[str, str]:
    """The Authorization header for ``key``."""
    return {"Authorization": f"Bearer {key}"}
