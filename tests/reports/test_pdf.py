"""PDFs read back with pypdf: 1–2 A4 pages, key content, escaping, neutral metadata, HarfBuzz."""

from __future__ import annotations

import datetime as dt
import io
import logging
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from reports import DocumentKind, Recipient, render_html, render_pdf
from reports.render import _with_parsed_style
from risk.contract import Assessment, PatientRecord
from tests.reports.factories import (
    CRITERIA,
    DENOSUMAB_OVERDUE,
    LETTERHEAD,
    RECIPIENT,
    VITAMIN_D_DEFICIENT,
    make_assessment,
    make_record,
    oncology_assessment,
    pdf_text,
    trauma_assessment,
)

ARTEFACTS = Path(__file__).parent / "artefacts"
A4_POINTS = (595, 842)


def pdf_of(
    kind: DocumentKind = DocumentKind.PCP_LETTER,
    record: PatientRecord | None = None,
    assessment: Assessment | None = None,
    recipient: Recipient = RECIPIENT,
) -> bytes:
    html = render_html(kind, record or make_record(), assessment or make_assessment(), LETTERHEAD, recipient)
    return render_pdf(html)


def snapshot(pdf: bytes, name: str) -> None:
    """A PNG per page for humans to look at (never asserted; tests/reports/artefacts is ignored)."""
    if shutil.which("pdftoppm") is None:
        return
    ARTEFACTS.mkdir(exist_ok=True)
    (ARTEFACTS / f"{name}.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", str(ARTEFACTS / f"{name}.pdf"), str(ARTEFACTS / name)],
        check=True,
    )


def busiest_case() -> tuple[PatientRecord, Assessment]:
    """Denosumab overdue, many flags and criteria, specialist referral: the longest letter."""
    record = make_record(
        current_treatment="denosumab",
        treatment_start_date=dt.date(2022, 1, 1),
        last_dose_date=dt.date(2025, 6, 1),
        treated_levels=["T11", "T12", "L1", "L3"],
        glucocorticoid_mg_per_day=10.0,
        glucocorticoid_months=6.0,
        falls_last_12_months=3,
        vitamin_d_ng_ml=14.0,
        sex="male",
    )
    assessment = make_assessment(
        priority="urgent",
        refer_to_specialist=True,
        recommended_therapy="continue_current",
        criteria=list(CRITERIA.values()),
        flags=[DENOSUMAB_OVERDUE, VITAMIN_D_DEFICIENT],
        missing_inputs=["weight_kg", "height_cm"],
    )
    return record, assessment


@pytest.mark.parametrize(("priority", "weeks"), [("urgent", 2), ("soon", 4), ("routine", 12)])
def test_pdf_action_line_has_the_weeks_of_the_priority(priority: str, weeks: int) -> None:
    text, pages = pdf_text(pdf_of(assessment=make_assessment(priority=priority)))
    assert 1 <= pages <= 2
    action = (
        "Please start antiresorptive therapy (an oral bisphosphonate such as alendronate, "
        f"or IV zoledronic acid) within {weeks} weeks."
    )
    assert action in text
    assert text.index(f"within {weeks} weeks") < text.index("Dear Dr Paula Primary")


def test_pdf_carries_risk_figures_criteria_and_provenance() -> None:
    pdf = pdf_of()
    text, _ = pdf_text(pdf)
    for expected in ("22%", "33%", "8.8%", "13%", "number needed to treat 8"):
        assert expected in text, expected
    for criterion in (CRITERIA["FRAGILITY_VERTEBRAL_FRACTURE"], CRITERIA["VH_RECENT_FRACTURE"]):
        assert criterion.message in text
    assert "refracture-logit version 1.2.0" in text
    assert "Page 1 of" in text
    snapshot(pdf, "pcp_letter")


def test_busiest_letter_fits_two_a4_pages_with_denosumab_warning() -> None:
    record, assessment = busiest_case()
    pdf = pdf_of(record=record, assessment=assessment)
    text, pages = pdf_text(pdf)
    assert pages == 2
    assert "Page 2 of 2" in text
    assert "Please continue denosumab without a gap" in text
    assert text.index(DENOSUMAB_OVERDUE.message) < text.index("Dear Dr Paula Primary")
    assert "testosterone" in text
    for page in PdfReader(io.BytesIO(pdf)).pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == A4_POINTS
    snapshot(pdf, "pcp_letter_busiest")


@pytest.mark.parametrize(
    ("kind", "assessment", "expected"),
    [
        (DocumentKind.PATIENT_COPY, make_assessment(), "Your bones after your back operation"),
        (
            DocumentKind.ONCOLOGY_NOTIFICATION,
            oncology_assessment(),
            "Notification: possible pathological fracture",
        ),
        (
            DocumentKind.TRAUMA_DXA_NOTE,
            trauma_assessment(),
            "Please request a DXA bone density scan within 12 weeks",
        ),
    ],
)
def test_other_documents_render_to_one_or_two_pages(
    kind: DocumentKind, assessment: Assessment, expected: str
) -> None:
    pdf = pdf_of(kind, assessment=assessment)
    text, pages = pdf_text(pdf)
    assert 1 <= pages <= 2
    assert expected in text
    snapshot(pdf, kind.value)


def test_pdf_shows_hostile_names_as_text_and_keeps_metadata_neutral() -> None:
    hostile = "<script>alert(1)</script>"
    record = make_record(given_name=hostile, family_name="{{ 7*7 }}")
    pdf = pdf_of(record=record, recipient=Recipient(name=hostile, address=["{{ 7*7 }}"]))
    text, _ = pdf_text(pdf)
    assert f"{hostile} {{{{ 7*7 }}}}" in text
    metadata: dict[str, object] = dict(PdfReader(io.BytesIO(pdf)).metadata or {})
    assert metadata.get("/Title") == "Referral letter"
    assert not any("script" in str(value) or "P-0001" in str(value) for value in metadata.values())


def test_no_fonttools_fallback(caplog: pytest.LogCaptureFixture) -> None:
    """Without libharfbuzz-subset0 WeasyPrint is ~5× slower and only logs it: fail loudly."""
    caplog.set_level(logging.DEBUG, logger="weasyprint")
    record, assessment = busiest_case()
    pdf_of(record=record, assessment=assessment)
    messages = [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")]
    assert not [m for m in messages if "Using fontTools instead of HarfBuzz" in m]
    assert not [r for r in caplog.records if r.name == "weasyprint" and r.levelno >= logging.WARNING]


def _embedded_font_names(pdf: bytes) -> set[str]:
    names: set[str] = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        resources: Any = page["/Resources"]
        fonts: Any = resources.get_object()["/Font"].get_object()
        names.update(str(fonts[key].get_object()["/BaseFont"]) for key in fonts)
    return names


def test_letters_are_set_in_liberation_sans() -> None:
    """The letter font is the fast one (fonts-liberation), not a silent fallback."""
    names = _embedded_font_names(pdf_of())
    assert names, "no font embedded"
    assert all("Liberation-Sans" in name for name in names), names


def test_the_pre_parsed_stylesheet_gives_the_same_pdf_text_as_inline_css() -> None:
    html = render_html(DocumentKind.PCP_LETTER, make_record(), make_assessment(), LETTERHEAD, RECIPIENT)
    stripped, stylesheets = _with_parsed_style(html)
    assert len(stylesheets) == 1
    assert "<style>" not in stripped
    # A changed stylesheet (say, a letter stored by an older version) stays inline and is used.
    foreign = html.replace("size: A4;", "size: A5;")
    assert _with_parsed_style(foreign) == (foreign, [])
    inline = html.replace("</style>", "/* parsed with the page */</style>")
    assert _with_parsed_style(inline) == (inline, [])
    assert pdf_text(render_pdf(html)) == pdf_text(render_pdf(inline))
    assert PdfReader(io.BytesIO(render_pdf(foreign))).pages[0].mediabox.width < A4_POINTS[0]
