"""FHIR reads of stored referrals: ServiceRequest by id or patient/status, the letter as DocumentReference,
and the Communications that record its sending on the FHIR channel.

Role-checked exactly like the REST referral routes (``referrals:read``) and audited by the same
workflow service; every answer is ``application/fhir+json`` and never cached (letters carry names).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import pydantic_core
from fastapi import APIRouter, Depends, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from api.auth.deps import require
from api.auth.principal import Principal
from api.context import context_of
from api.db import audit_repo, communications_repo, referrals_repo
from api.db.delivery_models import FhirCommunication
from api.db.engine import Database
from api.db.referrals_repo import ReferralFilter
from api.deps import SettingsDep
from api.errors import error_responses
from api.fhir.bindings import validate_emitted
from api.fhir.emit.stored_referral import (
    STATUS,
    Sending,
    communication_url,
    letter_url,
    referral_communication,
    referral_letter,
    referral_service_request,
    service_request_url,
)
from api.referrals.schemas import ReferralDetail
from api.referrals.service import ReferralService
from api.referrals.views import detail_view
from risk.errors import FieldError, InvalidInput, NotFound

router = APIRouter(prefix="/fhir", tags=["fhir"])
Reader = Annotated[Principal, Depends(require("referrals:read"))]
FHIR_JSON = "application/fhir+json"
NO_STORE = {"Cache-Control": "no-store"}
MAX_MATCHES = 100
# R4 RequestStatus → the workflow statuses it stands for (the reverse of stored_referral.STATUS).
STATUSES_OF: dict[str, tuple[str, ...]] = {
    fhir: tuple(ours for ours, (mapped, _) in STATUS.items() if mapped == fhir)
    for fhir in ("draft", "active", "on-hold", "revoked", "completed", "entered-in-error", "unknown")
}


def _fhir(resource: dict[str, Any]) -> Response:
    validate_emitted(resource)
    return Response(pydantic_core.to_json(resource), media_type=FHIR_JSON, headers=NO_STORE)


def _searchset(resources: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    for _, resource in resources:
        validate_emitted(resource)
    entries = [{"fullUrl": url, "resource": r, "search": {"mode": "match"}} for url, r in resources]
    bundle: dict[str, Any] = {"resourceType": "Bundle", "type": "searchset", "total": len(entries)}
    return bundle | ({"entry": entries} if entries else {})  # FHIR JSON has no empty arrays


@router.get(
    "/ServiceRequest/{referral_id}", response_class=Response, responses=error_responses(401, 403, 404)
)
async def read_service_request(
    referral_id: uuid.UUID, request: Request, principal: Reader, settings: SettingsDep
) -> Response:
    """One referral as an R4 ServiceRequest."""
    detail = await run_in_threadpool(context_of(request).referrals.get, principal, referral_id)
    return _fhir(referral_service_request(detail, settings.public_base_url))


def _referral_id(related: str, parameter: str = "related") -> uuid.UUID:
    kind, _, raw = related.rpartition("/")
    try:
        if kind.rsplit("/", 1)[-1] != "ServiceRequest":
            raise ValueError(kind)
        return uuid.UUID(raw)
    except ValueError:
        rule = "ServiceRequest/<referral id>"
        raise InvalidInput(
            f"{parameter} must name a ServiceRequest", [FieldError(parameter, None, rule)]
        ) from None


async def _letter(
    request: Request, principal: Principal, base_url: str, referral_id: uuid.UUID
) -> dict[str, Any]:
    app_context = context_of(request)
    detail = await run_in_threadpool(app_context.referrals.get, principal, referral_id)
    html = await run_in_threadpool(app_context.referrals.letter_html, principal, referral_id, "pcp")
    return referral_letter(detail, await app_context.pdf.render(html), base_url)


@router.get("/DocumentReference", response_class=Response, responses=error_responses(401, 403, 404, 422))
async def search_letters(
    request: Request,
    principal: Reader,
    settings: SettingsDep,
    related: Annotated[str, Query(description="ServiceRequest/<referral id>")],
) -> Response:
    """The PCP letter of one referral: a searchset with its DocumentReference (PDF attached)."""
    referral_id = _referral_id(related)
    document = await _letter(request, principal, settings.public_base_url, referral_id)
    url = letter_url(settings.public_base_url, referral_id)
    return Response(
        pydantic_core.to_json(_searchset([(url, document)])), media_type=FHIR_JSON, headers=NO_STORE
    )


@router.get(
    "/DocumentReference/letter-{referral_id}",
    response_class=Response,
    responses=error_responses(401, 403, 404),
)
async def read_letter(
    referral_id: uuid.UUID, request: Request, principal: Reader, settings: SettingsDep
) -> Response:
    """One referral's PCP letter as a DocumentReference (what a Communication's payload points at)."""
    return _fhir(await _letter(request, principal, settings.public_base_url, referral_id))


def _sending(row: FhirCommunication) -> Sending:
    return Sending(row.id, row.purpose, row.sent_at)


def _sent_on_fhir(database: Database, referral_id: uuid.UUID) -> list[Sending]:
    with database.reader() as session:
        return [_sending(row) for row in communications_repo.of_referral(session, referral_id)]


@router.get("/Communication", response_class=Response, responses=error_responses(401, 403, 404, 422))
async def search_communications(
    request: Request,
    principal: Reader,
    settings: SettingsDep,
    based_on: Annotated[str, Query(alias="based-on", description="ServiceRequest/<referral id>")],
) -> Response:
    """How one referral was sent on the FHIR channel: a searchset, empty until the first sending."""
    referral_id = _referral_id(based_on, "based-on")
    detail = await run_in_threadpool(context_of(request).referrals.get, principal, referral_id)
    sent = await run_in_threadpool(_sent_on_fhir, context_of(request).database, referral_id)
    base = settings.public_base_url
    found = [(communication_url(base, one.id), referral_communication(detail, one, base)) for one in sent]
    return Response(pydantic_core.to_json(_searchset(found)), media_type=FHIR_JSON, headers=NO_STORE)


def _referral_of(
    database: Database, actor: Principal, communication_id: uuid.UUID
) -> tuple[uuid.UUID, Sending]:
    with database.transaction() as session:
        row = communications_repo.get(session, communication_id)
        if row is not None:
            return row.referral_id, _sending(row)
        audit_repo.append(
            session, actor_key_id=actor.key_id, role=actor.role, action="communications:read",
            target_type="communication", target_id=str(communication_id), outcome="not_found",
        )  # fmt: skip
    raise NotFound(f"no Communication with id {communication_id}")


@router.get(
    "/Communication/{communication_id}", response_class=Response, responses=error_responses(401, 403, 404)
)
async def read_communication(
    communication_id: uuid.UUID, request: Request, principal: Reader, settings: SettingsDep
) -> Response:
    """One sending of a referral's letter on the FHIR channel."""
    referral_id, sending = await run_in_threadpool(
        _referral_of, context_of(request).database, principal, communication_id
    )
    detail = await run_in_threadpool(context_of(request).referrals.get, principal, referral_id)
    return _fhir(referral_communication(detail, sending, settings.public_base_url))


def _patient_id(patient: str) -> str:
    return patient.rsplit("/", 1)[-1] if patient.rsplit("/", 2)[-2:-1] in ([], ["Patient"]) else ""


def _statuses(status: str | None) -> tuple[str, ...] | None:
    if status is None:
        return None
    wanted = [s.strip() for s in status.split(",")]
    unknown = [s for s in wanted if s not in STATUSES_OF]
    if unknown:
        rule = f"R4 RequestStatus, one of {', '.join(STATUSES_OF)}"
        raise InvalidInput("unknown ServiceRequest status", [FieldError("status", unknown[0], rule)])
    return tuple(ours for s in wanted for ours in STATUSES_OF[s])


def _matching(service: ReferralService, actor: Principal, f: ReferralFilter) -> list[ReferralDetail]:
    with service.database.transaction() as session:
        rows, _ = referrals_repo.list_referrals(session, f, limit=MAX_MATCHES, offset=0)
        audit_repo.append(
            session, actor_key_id=actor.key_id, role=actor.role, action="referrals:list", outcome="ok"
        )
        return [detail_view(row, referrals_repo.events_of(session, row.id), service.links) for row in rows]


@router.get("/ServiceRequest", response_class=Response, responses=error_responses(401, 403, 422))
async def search_service_requests(
    request: Request,
    principal: Reader,
    settings: SettingsDep,
    patient: Annotated[str, Query(description="Patient/<patient_id> or <patient_id>")],
    status: Annotated[str | None, Query(description="R4 RequestStatus, comma-separated")] = None,
) -> Response:
    """A patient's referrals as a searchset of ServiceRequests (newest first, at most 100)."""
    patient_id = _patient_id(patient)
    if not patient_id:
        raise InvalidInput(
            "patient must be Patient/<id> or <id>", [FieldError("patient", None, "Patient/<id>")]
        )
    statuses = _statuses(status)
    if statuses == ():
        details: list[ReferralDetail] = []
    else:
        f = ReferralFilter(patient_id=patient_id, statuses=statuses)
        details = await run_in_threadpool(_matching, context_of(request).referrals, principal, f)
    base = settings.public_base_url
    found = [(service_request_url(base, d.id), referral_service_request(d, base)) for d in details]
    return Response(pydantic_core.to_json(_searchset(found)), media_type=FHIR_JSON, headers=NO_STORE)
