"""The patient copy: plain language (Flesch–Kincaid grade ≤ 8), aftercare and warning signs."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from reports import DocumentKind, render_html
from risk.contract import RECOMMENDED_THERAPIES
from tests.reports.factories import (
    DENOSUMAB_OVERDUE,
    LETTERHEAD,
    RECIPIENT,
    html_text,
    make_assessment,
    make_record,
)
from tests.reports.readability import fk_grade, syllables


def copy_html(**assessment: object) -> str:
    record = make_record(current_treatment="denosumab", last_dose_date=dt.date(2025, 6, 1))
    return render_html(
        DocumentKind.PATIENT_COPY, record, make_assessment(**assessment), LETTERHEAD, RECIPIENT
    )


def blocks(html: str) -> list[str]:
    """Each paragraph, list item and heading of <main> as one text block (one sentence or more)."""
    main = html.split("<main>", 1)[1].split("</main>", 1)[0]
    return [html_text(chunk) for chunk in re.split(r"</(?:p|li|h1|h2)>", main) if html_text(chunk)]


@pytest.mark.parametrize(("word", "count"), [("bone", 1), ("doctor", 2), ("osteoporosis", 5)])
def test_syllable_heuristic(word: str, count: int) -> None:
    assert syllables(word) == count


def test_grade_of_hard_text_is_high_and_easy_text_low() -> None:
    assert fk_grade(["The cat sat on the mat."]) < 2
    hard = "Pharmacological osteoporosis management necessitates comprehensive multidisciplinary evaluation."
    assert fk_grade([hard]) > 12


@pytest.mark.parametrize("therapy", RECOMMENDED_THERAPIES)
def test_patient_copy_reads_at_grade_8_or_below(therapy: str) -> None:
    grade = fk_grade(blocks(copy_html(recommended_therapy=therapy)))
    assert grade <= 8.0, f"Flesch–Kincaid grade {grade:.1f}"


def test_patient_copy_has_aftercare_warning_signs_and_advice() -> None:
    text = html_text(copy_html())
    for expected in (
        "You broke 2 bones in your back (T12, L1)",
        "filled them with bone cement",
        "This is called osteoporosis",
        "The first year is the riskiest",
        "start a medicine that makes your bones stronger",
        "Keep to gentle activity only",
        "Do not do sport or exercise until your check-up",
        "about three weeks after the operation, near 3 Mar 2026",
        "new back pain that starts all of a sudden",
        "you get shorter, or your back starts to bend forward",
        "weak, numb or tingling legs",
        "trouble with your bladder or bowels",
        "foods with calcium",
        "vitamin D",
        "Make your home safe",
        "Northfield Spine Unit, phone 0100 200 300",
        "Your family doctor is Dr Paula Primary",
    ):
        assert expected in text, expected


def test_late_denosumab_is_told_to_the_patient() -> None:
    assert "Your bone injection (denosumab) is late" in html_text(copy_html(flags=[DENOSUMAB_OVERDUE]))
    assert "is late" not in html_text(copy_html())
