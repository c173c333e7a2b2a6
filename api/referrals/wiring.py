"""The light half of the wiring: the routers, database start-up and ``install`` (no model imports)."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from api.auth.bootstrap import ensure_development_key, refuse_development_key_in_production
from api.db import migrate
from api.db.app_state import attach_database
from api.db.engine import Database
from api.referrals.app_state import ReferralComponents, attach_referrals
from api.referrals.listing import Lister
from api.referrals.ports import LetterRenderer, PdfRenderer, Scorer
from api.referrals.service import ReferralService
from api.referrals.views import LinkBuilder
from api.routes import audit, referrals, worklist
from api.settings import Settings

ROUTERS: tuple[APIRouter, ...] = (referrals.router, worklist.router, audit.router)


def open_database(settings: Settings) -> Database:
    """Connect, migrate to head, and apply the key rules of start-up (dev key / production refusal).

    All under the start-up lock, so of N processes starting at once one migrates and one makes
    the development key; the others wait and find both done.
    """
    database = Database.connect(settings.database_url)
    with migrate.migrated(database.engine):
        refuse_development_key_in_production(database, settings)
        ensure_development_key(database, settings)
    return database


def install(
    app: FastAPI,
    settings: Settings,
    database: Database,
    *,
    scorer: Scorer,
    letters: LetterRenderer,
    pdf: PdfRenderer,
) -> None:
    """Attach the database and the referral components to ``app`` (call in lifespan)."""
    attach_database(app, database)
    links = LinkBuilder(settings.public_base_url)
    service = ReferralService(database, scorer, letters, links)
    attach_referrals(app, ReferralComponents(service, Lister(database, links), pdf))
