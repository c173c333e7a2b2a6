"""HTTP route of the audit log (admins only), newest first."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from starlette.concurrency import run_in_threadpool

from api.auth.deps import require
from api.auth.principal import Principal
from api.context import context_of
from api.db import audit_repo
from api.db.audit_repo import AuditFilter
from api.db.engine import Database
from api.deps import SettingsDep
from api.errors import AUTHENTICATED, error_responses
from api.referrals.schemas import AuditPage
from api.referrals.views import audit_view
from api.routes.paging import MAX_ID, Offset, next_url, utc_instant

router = APIRouter(prefix="/v1/audit", tags=["audit"])


@router.get("", response_model=AuditPage, responses=error_responses(*AUTHENTICATED, 422))
async def read_audit(
    *,
    request: Request,
    principal: Annotated[Principal, Depends(require("audit:read"))],
    settings: SettingsDep,
    action: Annotated[str | None, Query(max_length=50)] = None,
    actor_key_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    target_id: Annotated[str | None, Query(max_length=64)] = None,
    at_from: Annotated[dt.datetime | None, Query(alias="from")] = None,
    at_to: Annotated[dt.datetime | None, Query(alias="to")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    offset: Offset = 0,
) -> AuditPage:
    """Audit entries matching the filters (``from`` inclusive, ``to`` exclusive; no zone = UTC)."""
    f = AuditFilter(action, actor_key_id, target_id, utc_instant("from", at_from), utc_instant("to", at_to))
    database = context_of(request).database
    page, total = await run_in_threadpool(_read, database, principal, f, limit, offset)
    more = offset + limit < total
    following = next_url(request, settings, offset + limit) if more else None
    return AuditPage(items=page.items, total=total, next=following)


def _read(
    database: Database, principal: Principal, f: AuditFilter, limit: int, offset: int
) -> tuple[AuditPage, int]:
    with database.transaction() as session:
        rows, total = audit_repo.query(session, f, limit=limit, offset=offset)
        items = [audit_view(r) for r in rows]
        audit_repo.append(
            session,
            actor_key_id=principal.key_id,
            role=principal.role,
            action="audit:read",
            outcome="ok",
        )
    return AuditPage(items=items, total=total, next=None), total
