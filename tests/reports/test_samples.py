"""Every sample patient's real letters (rules + shipped model): page fit, wording and pathway notes."""

from __future__ import annotations

import io
import re
from functools import cache
from pathlib import Path

import pytest
from pypdf import PdfReader

from api.settings import DEFAULT_MODEL_PATH, PROJECT_ROOT, Settings
from reports import DocumentKind, Recipient, documents_for, render_html, render_pdf
from reports.sections import tier_explanation
from risk.assess import Assessor
from risk.contract import Assessment, PatientRecord
from tests.reports.factories import LETTERHEAD, RECIPIENT, html_text

pytestmark = pytest.mark.slow
SAMPLES = sorted((PROJECT_ROOT / "data" / "sample" / "patients").glob("*.json"))
PATIENT_FOOTER = "A computer program helped to write this letter."


@cache
def _assessor() -> Assessor:
    return Assessor.load(DEFAULT_MODEL_PATH, Settings().rule_config())


def _assessed(path: Path) -> tuple[PatientRecord, Assessment]:
    record = PatientRecord.model_validate_json(path.read_text(encoding="utf-8"))
    return record, _assessor().assess(record)


def _pages(pdf: bytes) -> list[str]:
    return [re.sub(r"\s+", " ", page.extract_text() or "") for page in PdfReader(io.BytesIO(pdf)).pages]


def _no_orphan_footer(pages: list[str]) -> None:
    """The footer's page also carries the letter's last section, never the footer alone."""
    assert PATIENT_FOOTER in pages[-1]
    assert "Who to contact" in pages[-1]


def _samples_with(kind: DocumentKind) -> list[Path]:
    return [p for p in SAMPLES if kind in documents_for(_assessed(p)[1])]


@pytest.mark.parametrize("path", _samples_with(DocumentKind.PATIENT_COPY), ids=lambda p: p.stem)
def test_patient_copy_of_every_sample_fits_without_an_orphan_footer(path: Path) -> None:
    record, assessment = _assessed(path)
    html = render_html(DocumentKind.PATIENT_COPY, record, assessment, LETTERHEAD, RECIPIENT)
    pages = _pages(render_pdf(html))
    assert len(pages) == 1, f"{path.stem}: {len(pages)} pages"
    _no_orphan_footer(pages)
    assert "Decision support, not a diagnosis" not in pages[0]  # the technical caption is not for patients


def test_an_overflowing_patient_copy_keeps_its_last_section_with_the_footer() -> None:
    record, assessment = _assessed(SAMPLES[3])  # denosumab overdue: the longest copy
    # Longest names the models allow, so the copy runs past one page.
    long = Recipient(name="Dr " + "Longname " * 21, practice="Practice " * 22)
    letterhead = LETTERHEAD.model_copy(update={"organisation": "Spine Unit " * 18})
    html = render_html(DocumentKind.PATIENT_COPY, record, assessment, letterhead, long)
    pages = _pages(render_pdf(html))
    assert len(pages) == 2
    _no_orphan_footer(pages)


def test_patient_copy_footer_is_plain_language() -> None:
    record, assessment = _assessed(SAMPLES[0])
    text = html_text(render_html(DocumentKind.PATIENT_COPY, record, assessment, LETTERHEAD, RECIPIENT))
    assert PATIENT_FOOTER in text
    for technical in ("version", "osteoref-refracture", "not built for fractures caused by cancer"):
        assert technical not in text


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_letters_without_names_never_say_patient_patient(path: Path) -> None:
    record, assessment = _assessed(path)
    anonymous = record.model_copy(update={"given_name": None, "family_name": None})
    for kind in documents_for(assessment):
        text = html_text(render_html(kind, anonymous, assessment, LETTERHEAD, RECIPIENT))
        assert f"Patient {record.patient_id}" not in text
        assert "Patient: Patient" not in text
        assert "vertebral vertebroplasty" not in text and "vertebral kyphoplasty" not in text


def test_pcp_letter_names_the_procedure_once() -> None:
    record, assessment = _assessed(SAMPLES[0])
    vertebroplasty = record.model_copy(update={"procedure_type": "vertebroplasty"})
    text = html_text(render_html(DocumentKind.PCP_LETTER, vertebroplasty, assessment, LETTERHEAD, RECIPIENT))
    assert "bone health after vertebroplasty." in text


def test_myeloma_note_shows_calcium_and_does_not_ask_about_low_trauma() -> None:
    path = next(p for p in SAMPLES if "myeloma" in p.stem)
    record, assessment = _assessed(path)
    assert record.fracture_cause == "unknown" and record.serum_calcium_mg_dl == 11.2
    html = render_html(DocumentKind.ONCOLOGY_NOTIFICATION, record, assessment, LETTERHEAD, RECIPIENT)
    text = html_text(html)
    assert "low-trauma" not in text
    box = html_text(html[html.index('id="key-action"') : html.index("</section>")])
    assert "Adjusted calcium 11.2 mg/dL is raised" in box
    assert "Adjusted calcium: 11.2 mg/dL" in text
    assert "osteoref-refracture" not in text  # no model was used on this pathway


def test_very_high_tier_beside_a_low_model_risk_is_explained_in_the_letter() -> None:
    explained = []
    for path in SAMPLES:
        record, assessment = _assessed(path)
        sentence = tier_explanation(assessment)
        codes = {f.code for f in assessment.flags}
        if assessment.risk_tier != "very_high" or "HIGH_MODEL_RISK" in codes:
            assert sentence is None
            continue
        assert sentence is not None
        text = html_text(render_html(DocumentKind.PCP_LETTER, record, assessment, LETTERHEAD, RECIPIENT))
        assert sentence in text
        explained.append(path.stem)
    assert explained  # at least one sample shows the sentence
