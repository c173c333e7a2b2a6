"""``GET /model-card``: public model documentation, HTML by default, JSON on request (no auth)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from api.context import context_of
from api.model_card.build import model_card
from api.model_card.render import render_html

router = APIRouter(tags=["model documentation"])


@router.get(
    "/model-card",
    response_class=HTMLResponse,
    responses={200: {"content": {"application/json": {}, "text/html": {}}}},
)
async def read_model_card(
    request: Request,
    format: Annotated[Literal["html", "json"] | None, Query()] = None,
) -> Response:
    """The model card, TRIPOD+AI checklist and HTI-1 attributes (``?format=json`` or Accept: JSON)."""
    path = context_of(request).settings.model_path
    card: dict[str, Any] = await run_in_threadpool(model_card, path)
    if _wants_json(format, request.headers.get("accept", "")):
        return JSONResponse(card)
    return HTMLResponse(await run_in_threadpool(render_html, card))


def _wants_json(format_: str | None, accept: str) -> bool:
    if format_ is not None:
        return format_ == "json"
    return "application/json" in accept and "text/html" not in accept
