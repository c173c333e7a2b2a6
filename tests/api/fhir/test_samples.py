"""Every public Synthea sample bundle: not applicable (no kyphoplasty), no crash, a correct report."""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from api.fhir.bindings import validate_emitted
from api.fhir.emit.assessment import assessment_bundle
from api.fhir.mapping import MappingResult, map_bundle
from tests.api.fhir.factories import SHARED_FHIR_SAMPLES

SAMPLES = SHARED_FHIR_SAMPLES
FILES = sorted(SAMPLES.glob("*.json"))
pytestmark = pytest.mark.skipif(not FILES, reason="shared FHIR samples not present")
ALENDRONATE = "904419"


@cache
def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SAMPLES / name).read_text(encoding="utf-8"))
    return data


def _map(prefix: str, day: dt.date, months: int = 24) -> MappingResult:
    name = next(f.name for f in FILES if f.name.startswith(prefix))
    return map_bundle(_load(name), assessment_date=day, lookback_months=months)


@pytest.mark.parametrize("path", FILES, ids=[f.name.split("_")[0] for f in FILES])
def test_every_sample_is_not_applicable_with_a_valid_outcome(path: Path) -> None:
    result = map_bundle(_load(path.name), assessment_date=dt.date(2021, 6, 1))
    assert result.record is None
    assert result.report.not_applicable
    assert result.report.problems[0].startswith("no completed kyphoplasty or vertebroplasty Procedure")
    output = assessment_bundle(None, result, "http://osteoref.test")
    assert [e["resource"]["resourceType"] for e in output["entry"]] == ["OperationOutcome"]
    validate_emitted(output["entry"][0]["resource"])


@pytest.mark.parametrize(
    ("prefix", "day"),
    [("Willia", dt.date(2013, 6, 1)), ("Sina", dt.date(2019, 1, 1)), ("Chad", dt.date(2013, 1, 1))],
)
def test_osteoporosis_and_alendronate_are_found_and_the_forearm_dxa_is_not_a_hip(
    prefix: str, day: dt.date
) -> None:
    report = _map(prefix, day).report
    assert report.found_field("osteoporosis_diagnosis")[0].value is True
    assert report.found_field("current_treatment")[0].value == "oral_bisphosphonate"
    assert report.found_field("sex")[0].value in {"female", "male"}
    # Synthea records its DXA as LOINC 38265-5, "DXA Radius and Ulna [T-score]": no contract site.
    for field in ("t_score_total_hip", "t_score_femoral_neck", "t_score_lumbar_spine"):
        assert report.found_field(field) == [] and field in report.missing
    assert any("forearm (radius/ulna) T-score" in i.reason for i in report.ignored)


def test_repeat_fracture_case_counts_two_prior_fragility_fractures() -> None:
    report = _map("Nona", dt.date(1996, 10, 1)).report
    assert {f.value for f in report.found_field("prior_fragility_fractures")} == {2}


def test_negative_control_has_normal_dxa_and_no_osteoporosis() -> None:
    report = _map("Tamatha", dt.date(2014, 1, 1)).report
    assert report.found_field("osteoporosis_diagnosis") == []
    assert report.found_field("t_score_total_hip") == []
    assert report.found_field("current_treatment") == []


def test_deceased_patient_is_reported() -> None:
    result = _map("Isaura", dt.date(2021, 6, 1))
    assert any("deceased" in p for p in result.report.problems)


def test_alendronate_product_code_is_the_one_in_the_samples() -> None:
    text = (SAMPLES / next(f.name for f in FILES if f.name.startswith("Willia"))).read_text(encoding="utf-8")
    assert f'"code": "{ALENDRONATE}"' in text
    assert "Alendronic acid 10 MG Oral Tablet" in text
