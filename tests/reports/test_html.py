"""The HTML of every document: content per pathway and therapy, and escaping of all input."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from reports import DocumentKind, Recipient, Referrer, render_html
from risk.contract import RECOMMENDED_THERAPIES, Assessment, Flag, PatientRecord
from tests.reports.factories import (
    CRITERIA,
    DENOSUMAB_OVERDUE,
    LETTERHEAD,
    RECIPIENT,
    REFERRER,
    VITAMIN_D_DEFICIENT,
    html_text,
    make_assessment,
    make_record,
    make_risk,
    oncology_assessment,
    trauma_assessment,
)

HOSTILE = ["<script>alert(1)</script>", "{{ 7*7 }}", '"><img src=x onerror=alert(1)>']


def letter(
    record: PatientRecord | None = None,
    assessment: Assessment | None = None,
    kind: DocumentKind = DocumentKind.PCP_LETTER,
) -> str:
    return render_html(
        kind,
        record or make_record(),
        assessment or make_assessment(),
        LETTERHEAD,
        RECIPIENT,
        referrer=REFERRER,
    )


def main_lines(html: str) -> list[str]:
    """Non-empty text lines of <main>, in order (the first ones carry the key action)."""
    main = html.split("<main>", 1)[1]
    lines = [html_text(chunk) for chunk in re.split(r"</p>|</div>|</li>|</tr>", main)]
    return [line for line in lines if line]


def test_key_action_is_in_the_first_three_lines() -> None:
    lines = main_lines(letter(assessment=make_assessment(priority="urgent")))
    assert lines[0].startswith("URGENT: action within 2 weeks (by 16 Mar 2026)")
    assert lines[1].startswith("Please start antiresorptive therapy")
    assert "within 2 weeks" in lines[1]


def test_denosumab_overdue_is_in_the_top_box_and_current_therapy() -> None:
    record = make_record(current_treatment="denosumab", last_dose_date=dt.date(2025, 6, 1))
    assessment = make_assessment(
        priority="urgent", recommended_therapy="continue_current", flags=[DENOSUMAB_OVERDUE]
    )
    html = letter(record, assessment)
    lines = main_lines(html)
    assert lines[1].startswith("Please continue denosumab without a gap")
    assert lines[2].startswith(DENOSUMAB_OVERDUE.message)
    assert html.count(DENOSUMAB_OVERDUE.message) >= 3  # top box, current therapy, flag list
    assert "274 days ago" in html_text(html)


@pytest.mark.parametrize("therapy", RECOMMENDED_THERAPIES)
def test_pcp_letter_renders_for_every_therapy(therapy: str) -> None:
    rr = 0.4 if therapy in {"antiresorptive_first", "continue_current", "anabolic_first"} else None
    text = html_text(letter(assessment=make_assessment(recommended_therapy=therapy, risk=make_risk(rr=rr))))
    assert "Treatment recommendation" in text
    assert "Responsibilities" in text


def test_pcp_letter_has_the_fifteen_elements() -> None:
    text = html_text(letter(assessment=make_assessment(flags=[VITAMIN_D_DEFICIENT])))
    for expected in (
        "Northfield Spine Unit",  # 1 header
        "Grace Example",
        "born 17 May 1950 (age 75)",
        "ID P-0001",
        "Dr Paula Primary",
        "low-trauma vertebral fracture means clinical osteoporosis",  # 2 index event
        "Kyphoplasty, 10 Feb 2026",
        "about 19% of patients have a new vertebral fracture",  # 3 why now
        "Lindsay et al., JAMA 2001",
        "22%",  # 4 risk, untreated 12 months
        "8.8%",  # with treatment
        "number needed to treat 8",
        "Guideline risk tier: very high",
        CRITERIA["VH_RECENT_FRACTURE"].message,
        "NOGG 2022; IOF/ESCEO 2020",
        "Thoracolumbar junction (T11–L2): T12, L1",  # 5 procedure
        "intradiscal",
        "Please request a baseline DXA of the hip",  # 6 bone density
        "excluding the cemented level(s) L1",
        "25-OH vitamin D: 31 ng/mL",  # 7 labs
        "serum protein electrophoresis",
        "Dental check",  # 8 treatment checks
        VITAMIN_D_DEFICIENT.message,
        "none at the time of the fracture",  # 9 current therapy
        "Calcium 1,000–1,200 mg/day",  # 10 support
        "vitamin D 800–1,000 IU/day",
        "Not needed on current information",  # 11 specialist
        "12–16 weeks",  # 12 follow-up
        "12 months",
        "Repeat DXA",
        "plain-language copy",  # 13 shared decision
        "By when",  # 14 responsibilities
        "Decision support, not a diagnosis",  # 15 provenance
        "refracture-logit version 1.2.0",
        "data as of 2 Mar 2026",
        "Dr Rui Referrer, Spine fellow",  # signature: referrer, letterhead's service
        "Fracture liaison service",
    ):
        assert expected in text, expected


def test_specialist_referral_names_its_reasons() -> None:
    flag = Flag(code="EGFR_BELOW_30", severity="warning", message="eGFR below 30.", source="KDIGO")
    assessment = make_assessment(
        refer_to_specialist=True,
        recommended_therapy="specialist_decision",
        flags=[flag],
        risk=make_risk(rr=None),
    )
    text = html_text(letter(make_record(egfr=25.0), assessment))
    assert "specialist referral is warranted: eGFR below 30" in text
    assert "bisphosphonates not advised" in text


def test_anabolic_first_names_the_anabolic_reason_and_romosozumab_check() -> None:
    assessment = make_assessment(
        refer_to_specialist=True,
        recommended_therapy="anabolic_first",
        criteria=[CRITERIA["VH_MULTIPLE_VERTEBRAL"]],
        risk=make_risk(rr=0.25),
    )
    text = html_text(letter(assessment=assessment))
    assert "anabolic therapy recommended" in text
    assert "Romosozumab: not within a year" in text


def test_bone_density_shown_and_spine_exclusion_respected() -> None:
    unreliable = Flag(code="SPINE_DXA_UNRELIABLE", severity="info", message="Spine ignored.", source="ISCD")
    record = make_record(
        t_score_total_hip=-2.7,
        t_score_lumbar_spine=-1.1,
        lumbar_vertebrae_evaluable=1,
        dxa_date=dt.date(2025, 1, 1),
    )
    text = html_text(letter(record, make_assessment(flags=[unreliable])))
    assert "T-score total hip: -2.7" in text
    assert "not used: fewer than 2 evaluable vertebrae" in text
    assert "Please request a baseline DXA" not in text


def test_sandwich_vertebra_is_named() -> None:
    text = html_text(letter(make_record(treated_levels=["L1", "L3"])))
    assert "Sandwich vertebra: L2" in text


def test_oncology_notification_goes_to_treating_team() -> None:
    text = html_text(letter(assessment=oncology_assessment(), kind=DocumentKind.ONCOLOGY_NOTIFICATION))
    assert "the treating oncology / haematology team" in text
    assert "Copy: Dr Paula Primary" in text
    assert "no osteoporosis referral letter has been sent" in text
    assert "Possible pathological fracture" in text


def test_trauma_note_recommends_dxa() -> None:
    record = make_record(fracture_cause="high_energy_trauma")
    text = html_text(letter(record, trauma_assessment(), DocumentKind.TRAUMA_DXA_NOTE))
    assert "Please request a DXA bone density scan within 12 weeks" in text
    assert "does not by itself show osteoporosis" in text
    assert "excluding the cemented level(s) L1" in text


def test_trauma_note_without_dxa_flag_is_for_information() -> None:
    record = make_record(fracture_cause="high_energy_trauma", t_score_total_hip=-1.2)
    assessment = trauma_assessment().model_copy(update={"flags": []})
    text = html_text(letter(record, assessment, DocumentKind.TRAUMA_DXA_NOTE))
    assert "for information" in text
    assert "T-score total hip: -1.2" in text


@pytest.mark.parametrize("kind", list(DocumentKind))
@pytest.mark.parametrize("hostile", HOSTILE)
def test_every_input_is_escaped(kind: DocumentKind, hostile: str) -> None:
    record = make_record(given_name=hostile, family_name=hostile)
    # An e-mail address must be one (email-validator); the valid one keeps ' and & to escape.
    recipient = Recipient(
        name=hostile, practice=hostile, address=[hostile], phone=hostile, fax=hostile,
        email="o'brien&co@practice.example",
    )  # fmt: skip
    referrer = Referrer(name=hostile, role=hostile, service=hostile)
    flag = Flag(code="RAISED_ALP", severity="warning", message=hostile, source=hostile)
    assessment = {
        DocumentKind.PCP_LETTER: make_assessment,
        DocumentKind.PATIENT_COPY: make_assessment,
        DocumentKind.ONCOLOGY_NOTIFICATION: oncology_assessment,
        DocumentKind.TRAUMA_DXA_NOTE: trauma_assessment,
    }[kind]()
    assessment = assessment.model_copy(update={"flags": [*assessment.flags, flag]})
    html = render_html(kind, record, assessment, LETTERHEAD, recipient, referrer=referrer)
    assert "<script>" not in html
    assert "<img" not in html
    assert "49" not in html_text(html).replace("2026", "")  # {{ 7*7 }} is data, never evaluated
    assert html.count("&lt;") >= (2 if "<" in hostile else 0)
    if "{{" in hostile:
        assert "{{ 7*7 }}" in html


def test_title_is_neutral() -> None:
    html = letter()
    assert "<title>Referral letter</title>" in html
    assert "Grace" not in html.split("</title>")[0]


def test_steroid_dose_and_months_are_shown_to_a_tenth() -> None:
    """FHIR gives 182 days as 5.979466119 months and 4 mg dexamethasone as 26.666666667 mg."""
    record = make_record(glucocorticoid_mg_per_day=80 / 3, glucocorticoid_months=182 / 30.4375)
    text = html_text(letter(record=record))
    assert "26.7 mg/day prednisolone-equivalent" in text
    assert "for 6 months; review the dose" in text
    assert "5.979" not in text and "26.666" not in text
