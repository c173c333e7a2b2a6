"""One post-kyphoplasty bundle as EHRs really send it: every variation must give the same clinical answer."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest

from api.fhir.mapping import MappingResult, map_bundle
from api.fhir.terminology import ATC, ICD10CM, RXNORM, SNOMED
from tests.api.fhir.factories import bundle, condition, full_patient, kyphoplasty, observation, patient

DAY = dt.date(2024, 3, 15)
JSON = dict[str, Any]


def _base() -> list[JSON]:
    """The worked example without myeloma and without its denosumab (osteoporosis pathway, untreated)."""
    drop = {"myeloma", "mr-dmab", "ma-dmab"}
    return [r for r in full_patient() if r.get("id") not in drop]


def _map(*extra: JSON, kind: str = "collection", base: list[JSON] | None = None) -> MappingResult:
    return map_bundle(bundle([*(base if base is not None else _base()), *extra], kind), assessment_date=DAY)


def _request(rid: str = "mr-1", **medication: Any) -> JSON:
    return {
        "resourceType": "MedicationRequest", "id": rid, "status": "active", "intent": "order",
        "subject": {"reference": "Patient/pt-1"}, "authoredOn": "2023-01-10", **medication,
    }  # fmt: skip


def _rxnorm(code: str, display: str | None = None) -> JSON:
    coding: JSON = {"system": RXNORM, "code": code}
    return {"coding": [coding | ({"display": display} if display else {})]}


def _treatment(result: MappingResult) -> str | None:
    assert result.record is not None, result.report.problems
    return result.record.current_treatment


@pytest.mark.parametrize(
    ("code", "treatment"),
    [("904431", "oral_bisphosphonate"), ("904420", "oral_bisphosphonate"), ("993456", "denosumab"),
     ("705824", "zoledronic_acid"), ("1435118", "teriparatide"), ("2123190", "romosozumab")],
)  # fmt: skip
def test_rxnorm_product_codes_give_the_drug_class(code: str, treatment: str) -> None:
    assert _treatment(_map(_request(medicationCodeableConcept=_rxnorm(code)))) == treatment


def test_contained_medication_is_resolved() -> None:
    request = _request(medicationReference={"reference": "#med1"})
    request["contained"] = [{"resourceType": "Medication", "id": "med1", "code": _rxnorm("993456")}]
    assert _treatment(_map(request)) == "denosumab"


@pytest.mark.parametrize("kind", ["collection", "transaction"])
def test_medication_entry_of_the_bundle_is_resolved(kind: str) -> None:
    medication = {"resourceType": "Medication", "id": "prolia", "code": _rxnorm("993456")}
    request = _request(medicationReference={"reference": "Medication/prolia"})
    result = _map(medication, request, kind=kind)
    assert _treatment(result) == "denosumab"


def test_brand_text_only_is_matched_by_name_and_says_so() -> None:
    result = _map(_request(medicationCodeableConcept={"text": "PROLIA 60 MG/ML SC SOSY"}))
    assert _treatment(result) == "denosumab"
    [note] = result.report.found_field("medication_matched_by_name")
    assert "denosumab" in note.value and note.source == "MedicationRequest/mr-1"


def test_unknown_local_code_with_a_generic_display_is_matched_by_name() -> None:
    concept = {
        "coding": [{"system": "urn:oid:1.2.3", "code": "X1", "display": "Alendronate Sodium 70 Mg Po Tabs"}]
    }
    assert _treatment(_map(_request(medicationCodeableConcept=concept))) == "oral_bisphosphonate"


def test_an_unrelated_drug_stays_untreated() -> None:
    result = _map(_request(medicationCodeableConcept={"text": "Paracetamol 500 mg tablet"}))
    assert _treatment(result) == "none"
    assert any("unknown medication" in i.reason for i in result.report.ignored)


def test_denosumab_given_in_clinic_nine_months_ago_is_overdue() -> None:
    administration = {
        "resourceType": "MedicationAdministration", "id": "ma-1", "status": "completed",
        "medicationCodeableConcept": _rxnorm("993456"), "subject": {"reference": "Patient/pt-1"},
        "effectiveDateTime": "2023-06-10",
    }  # fmt: skip
    result = _map(_request(medicationCodeableConcept=_rxnorm("993456")), administration)
    assert result.record is not None
    assert (result.record.current_treatment, result.record.last_dose_date) == (
        "denosumab",
        dt.date(2023, 6, 10),
    )


def test_dispense_dates_the_last_dose() -> None:
    dispense = {
        "resourceType": "MedicationDispense", "id": "md-1", "status": "completed",
        "medicationCodeableConcept": _rxnorm("904431"), "subject": {"reference": "Patient/pt-1"},
        "whenHandedOver": "2024-02-01",
    }  # fmt: skip
    result = _map(dispense)
    assert result.record is not None
    assert (result.record.current_treatment, result.record.last_dose_date) == (
        "oral_bisphosphonate",
        dt.date(2024, 2, 1),
    )


def _steroid(code: str, tablets: float, per_day: int, **extra: Any) -> JSON:
    dosage = {
        "doseAndRate": [{"doseQuantity": {"value": tablets, "unit": "tablet"}}],
        "timing": {"repeat": {"frequency": per_day, "period": 1, "periodUnit": "d"}},
    }
    return _request("mr-gc", medicationCodeableConcept=_rxnorm(code), dosageInstruction=[dosage], **extra)


@pytest.mark.parametrize(
    ("code", "tablets", "per_day", "prednisolone_mg"),
    [("312617", 1, 1, 5.0), ("312617", 2, 2, 20.0), ("197582", 1, 1, 26.666666667), ("259966", 2, 1, 10.0)],
)
def test_steroid_tablets_of_a_known_strength_give_the_prednisolone_dose(
    code: str, tablets: float, per_day: int, prednisolone_mg: float
) -> None:
    result = _map(_steroid(code, tablets, per_day))
    assert result.record is not None and result.record.glucocorticoid_mg_per_day == prednisolone_mg


def test_steroid_without_a_dose_is_not_guessed() -> None:
    request = _request(
        "mr-gc", medicationCodeableConcept=_rxnorm("312617"), dosageInstruction=[{"text": "taper"}]
    )
    result = _map(request)
    assert result.record is not None and result.record.glucocorticoid_mg_per_day == 0
    assert "glucocorticoid_mg_per_day" in result.report.missing
    assert any("dose not derivable" in i.reason for i in result.report.ignored)


def test_systemic_steroid_by_atc_needs_no_route() -> None:
    concept = {"coding": [{"system": ATC, "code": "H02AB04"}], "text": "methylprednisolone"}
    dosage = {
        "doseAndRate": [{"doseQuantity": {"value": 8, "unit": "mg"}}],
        "timing": {"code": {"coding": [{"code": "QD"}]}},
    }
    result = _map(_request("mr-gc", medicationCodeableConcept=concept, dosageInstruction=[dosage]))
    assert result.record is not None and result.record.glucocorticoid_mg_per_day == 10.0


def _lab(rid: str, code: str, value: float, unit: str, date: str = "2024-02-25") -> JSON:
    return observation(rid, code, value, unit, date)


def test_molar_total_calcium_is_adjusted_with_the_same_day_albumin() -> None:
    base = [r for r in _base() if r.get("id") != "ca"]
    result = _map(_lab("ca-t", "2000-8", 2.0, "mmol/L"), _lab("alb", "1751-7", 30, "g/L"), base=base)
    assert result.record is not None and result.record.serum_calcium_mg_dl == 8.816  # 8.016 + 0.8 x (4 - 3)
    assert result.report.found_field("calcium_adjusted_with_albumin")[0].value == "Observation/alb"


def test_total_calcium_without_albumin_is_not_used_as_adjusted_calcium() -> None:
    base = [r for r in _base() if r.get("id") != "ca"]
    result = _map(_lab("ca-t", "17861-6", 8.1, "mg/dL"), base=base)
    assert result.record is not None and result.record.serum_calcium_mg_dl is None
    assert any("not albumin-adjusted" in i.reason for i in result.report.ignored)


@pytest.mark.parametrize("unit", ["mL/min/1.73 m2", "ml/min/1.73m2", "mL/min/{1.73_m2}", "mL/min/1,73m²"])
@pytest.mark.parametrize("code", ["48642-3", "33914-3", "98979-8", "62238-1", "69405-9"])
def test_egfr_codes_and_unit_spellings(code: str, unit: str) -> None:
    base = [r for r in _base() if r.get("id") != "egfr"]
    result = _map(_lab("gfr", code, 28, unit), base=base)
    assert result.record is not None and result.record.egfr == 28.0


def test_same_day_race_specific_egfr_pair_takes_the_lower_value() -> None:
    base = [r for r in _base() if r.get("id") != "egfr"]
    result = _map(
        _lab("gfr-nb", "48642-3", 29, "mL/min/1.73m2"),
        _lab("gfr-b", "48643-1", 35, "mL/min/1.73m2"),
        base=base,
    )
    assert result.record is not None and result.record.egfr == 29.0


def test_unconvertible_unit_is_skipped_with_a_report_line() -> None:
    base = [r for r in _base() if r.get("id") != "vitd"]
    result = _map(_lab("vd", "62292-8", 20, "mg/dL"), base=base)
    assert result.record is not None and result.record.vitamin_d_ng_ml is None
    assert any(i.source == "Observation/vd" and "not convertible" in i.reason for i in result.report.ignored)


def test_us_core_birth_sex_when_gender_is_absent() -> None:
    pt = patient()
    del pt["gender"]
    pt["extension"] = [
        {"url": "http://hl7.org/fhir/us/core/StructureDefinition/us-core-birthsex", "valueCode": "F"}
    ]
    result = _map(base=[pt, *_base()[1:]])
    assert result.record is not None and result.record.sex == "female"
    assert result.report.found_field("sex_from_us_core_birthsex")[0].value == "F"


def test_coded_body_site_without_text_gives_the_level() -> None:
    proc = kyphoplasty()
    proc["bodySite"] = [{"coding": [{"system": SNOMED, "code": "66794005"}]}]
    result = _map(base=[r if r.get("id") != "proc-1" else proc for r in _base()])
    assert result.record is not None and result.record.treated_levels == ["L1"]


@pytest.mark.parametrize(
    ("code", "cause"),
    [("S32.010A", "unknown"), ("S22.080A", "unknown"), ("M48.56XA", "unknown"), ("M80.08XA", "low_energy")],
)
def test_fracture_codes_date_the_index_fracture(code: str, cause: str) -> None:
    base = [r for r in _base() if r.get("id") != "fx-1"]
    result = _map(condition("fx", ICD10CM, code, "2024-02-10"), base=base)
    assert result.record is not None
    assert (result.record.fracture_date, result.record.fracture_cause) == (dt.date(2024, 2, 10), cause)


def test_snomed_osteoporotic_vertebral_fracture_dates_the_index_fracture() -> None:
    base = [r for r in _base() if r.get("id") != "fx-1"]
    result = _map(condition("fx", SNOMED, "11311601000119109", "2024-02-12"), base=base)
    assert result.record is not None and result.record.fracture_date == dt.date(2024, 2, 12)


def test_forearm_t_score_never_becomes_a_hip_value() -> None:
    base = [r for r in _base() if not str(r.get("id", "")).startswith("dxa")]
    result = _map(observation("fa", "38265-5", -3.6, "{T-score}", "2023-11-01"), base=base)
    assert result.record is not None
    assert (result.record.t_score_total_hip, result.record.t_score_femoral_neck) == (None, None)


def test_the_answer_does_not_depend_on_the_bundle_wrapping() -> None:
    request = _request(medicationCodeableConcept=_rxnorm("993456"))
    answers = {
        kind: _map(copy.deepcopy(request), kind=kind).record
        for kind in ("collection", "searchset", "transaction")
    }
    assert len({a.model_dump_json() if a else None for a in answers.values()}) == 1


# A feed converted from CDA keeps HL7 OIDs as code systems (FHIR NamingSystem registry).
OID = {"rxnorm": "urn:oid:2.16.840.1.113883.6.88", "loinc": "urn:oid:2.16.840.1.113883.6.1",
       "snomed": "urn:oid:2.16.840.1.113883.6.96", "icd10cm": "urn:oid:2.16.840.1.113883.6.90"}  # fmt: skip


def test_rxnorm_by_its_oid_is_the_same_drug_not_untreated() -> None:
    concept = {"coding": [{"system": OID["rxnorm"], "code": "993452"}]}
    assert _treatment(_map(_request(medicationCodeableConcept=concept))) == "denosumab"
    unknown = {"coding": [{"system": "urn:oid:2.16.840.1.113883.6.999", "code": "993452"}]}
    assert _treatment(_map(_request(medicationCodeableConcept=unknown))) == "none"  # no other OID guessed


def test_loinc_snomed_and_icd10_by_their_oids_are_read() -> None:
    base = [r for r in _base() if r.get("id") not in {"egfr", "fx-1"}]
    lab = _lab("gfr", "98979-8", 28, "mL/min/{1.73_m2}")
    lab["code"]["coding"][0]["system"] = OID["loinc"]
    fracture = {
        "resourceType": "Condition", "id": "fx-oid", "subject": {"reference": "Patient/pt-1"},
        "code": {"coding": [{"system": OID["icd10cm"], "code": "M80.08XA"}]}, "onsetDateTime": "2024-02-20",
    }  # fmt: skip
    neck = {"bodySite": {"coding": [{"system": OID["snomed"], "code": "29627003"}]}}
    dxa = _lab("dxa-oid", "38263-0", -3.2, "{T-score}", "2023-10-02") | neck
    result = _map(lab, fracture, dxa, base=base)
    assert result.record is not None
    assert result.record.egfr == 28.0
    assert result.record.fracture_date == dt.date(2024, 2, 20)
    assert result.record.t_score_femoral_neck == -3.2


def _ingredients(*codes: tuple[str, str]) -> list[JSON]:
    return [{"itemCodeableConcept": {"coding": [{"system": system, "code": code}]}} for system, code in codes]


@pytest.mark.parametrize(
    ("ingredients", "treatment"),
    [
        (_ingredients((ATC, "M05BA08")), "zoledronic_acid"),
        (_ingredients((ATC, "M05BA04"), ("http://example.org/local", "VITD3")), "oral_bisphosphonate"),
        (_ingredients((ATC, "M05BA08"), (ATC, "M05BX04")), "none"),  # two classes: no guess
        ([], "none"),
    ],
)
def test_medication_coded_only_in_its_ingredients_is_the_drug(
    ingredients: list[JSON], treatment: str
) -> None:
    """Medication.code as text only, its codes on ingredient.itemCodeableConcept."""
    medication = {"resourceType": "Medication", "id": "m", "code": {"text": "infusion 5 mg/100 mL"},
                  "ingredient": ingredients}  # fmt: skip
    request = _request(medicationReference={"reference": "Medication/m"})
    assert _treatment(_map(medication, request)) == treatment
