"""What each acknowledgement page shows, from the token's referral only (escaped templates)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.requests import Request
from starlette.responses import HTMLResponse

from api.ack.answers import ANSWER_TEXT, DRUG_CLASSES, DRUG_TEXT, MAX_REASON
from api.ack.service import Opened
from api.context import context_of
from api.delivery.copies import reference_of
from api.web.labels import PRIORITY_TEXT
from api.web.render import secure_headers

TEMPLATES = Path(__file__).parent / "templates"
environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined)


def render(request: Request, template: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    """A page with the service's letterhead in its header and the strict page headers."""
    settings = context_of(request).settings
    contact = " · ".join(x for x in (settings.letterhead_phone, settings.letterhead_email) if x)
    full = {
        "title": "Referral",
        "organisation": settings.letterhead_organisation,
        "contact": contact,
        **context,
    }
    response = HTMLResponse(environment.get_template(template).render(full), status_code=status_code)
    secure_headers(response)
    return response


def practice_of(opened: Opened) -> str:
    """The practice the letter went to (its name, else the PCP's)."""
    pcp = opened.pcp
    return str(pcp.get("practice") or pcp.get("name") or "the practice the letter was sent to")


def start_context(opened: Opened, token: str) -> dict[str, Any]:
    """Before confirmation: initials, year of birth and practice — nothing more of the patient."""
    record = opened.referral.record_json
    initials = "".join(
        f"{str(n)[0].upper()}." for n in (record.get("given_name"), record.get("family_name")) if n
    )
    birth = record.get("birth_date")
    return {
        "token": token,
        "reference": reference_of(opened.referral.id),
        "initials": initials or "not recorded",
        "birth_year": str(birth)[:4] if birth else "not recorded",
        "practice": practice_of(opened),
    }


def confirmed_context(opened: Opened, token: str, stamp: str, today: dt.date) -> dict[str, Any]:
    """After confirmation: the patient, the letter link and the answer form."""
    referral = opened.referral
    record = referral.record_json
    name = " ".join(str(n) for n in (record.get("given_name"), record.get("family_name")) if n)
    return {
        "token": token,
        "stamp": stamp,
        "reference": reference_of(referral.id),
        "patient_name": name or f"patient {record.get('patient_id')}",
        "birth_date": record.get("birth_date") or f"aged {record.get('age_years')}",
        "procedure": f"{record.get('procedure_type', 'kyphoplasty')}, {referral.procedure_date.isoformat()}",
        "priority": PRIORITY_TEXT.get(referral.priority, referral.priority),
        "answers": list(ANSWER_TEXT.items()),
        "drugs": [(d, DRUG_TEXT[d]) for d in DRUG_CLASSES],
        "earliest": referral.procedure_date.isoformat(),
        "today": today.isoformat(),
        "max_reason": MAX_REASON,
        "errors": [],
        "chosen": {},
    }
