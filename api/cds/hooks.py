"""Which cards a hook call gets: map the bundle, assess, and apply the service's card rules.

patient-view: a risk card on the osteoporosis pathway; a short info card on the oncology and
trauma-review pathways; nothing without a kyphoplasty/vertebroplasty within the look-back
(``OSTEOREF_CDS_LOOKBACK_MONTHS`` before today).
order-sign: the referral card only on the osteoporosis pathway with ``refer_to_pcp`` and no
anti-osteoporosis drug among the draft orders.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from api.cds.cards import CardSite, info_card, risk_card
from api.cds.fhir_adapter import map_bundle, months_before
from api.cds.orders import has_anti_osteoporosis_therapy, referral_card
from api.cds.schemas import HookRequest
from api.cds.services import ORDER_SIGN_ID
from risk.assess import Assessor


def hook_cards(
    service_id: str,
    request: HookRequest,
    bundle: dict[str, Any],
    assessor: Assessor,
    site: CardSite,
    *,
    today: dt.date,
    lookback_months: int,
) -> list[dict[str, Any]]:
    """The cards (possibly none) for one hook call."""
    mapped = map_bundle(bundle, assessment_date=today, lookback_months=lookback_months)
    record = mapped.record
    if record is None or record.procedure_date < months_before(today, lookback_months):
        return []
    assessment = assessor.assess(record)
    osteoporosis = assessment.pathway == "osteoporosis"
    if service_id != ORDER_SIGN_ID:
        return [risk_card(assessment, site) if osteoporosis else info_card(assessment, site)]
    if not (osteoporosis and assessment.refer_to_pcp):
        return []
    if has_anti_osteoporosis_therapy(request.context.draftOrders):
        return []
    return [referral_card(assessment, site, request.context.patientId, request.context.userId)]
