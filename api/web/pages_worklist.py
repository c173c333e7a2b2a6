"""The coordinator worklist: referrals by status and priority, overdue acknowledgements, follow-ups."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.responses import Response

from api.context import context_of
from api.referrals.listing import ListQuery
from api.referrals.schemas import ReferralSummary
from api.referrals.states import STATUSES, Status
from api.reminders.worklist import escalated
from api.web.guard import WebRoute, WebUser, checked_form, signed_in
from api.web.render import page
from api.web.search import referrals_of_patient
from risk.contract.enums import PRIORITIES

router = APIRouter(route_class=WebRoute)
Coordinator = Annotated[WebUser, Depends(signed_in("worklist:read"))]
Form = Annotated[FormData, Depends(checked_form)]
PAGE_SIZE = 50


async def _worklist_page(
    request: Request, user: WebUser, query: ListQuery, days: int, search: dict[str, Any] | None = None
) -> Response:
    app_context = context_of(request)
    now = dt.datetime.now(dt.UTC)
    items, total = await run_in_threadpool(app_context.lister.page, user.principal, query, now.date())
    queues = await run_in_threadpool(app_context.lister.worklist, user.principal, days, now)
    loop = await run_in_threadpool(escalated, context_of(request).database)
    batches = await run_in_threadpool(app_context.loop.print_batches.recent)
    context = {
        "loop": loop,
        "batches": batches,
        "title": "Worklist",
        "user": user,
        "items": items,
        "total": total,
        "query": query,
        "days": days,
        "queues": queues,
        "statuses": STATUSES,
        "priorities": PRIORITIES,
        "search": search,
    }
    settings = context_of(request).settings.web
    return page(request, "worklist.html", context, session=user.session, settings=settings)


@router.get("/web/worklist")
async def worklist(
    *,
    request: Request,
    user: Coordinator,
    status: str = "",
    priority: str = "",
    overdue_follow_up: bool = False,
    days: Annotated[int, Query(ge=1, le=365)] = 14,
) -> Response:
    """Filtered referrals (newest first) and the two queues (filters are not identifying)."""
    chosen_status: Status | None = next((s for s in STATUSES if s == status), None)
    chosen_priority: str | None = next((p for p in PRIORITIES if p == priority), None)
    query = ListQuery(chosen_status, chosen_priority, overdue_follow_up=overdue_follow_up, limit=PAGE_SIZE)
    return await _worklist_page(request, user, query, days)


@router.post("/web/worklist/search")
async def search(request: Request, user: Coordinator, form: Form) -> Response:
    """Referrals of one patient id, posted so that the id never appears in a URL or a log line."""
    patient_id = str(form.get("patient_id") or "").strip()
    found: list[ReferralSummary] = []
    if patient_id:
        links = context_of(request).referrals.links
        found = await run_in_threadpool(
            referrals_of_patient, context_of(request).database, links, user.principal, patient_id
        )
    search_result = {"patient_id": patient_id, "items": found}
    return await _worklist_page(request, user, ListQuery(limit=PAGE_SIZE), 14, search_result)
