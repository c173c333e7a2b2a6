"""Where the referral components live on the FastAPI app (set in lifespan, read per request)."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import FastAPI
from starlette.requests import HTTPConnection

from api.referrals.listing import Lister
from api.referrals.ports import PdfRenderer
from api.referrals.service import ReferralService
from risk.errors import OsteorefError


@dataclass(frozen=True)
class ReferralComponents:
    """The workflow service, the list queries and the PDF renderer of one app."""

    service: ReferralService
    lister: Lister
    pdf: PdfRenderer


def attach_referrals(app: FastAPI, components: ReferralComponents) -> None:
    """Make ``components`` the app's referral components (called once in lifespan)."""
    app.state.osteoref_referrals = components


def referrals_of(connection: HTTPConnection) -> ReferralComponents:
    """The app's referral components; a clear error if lifespan did not attach them."""
    components = getattr(connection.app.state, "osteoref_referrals", None)
    if not isinstance(components, ReferralComponents):
        raise OsteorefError("no referral components attached to the app (lifespan did not run)")
    return components
