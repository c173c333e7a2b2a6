"""The medication, name, route, equivalence and unit tables shipped in api/fhir/data are consistent."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from api.fhir.drugs import (
    GLUCOCORTICOID,
    by_name,
    code_table,
    name_table,
    normalise,
    prednisolone_factor,
    route_of,
)
from api.fhir.mapping.dosage import daily_dose_mg
from api.fhir.units import to_contract_unit, unit_table
from risk.contract import CURRENT_TREATMENTS

SOURCES = {"INTEROP", "SYNTHEA", "VENDOR", "OMOP", "OMOP+SYNTHEA", "OHDSI", "WHOATC", "VSAC1266"}


def test_every_row_means_a_contract_class_and_names_its_source() -> None:
    classes = set(CURRENT_TREATMENTS) - {"none"} | {GLUCOCORTICOID}
    for drug in code_table().values():
        assert drug.meaning in classes, drug
        assert drug.verified in {"verified", "likely", "unverified"}
        assert drug.source in SOURCES, drug
        assert drug.form in {"systemic", "check"}
    for _, drug in name_table():
        assert drug.meaning in classes


def test_every_contract_drug_class_can_be_recognised() -> None:
    known = {d.meaning for d in code_table().values()} | {d.meaning for _, d in name_table()}
    assert set(CURRENT_TREATMENTS) - {"none"} <= known


def test_every_glucocorticoid_has_a_prednisolone_equivalence() -> None:
    ingredients = {d.ingredient for d in code_table().values() if d.meaning == GLUCOCORTICOID}
    ingredients |= {d.ingredient for _, d in name_table() if d.meaning == GLUCOCORTICOID}
    assert ingredients <= set(prednisolone_factor())
    assert prednisolone_factor()["prednisolone"] == 1.0 and prednisolone_factor()["dexamethasone"] == 5 / 0.75


def test_oral_steroid_products_state_one_strength_and_packs_state_theirs() -> None:
    steroid_tablets = [
        d for d in code_table().values() if d.meaning == GLUCOCORTICOID and "Oral Tablet" in d.display
    ]
    assert all(d.strength is not None for d in steroid_tablets)
    assert code_table()[("http://www.nlm.nih.gov/research/umls/rxnorm", "763181")].strength == (5.0, "unit")
    assert code_table()[("http://www.nlm.nih.gov/research/umls/rxnorm", "249066")].strength == (5.0, "mL")
    # A combination product has no single strength: its dose is never derived from it.
    assert code_table()[("http://www.nlm.nih.gov/research/umls/rxnorm", "904492")].strength is None


def test_names_are_whole_words_and_classes_must_agree() -> None:
    assert by_name("PROLIA 60 MG/ML SC SOSY") is not None
    assert by_name("methylprednisolone 4 mg") is not None
    assert by_name("methylprednisolone 4 mg").ingredient == "methylprednisolone"  # type: ignore[union-attr]
    assert by_name("Fosamaxx") is None
    assert by_name("prednisolone and alendronate") is None  # two classes: no guess
    assert normalise("  Alendronate-SODIUM   70MG ") == "alendronate-sodium 70mg"


def test_local_route_words_win() -> None:
    assert route_of(["Estradiol 10 mcg vaginal tablet"]) == "local"
    assert route_of(["prednisolone 5 MG Oral Tablet"]) == "systemic"
    assert route_of(["as directed"]) is None


def test_units_convert_both_ways_of_spelling() -> None:
    assert to_contract_unit("calcium_molar", 2.5, "mmol/L") == 2.5 * 4.008
    assert to_contract_unit("vitamin_d_molar", 50, "nmol/l") == 50 / 2.5  # the contract: 1 ng/mL = 2.5 nmol/L
    assert to_contract_unit("egfr", 40, "ML/MIN/1.73 M2") == 40
    assert to_contract_unit("egfr", 40, "mL/s") is None
    assert all(factor > 0 for factor in unit_table().values())


@given(st.floats(min_value=0.5, max_value=8), st.integers(min_value=1, max_value=4))
def test_tablet_dose_scales_with_tablets_and_frequency(tablets: float, per_day: int) -> None:
    dosage = {
        "doseAndRate": [{"doseQuantity": {"value": tablets, "unit": "{tablet}"}}],
        "timing": {"repeat": {"frequency": per_day, "period": 1, "periodUnit": "d"}},
    }
    dose = daily_dose_mg(dosage, (5.0, "unit"))
    assert dose is not None and abs(dose - 5.0 * tablets * per_day) < 1e-9
    assert daily_dose_mg(dosage, None) is None  # no strength known: no dose
