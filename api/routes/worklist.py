"""HTTP route of the coordinator worklist."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from starlette.concurrency import run_in_threadpool

from api.auth.deps import require
from api.auth.principal import Principal
from api.context import context_of
from api.errors import AUTHENTICATED, error_responses
from api.referrals.listing import MAX_PAGE
from api.referrals.schemas import Worklist

router = APIRouter(prefix="/v1/worklist", tags=["referrals"])


@router.get("", response_model=Worklist, responses=error_responses(*AUTHENTICATED, 422))
async def worklist(
    request: Request,
    principal: Annotated[Principal, Depends(require("worklist:read"))],
    days: Annotated[int, Query(ge=1, le=365)] = 14,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = MAX_PAGE,
) -> Worklist:
    """Sent referrals unacknowledged after ``days``, and patients due the 12–16-week contact."""
    lister = context_of(request).lister
    now = dt.datetime.now(dt.UTC)
    return await run_in_threadpool(lister.worklist, principal, days, now, limit)
