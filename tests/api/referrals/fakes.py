"""Small local stand-ins for the scorer, the letter renderer and the PDF pool, and a test app."""

from __future__ import annotations

import html
import os
import threading
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from api.db.engine import Database
from api.referrals import wiring
from api.referrals.schemas import PcpIn, ReferrerIn
from api.settings import Settings
from risk import errors
from risk.contract import Assessment, ModelInfo, PatientRecord

BASE_URL = "http://osteoref.test"
STATUS_OF_ERROR: Mapping[type[errors.OsteorefError], int] = {
    errors.InvalidInput: 422,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.PermissionDenied: 403,
    errors.NotAuthenticated: 401,
}
PRIORITY_BY_PRIOR_FRACTURES = {0: "routine", 1: "soon"}


@dataclass
class FakeScorer:
    """Priority from prior fractures (0 routine, 1 soon, more urgent); optional race barrier."""

    barrier: threading.Barrier | None = None
    calls: int = 0
    model_info: ModelInfo = field(default_factory=lambda: ModelInfo(name="fake", version="9.9"))
    ruleset_version: str = "rules-test-1"

    def assess(self, record: PatientRecord) -> Assessment:
        self.calls += 1
        if self.barrier is not None:
            self.barrier.wait(timeout=20)  # every racer has passed the replay check by now
        priority = PRIORITY_BY_PRIOR_FRACTURES.get(record.prior_fragility_fractures, "urgent")
        return Assessment.model_validate(
            {
                "patient_id": record.patient_id,
                "assessment_date": record.assessment_date,
                "pathway": "osteoporosis",
                "risk_tier": "high",
                "priority": priority,
                "refer_to_pcp": True,
                "refer_to_specialist": False,
                "recommended_therapy": "antiresorptive_first",
                "criteria": [],
                "flags": [],
                "risk": None,
                "contributions": [],
                "model": self.model_info,
                "missing_inputs": [],
            }
        )


class FakeLetters:
    """Minimal escaped HTML naming the PCP and the patient."""

    def pcp_letter_html(
        self, record: PatientRecord, assessment: Assessment, pcp: PcpIn, referrer: ReferrerIn
    ) -> str:
        name = f"{record.given_name or ''} {record.family_name or ''}".strip()
        return (
            f"<html><body><p>Dear {html.escape(pcp.name)},</p><p>Re: {html.escape(name)}, "
            f"priority {assessment.priority}.</p><p>{html.escape(referrer.name)}</p></body></html>"
        )

    def patient_letter_html(
        self, record: PatientRecord, assessment: Assessment, pcp: PcpIn, referrer: ReferrerIn
    ) -> str:
        return f"<html><body><p>Dear {html.escape(record.given_name or 'patient')}</p></body></html>"


class FakePdf:
    """Pretends to render: a PDF header plus the HTML length."""

    async def render(self, html_text: str) -> bytes:
        return b"%PDF-1.7\n% fake " + str(len(html_text)).encode() + b"\n%%EOF\n"


def _error_response(status: int, code: str, message: str, details: list[Any]) -> JSONResponse:
    body = {"error": {"code": code, "message": message, "details": details}}
    return JSONResponse(body, status_code=status)


def add_error_handlers(app: FastAPI) -> None:
    """A stand-in for api/errors.py: risk.errors → HTTP with the contract's error shape."""

    async def osteoref_error(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, errors.OsteorefError)
        status = next((s for t, s in STATUS_OF_ERROR.items() if isinstance(exc, t)), 500)
        found = getattr(exc, "errors", [])
        details = [{"field": e.field, "value": e.value, "rule": e.rule} for e in found]
        return _error_response(status, exc.code, str(exc), details)

    async def validation_error(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        details = [{"field": ".".join(map(str, e["loc"])), "rule": e["msg"]} for e in exc.errors()]
        return _error_response(422, "invalid_input", "invalid request", details)

    app.add_exception_handler(errors.OsteorefError, osteoref_error)
    app.add_exception_handler(RequestValidationError, validation_error)


def build_app(database: Database, scorer: FakeScorer | None = None) -> FastAPI:
    """Our routers on a bare app, wired to ``database`` and the fakes."""
    app = FastAPI()
    add_error_handlers(app)
    for router in wiring.ROUTERS:
        app.include_router(router)
    settings = Settings(public_base_url=BASE_URL)
    wiring.install(
        app, settings, database, scorer=scorer or FakeScorer(), letters=FakeLetters(), pdf=FakePdf()
    )
    return app


def create_app_from_env() -> FastAPI:
    """uvicorn factory for the crash test: migrate OSTEOREF_DATABASE_URL, serve with the fakes."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        database = wiring.open_database(Settings(database_url=os.environ["OSTEOREF_DATABASE_URL"]))
        wiring.install(app, Settings(), database, scorer=FakeScorer(), letters=FakeLetters(), pdf=FakePdf())
        yield
        database.dispose()

    app = FastAPI(lifespan=lifespan)
    add_error_handlers(app)
    for router in wiring.ROUTERS:
        app.include_router(router)
    return app
