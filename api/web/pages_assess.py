"""The assessment form and the result page (pathway, tier, flags, risk as 100 people, explanation)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import FormData
from starlette.responses import Response

from api.auth.permissions import is_allowed
from api.context import context_of
from api.web.form_fields import GROUPS, default_values, open_groups
from api.web.form_parse import (
    FormValues,
    absent_fields,
    form_values,
    parse_record,
    record_json_without_names,
    values_from_record,
)
from api.web.guard import WebRoute, WebUser, checked_form, signed_in
from api.web.referral_form import ReferralForm, default_referral_values
from api.web.render import page
from api.web.risk_view import icon_arrays
from api.web.samples import load_sample, sample_names
from reports import DocumentKind
from reports.sections import tier_explanation
from risk.contract import Assessment, PatientRecord
from risk.rules.letter import letter_for

router = APIRouter(route_class=WebRoute)
Scorer = Annotated[WebUser, Depends(signed_in("assessments:score"))]
Form = Annotated[FormData, Depends(checked_form)]


def _form_page(
    request: Request,
    user: WebUser,
    values: FormValues,
    errors: dict[str, str],
    *,
    status_code: int = 200,
    sample: str | None = None,
) -> Response:
    context = {
        "title": "Assess a patient" if not errors else "Assess a patient (check the form)",
        "user": user,
        "groups": GROUPS,
        "values": values,
        "errors": errors,
        "opened": open_groups(values, errors, dt.date.today()),
        "samples": sample_names(),
        "sample": sample,
    }
    settings = context_of(request).settings.web
    return page(
        request, "assess.html", context, session=user.session, settings=settings, status_code=status_code
    )


@dataclass(frozen=True, slots=True)
class LetterOffer:
    """What the result page offers to write, in words that match the pathway."""

    heading: str
    intro: str
    button: str


# The first document of each pathway → how the page offers it: only the osteoporosis pathway
# is a "referral" to the PCP; the oncology and trauma notes say what they are.
LETTER_OFFERS: dict[DocumentKind, LetterOffer] = {
    DocumentKind.PCP_LETTER: LetterOffer(
        "Refer to the PCP",
        "Creates the referral letter to the primary-care physician and the patient's plain-language copy, "
        "and puts the referral on the coordinators' worklist.",
        "Create referral",
    ),
    DocumentKind.ONCOLOGY_NOTIFICATION: LetterOffer(
        "Notify the treating team",
        "No osteoporosis referral is made on this pathway. This writes a notification to the treating "
        "oncology / haematology team (the PCP named here gets a copy) and tracks it on the worklist.",
        "Create the notification",
    ),
    DocumentKind.TRAUMA_DXA_NOTE: LetterOffer(
        "Note to the PCP",
        "No osteoporosis referral is made after high-energy trauma. This writes a short note to the PCP "
        "(a DXA request when one is recommended) and tracks it on the worklist.",
        "Create the note",
    ),
}


def letter_offer(assessment: Assessment) -> LetterOffer | None:
    """What the referral service would write for this assessment (None: nothing)."""
    letter = letter_for(assessment.pathway, assessment.refer_to_pcp)
    return LETTER_OFFERS[DocumentKind(letter)] if letter else None


def result_page(
    request: Request,
    user: WebUser,
    record: PatientRecord,
    referral: ReferralForm | None = None,
    status_code: int = 200,
) -> Response:
    """The result of one record, with the referral form (blank, or as posted with its errors)."""
    assessment = context_of(request).model.require().assess(record)
    referral = referral or ReferralForm(default_referral_values(context_of(request).settings))
    context: dict[str, Any] = {
        "title": "Assessment result",
        "user": user,
        "a": assessment,
        "arrays": icon_arrays(assessment.risk),
        "record_json": record_json_without_names(record),
        "referral": referral,
        "offer": letter_offer(assessment),
        "tier_note": tier_explanation(assessment),
        "idempotency_key": str(uuid.uuid4()),
        "can_refer": is_allowed(user.principal.role, "referrals:create"),
    }
    settings = context_of(request).settings.web
    return page(
        request, "result.html", context, session=user.session, settings=settings, status_code=status_code
    )


@router.get("/web/assess")
async def assess_form(request: Request, user: Scorer, sample: str | None = None) -> Response:
    """The blank form, or a sample patient loaded into it."""
    values = default_values(dt.date.today())
    data = load_sample(sample) if sample else None
    if data is not None:
        values = values_from_record(data, values)
    return _form_page(request, user, values, {}, sample=sample if data is not None else None)


@router.post("/web/assess")
async def assess(request: Request, user: Scorer, form: Form) -> Response:
    """Score the posted record; the form again with every message next to its field if invalid."""
    parsed = parse_record(form_values(form), absent=absent_fields(form))
    if parsed.record is None:
        return _form_page(request, user, parsed.values, parsed.errors, status_code=422)
    return result_page(request, user, parsed.record)
