"""HTTP route of the audit log (admins only), newest first."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from starlette.concurrency import run_in_threadpool

from api.auth.deps import require
from api.auth.principal import Principal
from api.db import audit_repo
from api.db.app_state import database_of
from api.db.audit_repo import AuditFilter
from api.db.engine import Database
from api.referrals.schemas import AuditPage
from api.referrals.views import audit_view

router = APIRouter(prefix="/v1/audit", tags=["audit"])


@router.get("", response_model=AuditPage)
async def read_audit(
    *,
    request: Request,
    principal: Annotated[Principal, Depends(require("audit:read"))],
    action: str | None = None,
    actor_key_id: int | None = None,
    target_id: str | None = None,
    at_from: Annotated[dt.datetime | None, Query(alias="from")] = None,
    at_to: Annotated[dt.datetime | None, Query(alias="to")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> AuditPage:
    """Audit entries matching the filters (``from`` inclusive, ``to`` exclusive)."""
    f = AuditFilter(action, actor_key_id, target_id, _aware(at_from), _aware(at_to))
    database = database_of(request)
    page, total = await run_in_threadpool(_read, database, principal, f, limit, offset)
    more = offset + limit < total
    following = str(request.url.include_query_params(offset=offset + limit)) if more else None
    return AuditPage(items=page.items, total=total, next=following)


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    # A time without a zone is taken as UTC, the zone of every stored timestamp.
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt.UTC)


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
