"""Patient → patient_id, sex (from R4 gender), birth_date and the names used only in letters."""

from __future__ import annotations

import re

from api.fhir.mapping.common import Entry, as_dict, as_list, first_date, parse_date, partial_date_note, text
from api.fhir.mapping.context import Context
from risk.contract.patient import PATIENT_ID_PATTERN

SEXES = {"female": "female", "male": "male"}
US_CORE = "http://hl7.org/fhir/us/core/StructureDefinition/"
# When gender is absent: US Core (8+) individual sex (SNOMED, as in US Core's own examples), then birth sex.
SEX_EXTENSIONS: tuple[tuple[str, str, dict[str, str]], ...] = (
    ("us-core-individual-sex", "valueCoding", {"248152002": "female", "248153007": "male"}),
    ("us-core-birthsex", "valueCode", {"F": "female", "M": "male"}),
)
MAX_NAME = 100


def _patient_id(entry: Entry) -> str | None:
    candidate = text(entry.resource.get("id")) or entry.reference.rsplit(":", 1)[-1].rsplit("/", 1)[-1]
    return candidate if re.fullmatch(PATIENT_ID_PATTERN, candidate) else None


def _names(entry: Entry, ctx: Context) -> None:
    names = [as_dict(n) for n in as_list(entry.resource.get("name"))]
    name = next((n for n in names if n.get("use") == "official"), names[0] if names else {})
    given = next((g for g in as_list(name.get("given")) if isinstance(g, str)), None)
    family = text(name.get("family"))
    # Names go to letters only: the report says a name was found, never what it is.
    for field, value in (("given_name", given), ("family_name", family)):
        if value and len(value) <= MAX_NAME:
            ctx.use(field, value, entry.reference)
            ctx.report.found[-1] = ctx.report.found[-1].model_copy(update={"value": "(recorded)"})


def _extension_sex(resource: dict[str, object]) -> tuple[str, str, str] | None:
    """(extension name, code, sex) of the first US Core sex extension that gives female or male."""
    extensions = {as_dict(e).get("url"): as_dict(e) for e in as_list(resource.get("extension"))}
    for name, value_key, sexes in SEX_EXTENSIONS:
        value = extensions.get(US_CORE + name, {}).get(value_key)
        code = text(as_dict(value).get("code")) if isinstance(value, dict) else text(value)
        if code in sexes:
            return name, str(code), sexes[str(code)]
    return None


def _sex(entry: Entry, ctx: Context) -> None:
    """R4 gender; only when gender is absent, a US Core sex extension (reported as such)."""
    ref, gender = entry.reference, entry.resource.get("gender")
    if gender in SEXES:
        ctx.use("sex", SEXES[str(gender)], ref)
        return
    found = _extension_sex(entry.resource) if gender is None else None
    if found is not None:
        name, code, sex = found
        ctx.use("sex", sex, ref)
        ctx.use(f"sex_from_{name.replace('-', '_')}", code, ref, contract=False)
        return
    why = f"gender {gender!r}" if gender is not None else "no gender and no US Core sex extension"
    ctx.report.problems.append(f"{ref}: {why} cannot give the sex used for risk (female/male)")


def map_patient(entry: Entry, ctx: Context) -> None:
    """Set identity, sex and birth date; a gender other than male/female is a problem."""
    ref, resource = entry.reference, entry.resource
    patient_id = _patient_id(entry)
    if patient_id is None:
        ctx.report.problems.append(f"{ref}: no id usable as patient_id (1–64 of A-Z a-z 0-9 . _ -)")
    else:
        ctx.use("patient_id", patient_id, ref)
    _sex(entry, ctx)
    birth = parse_date(resource.get("birthDate"))
    if birth is not None:
        ctx.use("birth_date", birth, ref, birth)
        raw = text(resource.get("birthDate"))
        note = partial_date_note(raw, "birthDate", "the age used may be that much too high")
        if note:
            ctx.report.assume(ref, note)
    died = first_date(resource, "deceasedDateTime")
    if resource.get("deceasedBoolean") is True or (died is not None and died <= ctx.assessment_date):
        ctx.report.problems.append(f"{ref}: the patient is deceased")
    _names(entry, ctx)
