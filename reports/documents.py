"""Which documents an assessment produces, and the template context of each.

One function picks the document kinds from the assessment; one builds the context a
template renders. Templates only lay out what is here (and escape all of it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reports import fmt, plan, sections
from reports.models import DocumentKind, Letterhead, Recipient, Referrer, Signatory
from reports.wording import (
    ACTION_SENTENCE,
    ACTION_WEEKS,
    CURRENT_THERAPY_FLAG_PREFIXES,
    CURRENT_THERAPY_FLAGS,
    DRUG_NAME,
    FALLS_REFERRAL,
    FLAGGED_WORDING,
    INDEX_EVENT_NOTE,
    ONCOLOGY_LAB_ALERT,
    ONCOLOGY_LAB_FIELD,
    ONCOLOGY_LABS,
    PATHWAY_LABEL,
    PATIENT_ASK,
    PCP_TASK,
    PRIORITY_LABEL,
    PROCEDURE_NAME,
    SUPPORTIVE_MEASURES,
    TIER_LABEL,
    TREATMENT_DETAIL,
    WHY_NOW,
    FlaggedWording,
)
from risk.contract import Assessment, Flag, PatientRecord
from risk.rules.conditions import FALLS_HIGH_RISK
from risk.rules.letter import letter_for

# Days after the procedure of the post-operative review the patient copy mentions.
POST_OP_REVIEW_DAYS = 21


def documents_for(assessment: Assessment) -> list[DocumentKind]:
    """The documents to produce: PCP letter + patient copy, or the pathway's own note."""
    letter = letter_for(assessment.pathway, assessment.refer_to_pcp)
    if letter is None:
        return []
    kind = DocumentKind(letter)
    # The patient's plain-language copy goes with the PCP letter only.
    return [kind, DocumentKind.PATIENT_COPY] if kind is DocumentKind.PCP_LETTER else [kind]


@dataclass(frozen=True, slots=True)
class Action:
    """The key action: priority, deadline and the sentence for the letter's first lines."""

    priority: str
    weeks: int
    due: str
    sentence: str
    pcp_task: str


def flagged_wording(record: PatientRecord, assessment: Assessment) -> FlaggedWording | None:
    """The wording that replaces the default where a fired flag advises against a drug it names."""
    codes = sections.flag_codes(assessment)
    for (therapy, drug, flag), wording in FLAGGED_WORDING.items():
        if (
            therapy == assessment.recommended_therapy
            and flag in codes
            and drug in (None, record.current_treatment)
        ):
            return wording
    return None


def key_action(record: PatientRecord, assessment: Assessment) -> Action:
    """The action sentence for the recommended therapy, with the priority's deadline."""
    weeks = ACTION_WEEKS[assessment.priority]
    drug = DRUG_NAME[record.current_treatment]
    therapy = assessment.recommended_therapy
    flagged = flagged_wording(record, assessment)
    sentence = flagged.action if flagged else ACTION_SENTENCE[therapy]
    return Action(
        priority=PRIORITY_LABEL[assessment.priority],
        weeks=weeks,
        due=fmt.day(fmt.add_weeks(assessment.assessment_date, weeks)),
        sentence=sentence.format(weeks=weeks, drug=drug),
        pcp_task=(flagged.pcp_task if flagged else PCP_TASK[therapy]).format(drug=drug),
    )


def _common(
    record: PatientRecord,
    assessment: Assessment,
    letterhead: Letterhead,
    recipient: Recipient | None,
    referrer: Referrer | None,
) -> dict[str, Any]:
    return {
        "record": record,
        "assessment": assessment,
        "letterhead": letterhead,
        "recipient": recipient,
        "signatory": Signatory.of(letterhead, referrer),
        "patient_name": fmt.patient_name(record),
        "patient_ref": fmt.patient_reference(record),
        "procedure_name": PROCEDURE_NAME[record.procedure_type],
        "age_text": fmt.age_text(record),
        "date": fmt.day(assessment.assessment_date),
        "action": key_action(record, assessment),
        "alerts": plan.alerts(assessment),
        "index_event": sections.index_event(record, assessment.pathway),
        "pathway": PATHWAY_LABEL[assessment.pathway],
        "model": assessment.model,
    }


def _treatment_detail(record: PatientRecord, assessment: Assessment) -> str:
    flagged = flagged_wording(record, assessment)
    return flagged.detail if flagged else TREATMENT_DETAIL[assessment.recommended_therapy]


def _patient_ask(record: PatientRecord, assessment: Assessment) -> str:
    flagged = flagged_wording(record, assessment)
    ask = flagged.patient_ask if flagged else PATIENT_ASK[assessment.recommended_therapy]
    return ask.format(drug=DRUG_NAME[record.current_treatment])


def _pcp_letter(record: PatientRecord, assessment: Assessment, service: str) -> dict[str, Any]:
    action = key_action(record, assessment)
    dxa = sections.dxa_request(record)
    return {
        "tier": TIER_LABEL.get(assessment.risk_tier or "", "not assigned"),
        "tier_note": sections.tier_explanation(assessment),
        "risk": assessment.risk,
        "pct": fmt.percent,
        "procedure": sections.procedure_findings(record),
        "bone_density": sections.bone_density(record, assessment),
        "dxa_request": dxa,
        "labs": plan.lab_rows(record, assessment),
        "labs_to_order": plan.labs_to_order(record),
        "treatment_detail": _treatment_detail(record, assessment),
        "checks": plan.treatment_checks(record, assessment),
        "current_therapy": plan.current_therapy(record),
        "therapy_flags": _therapy_flags(assessment),
        "index_event_note": INDEX_EVENT_NOTE.get(assessment.pathway, {}).get(record.fracture_cause),
        "why_now": WHY_NOW,
        "supportive_measures": _supportive_measures(record),
        "specialist_reasons": plan.specialist_reasons(assessment),
        "follow_up": plan.follow_up(assessment),
        "tasks": plan.responsibilities(
            assessment, action.pcp_task, fmt.add_weeks(assessment.assessment_date, action.weeks),
            service, needs_dxa=dxa is not None,
        ),
    }  # fmt: skip


def _therapy_flags(assessment: Assessment) -> list[Flag]:
    """The flags about the current drug, repeated under "Current therapy"."""
    return [
        flag
        for flag in assessment.flags
        if flag.code.startswith(CURRENT_THERAPY_FLAG_PREFIXES) or flag.code in CURRENT_THERAPY_FLAGS
    ]


def _supportive_measures(record: PatientRecord) -> list[str]:
    """The supportive-measure bullets, with a falls referral at the rules' high fall risk."""
    falls = record.falls_last_12_months
    referral = FALLS_REFERRAL.format(n=falls) if falls >= FALLS_HIGH_RISK else ""
    return [measure.format(falls=referral) for measure in SUPPORTIVE_MEASURES]


def _patient_copy(record: PatientRecord, assessment: Assessment, _: str) -> dict[str, Any]:
    levels = record.treated_levels
    return {
        "n_levels": len(levels),
        "levels": fmt.levels_text(levels),
        "procedure_day": fmt.day(record.procedure_date),
        "review_day": fmt.day(record.procedure_date + dt.timedelta(days=POST_OP_REVIEW_DAYS)),
        "ask": _patient_ask(record, assessment),
        "denosumab_late": "DENOSUMAB_OVERDUE" in sections.flag_codes(assessment),
    }


def _trauma_note(record: PatientRecord, assessment: Assessment, _: str) -> dict[str, Any]:
    return {
        "dxa_recommended": "DXA_RECOMMENDED" in sections.flag_codes(assessment),
        "dxa_request": sections.dxa_request(record),
        "bone_density": sections.bone_density(record, assessment),
    }


def _oncology_note(record: PatientRecord, assessment: Assessment, _service: str) -> dict[str, Any]:
    codes = sections.flag_codes(assessment)
    lab_alerts = [
        text.format(value=f"{getattr(record, ONCOLOGY_LAB_FIELD[code]):g}")
        for code, text in ONCOLOGY_LAB_ALERT.items()
        if code in codes and getattr(record, ONCOLOGY_LAB_FIELD[code]) is not None
    ]
    return {
        "biopsy": record.biopsy_result,
        "myeloma": record.myeloma,
        "labs": plan.lab_rows(record, assessment, ONCOLOGY_LABS),
        "lab_alerts": lab_alerts,
    }


_SPECIFIC: dict[DocumentKind, Callable[[PatientRecord, Assessment, str], dict[str, Any]]] = {
    DocumentKind.PCP_LETTER: _pcp_letter,
    DocumentKind.PATIENT_COPY: _patient_copy,
    DocumentKind.ONCOLOGY_NOTIFICATION: _oncology_note,
    DocumentKind.TRAUMA_DXA_NOTE: _trauma_note,
}


def context_for(
    kind: DocumentKind,
    record: PatientRecord,
    assessment: Assessment,
    letterhead: Letterhead,
    recipient: Recipient | None,
    *,
    referrer: Referrer | None = None,
) -> dict[str, Any]:
    """Everything the template of ``kind`` renders, computed once."""
    context = _common(record, assessment, letterhead, recipient, referrer)
    service = letterhead.sender_service or letterhead.organisation
    context.update(_SPECIFIC[kind](record, assessment, service))
    return context
