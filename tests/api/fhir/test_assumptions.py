"""What the mapping assumes is said in its report: partial dates, capped counts, fractures before 50.

FHIR allows a partial date ("1948", "2024-03"; the HL7 IPS minimal example in tests/api/fhir/public
dates its conditions so). The mapping takes its first day, and the report (and the OperationOutcome)
now says so, with what it may shift. The contract counts low-trauma fractures since age 50, at most 20.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from api.fhir.emit.outcome import operation_outcome
from api.fhir.mapping import map_bundle
from api.fhir.mapping.report import MappingResult
from api.fhir.terminology import ICD10CM, SNOMED
from tests.api.fhir.factories import bundle, condition, kyphoplasty, observation, patient

DAY = dt.date(2024, 3, 15)


def _map(*resources: dict[str, Any], birth: str = "1948-05-17") -> MappingResult:
    person = patient() | {"birthDate": birth}
    return map_bundle(bundle([person, *resources]), assessment_date=DAY)


@pytest.mark.parametrize(
    ("birth", "taken", "note"),
    [
        ("1948", dt.date(1948, 1, 1), "birthDate '1948' is partial: taken as 1948-01-01, up to a year early"),
        (
            "1948-05",
            dt.date(1948, 5, 1),
            "birthDate '1948-05' is partial: taken as 1948-05-01, up to a month early",
        ),
        ("1948-05-17", dt.date(1948, 5, 17), None),
    ],
)
def test_partial_birth_date_is_used_and_said(birth: str, taken: dt.date, note: str | None) -> None:
    result = _map(kyphoplasty(), birth=birth)
    assert result.record is not None and result.record.birth_date == taken
    notes = [a.note for a in result.report.assumed if a.source == "Patient/pt-1"]
    assert notes == ([f"{note}; the age used may be that much too high"] if note else [])
    warnings = [
        i["details"]["text"] for i in operation_outcome(result.report)["issue"] if i["severity"] == "warning"
    ]
    assert any(w.startswith("assumed from Patient/pt-1: birthDate") for w in warnings) is (note is not None)


def test_partial_procedure_and_fracture_dates_are_said() -> None:
    fracture = condition("fx-1", ICD10CM, "M80.08XA", "2024")
    result = _map(kyphoplasty(date="2024-03"), fracture)
    assert result.record is not None
    assert (result.record.procedure_date, result.record.fracture_date) == (
        dt.date(2024, 3, 1),
        dt.date(2024, 1, 1),
    )
    notes = {a.source: a.note for a in result.report.assumed}
    assert notes["Procedure/proc-1"].startswith(
        "performed date '2024-03' is partial: taken as 2024-03-01, up to a month"
    )
    assert notes["Condition/fx-1"].startswith(
        "fracture date '2024' is partial: taken as 2024-01-01, up to a year"
    )


def _yearly_fractures(first_year: int, count: int) -> list[dict[str, Any]]:
    return [condition(f"fx-{n}", SNOMED, "443165006", f"{first_year + n}-06-01") for n in range(count)]


@pytest.mark.parametrize(("count", "capped"), [(20, False), (21, True), (26, True)])
def test_more_than_twenty_prior_fractures_are_capped_and_said(count: int, capped: bool) -> None:
    result = _map(kyphoplasty(), *_yearly_fractures(1998, count))  # from age 50 to before the index
    assert result.record is not None and result.record.prior_fragility_fractures == min(count, 20)
    notes = [a.note for a in result.report.assumed]
    expected = f"{count} prior fragility fractures counted; the contract's maximum, 20, is used"
    assert (expected in notes) is capped


@pytest.mark.parametrize(("onset", "counted"), [("1998-05-16", 0), ("1998-05-17", 1)])
def test_fractures_before_age_fifty_are_not_fragility_fractures(onset: str, counted: int) -> None:
    """Born 1948-05-17: the contract counts low-trauma fractures from 1998-05-17 on."""
    result = _map(kyphoplasty(), condition("fx-old", SNOMED, "443165006", onset))
    assert result.record is not None and result.record.prior_fragility_fractures == counted
    reasons = [i.reason for i in result.report.ignored if i.source == "Condition/fx-old"]
    assert (reasons == [f"dated {onset}, before age 50 (1998-05-17): not a prior fragility fracture"]) is (
        counted == 0
    )


@pytest.mark.parametrize(
    ("site", "field", "noted"),
    [
        ({"text": "Femoral neck, left"}, "t_score_femoral_neck", False),
        ({"coding": [{"system": "http://example.org/sites", "code": "FN", "display": "Neck of femur"}]},
         "t_score_femoral_neck", False),
        ({"text": "Left hip"}, "t_score_total_hip", False),
        (None, "t_score_total_hip", True),
    ],
)  # fmt: skip
def test_femur_t_score_site_named_in_words_is_read(
    site: dict[str, Any] | None, field: str, noted: bool
) -> None:
    extra = {"bodySite": site} if site else {}
    dxa = observation("dxa", "38263-0", -2.7, "{T-score}", "2023-10-01", **extra)
    result = _map(kyphoplasty(), dxa)
    assert result.record is not None and getattr(result.record, field) == -2.7
    assert any(a.source == "Observation/dxa" for a in result.report.assumed) is noted
