"""HTTP routes of delivery: ask for a letter on a channel, read its history, make a print batch or
put one that was never printed back in the queue, revoke a referral's acknowledgement links."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Query, Request, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from api.auth.deps import require
from api.auth.principal import Principal
from api.context import context_of
from api.delivery.schemas import (
    DeliveryOut,
    DeliveryRequest,
    PrintBatchOut,
    RequeuedBatchOut,
    batch_view,
    requeued_view,
)
from api.errors import AUTHENTICATED, error_responses
from api.reminders.worklist import LoopWorklist, loop_worklist, resolve

router = APIRouter(tags=["delivery"])
Sender = Annotated[Principal, Depends(require("deliveries:send"))]
Reader = Annotated[Principal, Depends(require("referrals:read"))]
Printer = Annotated[Principal, Depends(require("deliveries:print"))]
Mover = Annotated[Principal, Depends(require("referrals:transition"))]
Coordinator = Annotated[Principal, Depends(require("worklist:read"))]
MAX_LISTED_BATCHES = 100


class Revoked(BaseModel):
    """How many unused acknowledgement links were revoked."""

    revoked: int


@router.post(
    "/v1/referrals/{referral_id}/deliveries",
    status_code=202,
    response_model=DeliveryOut,
    responses=error_responses(404, 409, 422),
)
async def request_delivery(
    referral_id: uuid.UUID,
    body: DeliveryRequest,
    request: Request,
    response: Response,
    *,
    principal: Sender,
    background: BackgroundTasks,
) -> DeliveryOut:
    """Queue the letter on a channel (202); asking again returns the same delivery (200).

    An e-mail is tried at once after the response; failures are retried with backoff by
    ``osteoref delivery run`` / ``osteoref reminders run``. Print letters wait for a batch.
    """
    loop = context_of(request).loop
    delivery, is_new = await run_in_threadpool(loop.deliveries.request, principal, referral_id, body.channel)
    response.status_code = 202 if is_new else 200
    if (
        is_new
        and delivery.channel in loop.dispatcher.channels
        and not loop.dispatcher.channels[delivery.channel].batched
    ):
        background.add_task(loop.dispatcher.attempt, delivery.id)
    return delivery


@router.get("/v1/referrals/{referral_id}/deliveries", response_model=list[DeliveryOut])
async def delivery_history(referral_id: uuid.UUID, request: Request, principal: Reader) -> list[DeliveryOut]:
    """Every delivery of the referral with each attempt (channel, time, outcome, error)."""
    return await run_in_threadpool(context_of(request).loop.deliveries.history, principal, referral_id)


@router.post(
    "/v1/print-batches",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}, **error_responses(404)},
)
async def make_print_batch(request: Request, principal: Printer) -> Response:
    """One PDF of every letter waiting for post, behind a cover sheet (made once: keep it)."""
    batch = await run_in_threadpool(context_of(request).loop.print_batches.make, principal)
    headers = {
        "Cache-Control": "no-store",
        "Content-Disposition": f'attachment; filename="print-batch-{batch.id}.pdf"',
        "X-Print-Batch-Id": str(batch.id),
        "X-Letters": str(batch.letters),
    }
    return Response(batch.pdf, media_type="application/pdf", headers=headers)


@router.get(
    "/v1/print-batches",
    response_model=list[PrintBatchOut],
    responses=error_responses(*AUTHENTICATED, 422),
    dependencies=[Depends(require("deliveries:print"))],
)
async def list_print_batches(
    request: Request, limit: Annotated[int, Query(ge=1, le=MAX_LISTED_BATCHES)] = 20
) -> list[PrintBatchOut]:
    """The latest print batches, newest first: the id to put back a batch whose download broke off."""
    batches = await run_in_threadpool(context_of(request).loop.print_batches.recent, limit)
    return [batch_view(batch) for batch in batches]


@router.post(
    "/v1/print-batches/{batch_id}/requeue",
    response_model=RequeuedBatchOut,
    responses=error_responses(*AUTHENTICATED, 404, 409, 422),
)
async def requeue_print_batch(batch_id: uuid.UUID, request: Request, principal: Printer) -> RequeuedBatchOut:
    """Put the letters of a batch that was never printed back in the queue (once: 409 after).

    Their links are withdrawn and the next batch prints them with new ones; a letter whose
    referral has moved on (acknowledged, closed) or whose link was used is skipped and named.
    """
    batches = context_of(request).loop.print_batches
    return requeued_view(await run_in_threadpool(batches.requeue, principal, batch_id))


@router.post("/v1/referrals/{referral_id}/acknowledgement-links/revoke", response_model=Revoked)
async def revoke_links(referral_id: uuid.UUID, request: Request, principal: Mover) -> Revoked:
    """Withdraw every unused acknowledgement link of the referral (a lost letter, a wrong address)."""
    ack = context_of(request).loop.ack
    count = await run_in_threadpool(ack.revoke, referral_id, principal.key_id, principal.role)
    return Revoked(revoked=count)


@router.get("/v1/worklist/loop", response_model=LoopWorklist)
async def loop_queue(request: Request, principal: Coordinator) -> LoopWorklist:
    """Referrals escalated by the reminder job (or a PCP's "not registered"), and the loop KPIs."""
    database = context_of(request).database
    return await run_in_threadpool(loop_worklist, database, principal, dt.datetime.now(dt.UTC))


@router.post("/v1/referrals/{referral_id}/escalations/{reason}/resolve", status_code=204)
async def resolve_escalation(
    referral_id: uuid.UUID, reason: str, request: Request, principal: Coordinator
) -> Response:
    """Take the referral off the loop queue for ``reason`` (the coordinator has acted)."""
    await run_in_threadpool(
        resolve, context_of(request).database, principal, referral_id, reason, dt.datetime.now(dt.UTC)
    )
    return Response(status_code=204)
