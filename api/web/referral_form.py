"""The referral form (patient names, PCP, referrer) ↔ the referral service's ReferralCreate body."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

from api.referrals.schemas import ReferralCreate
from api.settings import Settings
from api.web.form_parse import field_message
from risk.contract import PatientRecord

TEXT_FIELDS: tuple[str, ...] = (
    "given_name",
    "family_name",
    "pcp_name",
    "pcp_practice",
    "pcp_address",
    "pcp_phone",
    "pcp_fax",
    "pcp_email",
    "referrer_name",
    "referrer_role",
    "referrer_service",
)
GROUP_PREFIX = {"patient": "", "pcp": "pcp_", "referrer": "referrer_"}


@dataclass
class ReferralForm:
    """Posted values (for re-display), the body if valid, and a message per broken field."""

    values: dict[str, str]
    body: ReferralCreate | None = None
    errors: dict[str, str] = field(default_factory=dict)


def default_referral_values(settings: Settings) -> dict[str, str]:
    """An empty form signed by the service's default sender."""
    values = dict.fromkeys(TEXT_FIELDS, "")
    values.update(
        referrer_name=settings.sender_name,
        referrer_role=settings.sender_role,
        referrer_service=settings.sender_service,
    )
    return values


def referral_values(form: FormData) -> dict[str, str]:
    """The posted referral fields, stripped."""
    return {name: str(form.get(name) or "").strip() for name in TEXT_FIELDS}


def _group(values: dict[str, str], prefix: str, names: tuple[str, ...]) -> dict[str, Any]:
    return {n: values[prefix + n] for n in names if values[prefix + n]}


def _field_of(loc: tuple[int | str, ...]) -> str:
    """('pcp', 'name') → 'pcp_name'; a patient field other than a name → 'record'."""
    group, name = str(loc[0]), str(loc[1]) if len(loc) > 1 else ""
    candidate = GROUP_PREFIX.get(group, "") + name
    return candidate if candidate in TEXT_FIELDS else "record"


def parse_referral(record: PatientRecord, values: dict[str, str]) -> ReferralForm:
    """Validate the assessed record + names + PCP + referrer as the service's request body."""
    parsed = ReferralForm(values)
    patient = record.model_dump(mode="json", exclude_none=True)
    patient.update(_group(values, "", ("given_name", "family_name")))
    pcp = _group(values, "pcp_", ("name", "practice", "phone", "fax", "email"))
    pcp["address"] = [line.strip() for line in values["pcp_address"].splitlines() if line.strip()]
    referrer = _group(values, "referrer_", ("name", "role", "service"))
    body = {"patient": patient, "pcp": pcp, "referrer": referrer}
    try:
        parsed.body = ReferralCreate.model_validate_json(json.dumps(body))
    except ValidationError as error:
        for detail in error.errors(include_url=False):
            name = _field_of(tuple(detail["loc"]))
            parsed.errors.setdefault(name, field_message(name, detail))
    return parsed
