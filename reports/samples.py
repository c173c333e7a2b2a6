"""A small fixed letter, used to warm PDF workers (fonts, fontconfig, templates) at start."""

from __future__ import annotations

import datetime as dt

from reports.models import DocumentKind, Letterhead
from reports.render import render_html
from risk.contract import Assessment, ModelInfo, PatientRecord

_DAY = dt.date(2026, 1, 15)


def warm_up_html() -> str:
    """A synthetic (no real patient) one-page note rendered with the real templates."""
    record = PatientRecord(
        patient_id="warm-up",
        age_years=70.0,
        sex="female",
        assessment_date=_DAY,
        procedure_date=_DAY,
        treated_levels=["L1"],
        fracture_cause="high_energy_trauma",
    )
    assessment = Assessment(
        patient_id="warm-up",
        assessment_date=_DAY,
        pathway="trauma_review",
        risk_tier=None,
        priority="routine",
        refer_to_pcp=False,
        refer_to_specialist=False,
        recommended_therapy="none",
        criteria=[],
        flags=[],
        risk=None,
        contributions=[],
        model=ModelInfo(name="warm-up", version="0"),
        missing_inputs=[],
    )
    letterhead = Letterhead(organisation="Warm-up", sender_name="Warm-up")
    return render_html(DocumentKind.TRAUMA_DXA_NOTE, record, assessment, letterhead, None)
