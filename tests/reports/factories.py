"""Hand-built records, assessments and addresses for letter tests (no rules engine needed)."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import io
import re
from typing import Any

from pypdf import PdfReader

from reports import Letterhead, Recipient, Referrer
from risk.contract import Assessment, Criterion, Flag, ModelInfo, PatientRecord, RiskEstimate

DAY = dt.date(2026, 3, 2)

LETTERHEAD = Letterhead(
    organisation="Northfield Spine Unit",
    address=["Level 3, Northfield Hospital", "1 Hospital Road"],
    phone="0100 200 300",
    email="fls@northfield.example",
    sender_name="Dr Ada Sender",
    sender_role="Consultant spine surgeon",
    sender_service="Fracture liaison service",
)
RECIPIENT = Recipient(
    name="Dr Paula Primary",
    practice="Riverside Practice",
    address=["2 River Street", "Rivertown"],
    phone="0100 999 000",
    fax="0100 999 001",
    email="riverside@example.org",
)
REFERRER = Referrer(name="Dr Rui Referrer", role="Spine fellow")

CRITERIA = {
    "FRAGILITY_VERTEBRAL_FRACTURE": Criterion(
        code="FRAGILITY_VERTEBRAL_FRACTURE",
        message="A low-trauma vertebral fracture is clinical osteoporosis regardless of BMD.",
        source="AACE/ACE 2020; BHOF 2022",
    ),
    "VH_RECENT_FRACTURE": Criterion(
        code="VH_RECENT_FRACTURE",
        message="Fracture within the past 24 months.",
        source="NOGG 2022; IOF/ESCEO 2020",
    ),
    "VH_MULTIPLE_VERTEBRAL": Criterion(
        code="VH_MULTIPLE_VERTEBRAL",
        message="Two or more vertebral fractures.",
        source="NOGG 2022; AACE/ACE 2020",
    ),
}

DENOSUMAB_OVERDUE = Flag(
    code="DENOSUMAB_OVERDUE",
    severity="urgent",
    message="Denosumab overdue: give the next dose now or transition; never just stop it.",
    source="Cummings 2018",
)
VITAMIN_D_DEFICIENT = Flag(
    code="VITAMIN_D_DEFICIENT",
    severity="warning",
    message="Vitamin D below 20 ng/mL: replete before zoledronic acid or denosumab.",
    source="BHOF 2022",
)
PATHOLOGICAL = Flag(
    code="PATHOLOGICAL_FRACTURE",
    severity="urgent",
    message="Possible pathological fracture: oncology / haematology pathway.",
    source="NOGG 2022",
)
NOT_FRAGILITY = Flag(
    code="NOT_FRAGILITY_FRACTURE",
    severity="info",
    message="High-energy trauma: osteoporosis is not established by this fracture.",
    source="AACE/ACE 2020",
)
DXA_RECOMMENDED = Flag(
    code="DXA_RECOMMENDED",
    severity="info",
    message="Baseline DXA of hip, and spine excluding cemented levels.",
    source="ISCD 2023",
)


def make_record(**overrides: Any) -> PatientRecord:
    """A typical post-kyphoplasty patient; override any field."""
    fields: dict[str, Any] = {
        "patient_id": "P-0001",
        "given_name": "Grace",
        "family_name": "Example",
        "birth_date": dt.date(1950, 5, 17),
        "sex": "female",
        "assessment_date": DAY,
        "fracture_date": dt.date(2026, 2, 1),
        "fracture_cause": "low_energy",
        "procedure_date": dt.date(2026, 2, 10),
        "treated_levels": ["T12", "L1"],
        "cement_leakage": "intradiscal",
        "egfr": 64.0,
        "serum_calcium_mg_dl": 9.4,
        "vitamin_d_ng_ml": 31.0,
    }
    fields.update(overrides)
    return PatientRecord(**fields)


def make_risk(p12: float = 0.22, rr: float | None = 0.4) -> RiskEstimate:
    """A risk estimate; ``rr`` None means no treated risk (specialist decision, none)."""
    if rr is None:
        return RiskEstimate(new_vertebral_fracture_12m=p12, new_vertebral_fracture_24m=p12 * 1.5)
    reduction = p12 - p12 * rr
    return RiskEstimate(
        new_vertebral_fracture_12m=p12,
        new_vertebral_fracture_24m=p12 * 1.5,
        with_treatment_12m=p12 * rr,
        with_treatment_24m=p12 * 1.5 * rr,
        absolute_reduction_12m=reduction,
        number_needed_to_treat_12m=int(-(-1 // reduction)),
    )


def make_assessment(**overrides: Any) -> Assessment:
    """An osteoporosis-pathway, very-high-risk assessment; override any key."""
    fields: dict[str, Any] = {
        "patient_id": "P-0001",
        "assessment_date": DAY,
        "pathway": "osteoporosis",
        "risk_tier": "very_high",
        "priority": "soon",
        "refer_to_pcp": True,
        "refer_to_specialist": False,
        "recommended_therapy": "antiresorptive_first",
        "criteria": [CRITERIA["FRAGILITY_VERTEBRAL_FRACTURE"], CRITERIA["VH_RECENT_FRACTURE"]],
        "flags": [],
        "risk": make_risk(),
        "contributions": [],
        "model": ModelInfo(name="refracture-logit", version="1.2.0"),
        "missing_inputs": [],
    }
    fields.update(overrides)
    return Assessment(**fields)


def oncology_assessment() -> Assessment:
    """Pathway P1: no risk, no PCP letter."""
    return make_assessment(
        pathway="oncology",
        risk_tier=None,
        priority="urgent",
        refer_to_pcp=False,
        refer_to_specialist=True,
        recommended_therapy="oncology_management",
        criteria=[],
        flags=[PATHOLOGICAL],
        risk=None,
    )


def trauma_assessment() -> Assessment:
    """Pathway P2 with no T-score at age ≥ 50."""
    return make_assessment(
        pathway="trauma_review",
        risk_tier=None,
        priority="routine",
        refer_to_pcp=False,
        recommended_therapy="none",
        criteria=[],
        flags=[NOT_FRAGILITY, DXA_RECOMMENDED],
    )


def pdf_text(pdf: bytes) -> tuple[str, int]:
    """Extracted text (whitespace collapsed) and page count."""
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(page.extract_text() or "" for page in reader.pages)
    return re.sub(r"\s+", " ", text), len(reader.pages)


def html_text(html: str) -> str:
    """Visible text of rendered HTML (tags and the <style>/<title> removed, whitespace collapsed)."""
    body = re.sub(r"<(style|title)>.*?</\1>", " ", html, flags=re.S)
    inline = re.sub(r"</?(strong|span|em|b)\b[^>]*>", "", body)
    text = html_lib.unescape(re.sub(r"<[^>]+>", " ", inline))
    return re.sub(r"\s+", " ", text).strip()
