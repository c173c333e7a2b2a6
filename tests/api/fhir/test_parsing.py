"""Small parsers: vertebral levels, doses, ICD-10-CM prefixes, units, look-back dates."""

from __future__ import annotations

import datetime as dt

import pytest

from api.fhir.mapping.common import months_before, parse_date
from api.fhir.mapping.dosage import daily_dose_mg
from api.fhir.terminology import ICD10CM, icd10_lookup, lookup


@pytest.mark.parametrize(
    ("label", "levels"),
    [
        ("L1", ["L1"]),
        ("T12 vertebral body", ["T12"]),
        ("Th12", ["T12"]),
        ("l 2", ["L2"]),
        ("T11-L1", ["T11", "T12", "L1"]),
        ("L3 to L1", ["L1", "L2", "L3"]),
        ("L6", []),
        ("T13", []),
        ("Lumbar spine", []),
        ("T12 and L2", ["T12", "L2"]),
        ("C7-T2", ["T1", "T2"]),  # a range from outside the contract still covers T1
        ("L5,L6", ["L5"]),
        ("L4-S1", ["L4", "L5"]),
        ("L5-L6", ["L5"]),
    ],
)
def test_parse_levels(label: str, levels: list[str]) -> None:
    from api.fhir.mapping.procedures import parse_levels  # noqa: PLC0415

    assert parse_levels(label) == levels


def _dosage(value: float, unit: str = "mg", **repeat: object) -> dict[str, object]:
    return {"doseAndRate": [{"doseQuantity": {"value": value, "unit": unit}}], "timing": {"repeat": repeat}}


@pytest.mark.parametrize(
    ("dosage", "per_day"),
    [
        (_dosage(5, frequency=1, period=1, periodUnit="d"), 5.0),
        (_dosage(5, frequency=2, period=1, periodUnit="d"), 10.0),
        (_dosage(70, frequency=1, period=1, periodUnit="wk"), 10.0),
        (_dosage(5, "g", frequency=1), 5000.0),
        (_dosage(2, "{tablet}", frequency=1), None),  # tablets without a known strength
        (
            {
                "doseAndRate": [{"doseQuantity": {"value": 5, "unit": "mg"}}],
                "timing": {"code": {"coding": [{"code": "BID"}]}},
            },
            10.0,
        ),
        ({"doseAndRate": [{"doseQuantity": {"value": 5, "unit": "mg"}}]}, None),
        (None, None),
    ],
)
def test_daily_dose(dosage: object, per_day: float | None) -> None:
    assert daily_dose_mg(dosage) == per_day


@pytest.mark.parametrize(
    ("code", "meaning"),
    [
        ("M80.08XA", "vertebral_osteoporotic"),
        ("M8008XD", "vertebral_osteoporotic"),
        ("M80.031A", "fragility_other"),
        ("M48.56XA", "vertebral_collapse"),
        ("M84.48XA", "vertebral_collapse"),
        ("Z87.310", "fragility_other"),
        ("M05.79", "rheumatoid_arthritis"),
        ("M06.9", "rheumatoid_arthritis"),
        ("M06.4", None),
        ("E10.9", "diabetes_type1"),
        ("E11.65", "diabetes_type2"),
        ("C90.00", "myeloma"),
        ("C50.911", "malignancy"),
        ("D48.0", None),
    ],
)
def test_icd10_prefix_matching(code: str, meaning: str | None) -> None:
    found = icd10_lookup(code)
    assert (found.meaning if found else None) == meaning
    assert lookup(ICD10CM, code) == found


def test_lookup_needs_system_and_code() -> None:
    assert lookup(None, "38265-5") is None
    assert lookup("http://loinc.org", "38265-5") is not None
    assert lookup("http://snomed.info/sct", "38265-5") is None


def test_months_before_clamps_to_month_end() -> None:
    assert months_before(dt.date(2024, 3, 31), 1) == dt.date(2024, 2, 29)
    assert months_before(dt.date(2024, 3, 15), 24) == dt.date(2022, 3, 15)


@pytest.mark.parametrize(
    ("raw", "day"),
    [
        ("2024-03-01", dt.date(2024, 3, 1)),
        ("2024-03-01T10:00:00+02:00", dt.date(2024, 3, 1)),
        ("2024-03", dt.date(2024, 3, 1)),
        ("2024", dt.date(2024, 1, 1)),
        ("bad", None),
        (None, None),
    ],
)
def test_parse_date(raw: object, day: dt.date | None) -> None:
    assert parse_date(raw) == day


@pytest.mark.parametrize(
    ("label", "named"),
    [
        ("C7-T2", ["C7", "T1", "T2"]),
        ("L5,L6", ["L5", "L6"]),
        ("L5-L6", ["L5", "L6"]),
        ("T11-L1", ["T11", "T12", "L1"]),
    ],
)
def test_named_levels_keep_what_the_contract_has_no_level_for(label: str, named: list[str]) -> None:
    from api.fhir.mapping.procedures import named_levels  # noqa: PLC0415

    assert named_levels(label) == named
