"""A letter never asks the PCP for a drug its own renal flag advises against.

With 30 ≤ eGFR < 35, rules.md fires EGFR_BELOW_35 ("avoid zoledronic acid and alendronate") but
still recommends ``antiresorptive_first`` or ``continue_current``; the default wording named
alendronate and IV zoledronic acid in the letter's first lines. Scored by the real rules here,
both sides of 35, for the untreated patient and for each current drug.
"""

from __future__ import annotations

import re

import pytest

from api.settings import DEFAULT_MODEL_PATH
from reports import DocumentKind, render_html
from reports.wording import FLAGGED_WORDING
from risk.assess import Assessor
from risk.contract import CURRENT_TREATMENTS, RECOMMENDED_THERAPIES, Assessment, PatientRecord
from risk.rules.config import RuleConfig
from risk.rules.table import RULES_BY_CODE
from tests.reports.factories import LETTERHEAD, RECIPIENT, REFERRER, html_text, make_record
from tests.reports.readability import fk_grade
from tests.reports.test_patient_copy import blocks

AVOIDED = re.compile(r"alendronate|zoledronic", re.IGNORECASE)


@pytest.fixture(scope="module")
def assessor() -> Assessor:
    return Assessor.load(DEFAULT_MODEL_PATH, RuleConfig())


def _documents(assessor: Assessor, record: PatientRecord) -> tuple[Assessment, str, str]:
    assessment = assessor.assess(record)
    pcp, patient = (
        html_text(render_html(kind, record, assessment, LETTERHEAD, RECIPIENT, referrer=REFERRER))
        for kind in (DocumentKind.PCP_LETTER, DocumentKind.PATIENT_COPY)
    )
    return assessment, pcp, patient


def _first_lines(text: str) -> str:
    return text.split("Please", 1)[1].split(".", 1)[0]


def test_untreated_patient_with_egfr_32_is_not_asked_for_alendronate_or_zoledronic_acid(
    assessor: Assessor,
) -> None:
    assessment, pcp, patient = _documents(assessor, make_record(egfr=32.0, treated_levels=["L1"]))
    assert assessment.recommended_therapy == "antiresorptive_first"
    assert "EGFR_BELOW_35" in {flag.code for flag in assessment.flags}
    action = _first_lines(pcp)
    assert "risedronate" in action and "denosumab" in action
    assert AVOIDED.findall(action.replace("not alendronate or zoledronic acid", "")) == []
    assert "First line: alendronate" not in pcp
    assert "drip once a year" not in patient and "injection every 6 months" in patient


def test_untreated_patient_with_egfr_35_keeps_the_first_line_wording(assessor: Assessor) -> None:
    assessment, pcp, patient = _documents(assessor, make_record(egfr=35.0, treated_levels=["L1"]))
    assert assessment.recommended_therapy == "antiresorptive_first"
    assert "EGFR_BELOW_35" not in {flag.code for flag in assessment.flags}
    assert "an oral bisphosphonate such as alendronate, or IV zoledronic acid" in _first_lines(pcp)
    assert "drip once a year" in patient


@pytest.mark.parametrize(
    ("drug", "egfr", "action_starts"),
    [
        ("zoledronic_acid", 32.0, " review zoledronic acid within"),
        ("zoledronic_acid", 35.0, " continue zoledronic acid without a gap"),
        ("oral_bisphosphonate", 32.0, " review the oral bisphosphonate within"),
        ("oral_bisphosphonate", 35.0, " continue the oral bisphosphonate without a gap"),
        ("denosumab", 32.0, " continue denosumab without a gap"),  # not renally cleared: no change
    ],
)
def test_current_drug_is_continued_only_where_the_renal_flag_allows(
    assessor: Assessor, drug: str, egfr: float, action_starts: str
) -> None:
    record = make_record(egfr=egfr, current_treatment=drug, treated_levels=["L1"])
    assessment, pcp, _ = _documents(assessor, record)
    assert assessment.recommended_therapy == "continue_current"
    assert _first_lines(pcp).startswith(action_starts), _first_lines(pcp)


@pytest.mark.parametrize(
    ("egfr", "meanwhile"),
    [(32.0, "start risedronate 35 mg weekly meanwhile"), (35.0, "start an oral bisphosphonate meanwhile")],
)
def test_anabolic_first_bridges_with_a_drug_the_kidneys_allow(
    assessor: Assessor, egfr: float, meanwhile: str
) -> None:
    assessment, pcp, _ = _documents(assessor, make_record(egfr=egfr))  # two levels: anabolic first
    assert assessment.recommended_therapy == "anabolic_first"
    assert meanwhile in pcp


def test_every_flagged_wording_is_keyed_by_contract_values() -> None:
    for therapy, drug, flag in FLAGGED_WORDING:
        assert therapy in RECOMMENDED_THERAPIES
        assert drug is None or drug in CURRENT_TREATMENTS
        assert flag in RULES_BY_CODE


@pytest.mark.parametrize(
    ("drug", "levels"), [("none", ["L1"]), ("zoledronic_acid", ["L1"]), ("oral_bisphosphonate", ["L1"])]
)
def test_flagged_patient_copy_reads_at_grade_8_or_below(
    assessor: Assessor, drug: str, levels: list[str]
) -> None:
    record = make_record(egfr=32.0, current_treatment=drug, treated_levels=levels)
    assessment = assessor.assess(record)
    html = render_html(DocumentKind.PATIENT_COPY, record, assessment, LETTERHEAD, RECIPIENT)
    assert "Your kidney test means" in html_text(html)
    grade = fk_grade(blocks(html))
    assert grade <= 8.0, f"Flesch–Kincaid grade {grade:.1f}"
