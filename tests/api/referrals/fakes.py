"""Small stand-ins for the scorer, the letters and the PDF pool, and test apps using them."""

from __future__ import annotations

import html
import io
import os
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from fastapi import FastAPI
from pypdf import PdfWriter

from api.auth.bootstrap import open_database
from api.context import attach_context, build_context
from api.db.engine import Database
from api.errors import install_error_handlers
from api.loaded_model import LoadedModel
from api.referrals.schemas import PcpIn, ReferrerIn
from api.routes import audit, referrals, worklist
from api.settings import Settings
from risk.contract import Assessment, ModelInfo, PatientRecord

BASE_URL = "http://osteoref.test"
PRIORITY_BY_PRIOR_FRACTURES = {0: "routine", 1: "soon"}
REFERRAL_ROUTERS = (referrals.router, worklist.router, audit.router)


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


def blank_pdf() -> bytes:
    """A real one-page PDF (blank): what a print batch can merge, where the content does not matter."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


class BlankPdf:
    """Pretends to render, with a PDF pypdf can merge (print batches)."""

    async def render(self, html_text: str) -> bytes:
        return blank_pdf()


def add_error_handlers(app: FastAPI) -> None:
    """The service's one error-handler module (risk.errors → HTTP)."""
    install_error_handlers(app)


def attach_fakes(
    app: FastAPI, settings: Settings, database: Database, scorer: FakeScorer | None = None
) -> None:
    """An app context on ``database`` with the fake scorer, letters and PDF renderer (no model)."""
    model = LoadedModel(None, "the fake scorer stands in")
    context = build_context(
        settings, database, model, FakePdf(), scorer=scorer or FakeScorer(), letters=FakeLetters()
    )
    attach_context(app, context)


def build_app(
    database: Database, scorer: FakeScorer | None = None, settings: Settings | None = None
) -> FastAPI:
    """The referral routers on a bare app, wired to ``database`` and the fakes."""
    app = FastAPI()
    add_error_handlers(app)
    for router in REFERRAL_ROUTERS:
        app.include_router(router)
    attach_fakes(app, settings or Settings(public_base_url=BASE_URL), database, scorer)
    return app


def create_app_from_env() -> FastAPI:
    """uvicorn factory for the crash test: migrate OSTEOREF_DATABASE_URL, serve with the fakes."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        database = open_database(Settings(database_url=os.environ["OSTEOREF_DATABASE_URL"]))
        attach_fakes(app, Settings(), database)
        yield
        database.dispose()

    app = FastAPI(lifespan=lifespan)
    add_error_handlers(app)
    for router in REFERRAL_ROUTERS:
        app.include_router(router)
    return app
