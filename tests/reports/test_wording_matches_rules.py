"""Wording and label tables cover exactly the rule table's and the model's codes (no drift)."""

from __future__ import annotations

import re
import typing
from importlib.resources import files

from reports.labels import INPUT_NOTES, MODEL_INPUTS, NOT_RECORDED, input_label, input_value, label
from reports.wording import (
    CURRENT_THERAPY_FLAG_PREFIXES,
    CURRENT_THERAPY_FLAGS,
    INDEX_EVENT_NOTE,
    ONCOLOGY_LAB_ALERT,
    ONCOLOGY_LAB_FIELD,
    SPECIALIST_REASON,
    VERY_HIGH_SHORT,
)
from risk.contract import PatientRecord
from risk.contract.enums import FractureCause, Pathway
from risk.model.features import INPUT_NAMES
from risk.rules.table import CRITERIA, FLAGS, RULES_BY_CODE


def test_specialist_wording_covers_exactly_the_specialist_flags() -> None:
    assert set(SPECIALIST_REASON) == {rule.code for rule in FLAGS if rule.specialist}


def test_very_high_short_words_cover_exactly_the_very_high_criteria() -> None:
    assert set(VERY_HIGH_SHORT) == {rule.code for rule in CRITERIA if rule.very_high}


def test_oncology_lab_alerts_name_real_flags_and_fields() -> None:
    assert set(ONCOLOGY_LAB_ALERT) == set(ONCOLOGY_LAB_FIELD) <= set(RULES_BY_CODE)
    assert set(ONCOLOGY_LAB_FIELD.values()) <= set(PatientRecord.model_fields)


def test_every_model_input_has_clinician_words() -> None:
    assert set(MODEL_INPUTS) == set(INPUT_NAMES)
    assert set(INPUT_NOTES) <= set(MODEL_INPUTS)
    assert all("_" not in input_label(name) for name in INPUT_NAMES)


def test_input_values_read_as_words() -> None:
    assert (input_value("female", 0.0), input_value("female", 1.0)) == ("male", "female")
    assert (input_value("vitamin_d_low", 0.0), input_value("vitamin_d_low", 1.0)) == ("no", "yes")
    assert input_value("bmi", 22.64) == "22.6 kg/m²"
    assert input_value("age", 78.0) == "78 years"
    assert input_value("lowest_t", -2.75) == "-2.8 SD"
    assert input_value("ct_hu", None) == NOT_RECORDED


def test_codes_read_as_words() -> None:
    assert label("very_high") == "Very high"
    assert label("anabolic_first") == "Anabolic first"
    assert label("oral_bisphosphonate") == "Oral bisphosphonate"
    assert label(None) == "—"


def test_the_pcp_letter_template_holds_no_pathway_codes_rule_codes_or_citations() -> None:
    # The template lays out words from reports.wording; clinical text and decisions live there.
    text = (files("reports") / "templates" / "pcp_letter.html.j2").read_text(encoding="utf-8")
    quoted = set(re.findall(r"[\"']([A-Za-z_]+)[\"']", text))
    assert not quoted & set(typing.get_args(Pathway)), "a branch on the pathway in the template"
    assert not quoted & set(typing.get_args(FractureCause)), "a branch on the fracture cause"
    assert not set(re.findall(r"[A-Z_]{4,}", text)) & {*RULES_BY_CODE, "DENOSUMAB"}, (
        "rule codes in the template"
    )
    assert ".pathway" not in text and "fracture_cause" not in text
    assert not re.search(r"\b(19|20)\d\d\b", text), "a cited year in the template"
    assert not re.search(r"\bet al\b|AACE|BHOF|NOGG|JAMA", text), "a citation in the template"


def test_the_therapy_flags_name_real_flags_and_the_notes_real_pathways() -> None:
    codes = {rule.code for rule in FLAGS}
    assert codes >= CURRENT_THERAPY_FLAGS
    assert all(any(code.startswith(p) for code in codes) for p in CURRENT_THERAPY_FLAG_PREFIXES)
    assert set(INDEX_EVENT_NOTE) <= set(typing.get_args(Pathway))
    assert all(set(note) <= set(typing.get_args(FractureCause)) for note in INDEX_EVENT_NOTE.values())
