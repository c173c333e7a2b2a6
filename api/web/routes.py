"""The one router of the web pages (listed in ``api.main.ROUTERS``)."""

from __future__ import annotations

from fastapi import APIRouter

from api.web import pages_assess, pages_auth, pages_delivery, pages_referrals, pages_worklist

router = APIRouter(include_in_schema=False)
for _pages in (pages_auth, pages_assess, pages_referrals, pages_worklist, pages_delivery):
    router.include_router(_pages.router)
