"""Web actions of the PCP loop: send a referral's letter on a channel, withdraw its links, print a
batch or put one that was never printed back in the queue."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.responses import Response

from api.context import context_of
from api.web.guard import WebRoute, WebUser, checked_form, redirect, signed_in
from api.web.render import secure_headers

router = APIRouter(route_class=WebRoute)
Sender = Annotated[WebUser, Depends(signed_in("deliveries:send"))]
Printer = Annotated[WebUser, Depends(signed_in("deliveries:print"))]
Mover = Annotated[WebUser, Depends(signed_in("referrals:transition"))]
Form = Annotated[FormData, Depends(checked_form)]


@router.post("/web/referrals/{referral_id}/deliveries")
async def send_letter(
    request: Request, user: Sender, form: Form, referral_id: uuid.UUID, background: BackgroundTasks
) -> Response:
    """Queue the letter on the chosen channel (an e-mail is tried straight after the redirect)."""
    loop = context_of(request).loop
    channel = str(form.get("channel") or "")
    delivery, is_new = await run_in_threadpool(loop.deliveries.request, user.principal, referral_id, channel)
    sender = loop.dispatcher.channels.get(delivery.channel)
    if is_new and sender is not None and not sender.batched:
        background.add_task(loop.dispatcher.attempt, delivery.id)
    response = redirect(f"/web/referrals/{referral_id}#deliveries-title")
    response.background = background
    return response


@router.post("/web/referrals/{referral_id}/revoke-links")
async def revoke_links(request: Request, user: Mover, form: Form, referral_id: uuid.UUID) -> Response:  # noqa: ARG001
    """Withdraw the referral's unused acknowledgement links."""
    ack = context_of(request).loop.ack
    await run_in_threadpool(ack.revoke, referral_id, user.principal.key_id, user.principal.role)
    return redirect(f"/web/referrals/{referral_id}#deliveries-title")


@router.post("/web/print-batch")
async def print_batch(request: Request, user: Printer, form: Form) -> Response:  # noqa: ARG001
    """Download one PDF of every letter waiting for post (made once: keep it)."""
    batch = await run_in_threadpool(context_of(request).loop.print_batches.make, user.principal)
    response = Response(batch.pdf, media_type="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="print-batch-{batch.id}.pdf"'
    return secure_headers(response)


@router.post("/web/print-batches/{batch_id}/requeue")
async def requeue_print_batch(request: Request, user: Printer, form: Form, batch_id: uuid.UUID) -> Response:  # noqa: ARG001
    """Put a batch that was never printed back in the queue; the worklist then lists it as put back."""
    batches = context_of(request).loop.print_batches
    await run_in_threadpool(batches.requeue, user.principal, batch_id)
    return redirect("/web/worklist#print-batches-title")
