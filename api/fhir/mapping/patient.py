"""Patient → patient_id, sex (from R4 gender), birth_date and the names used only in letters."""

from __future__ import annotations

import re

from api.fhir.mapping.common import Entry, as_dict, as_list, first_date, parse_date, text
from api.fhir.mapping.context import Context
from risk.contract.patient import PATIENT_ID_PATTERN

SEXES = {"female": "female", "male": "male"}
BIRTH_SEX_URL = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-birthsex"
BIRTH_SEXES = {"F": "female", "M": "male"}  # US Core birth sex value set: F, M, (UNK, ASKU)
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


def _birth_sex(resource: dict[str, object]) -> str | None:
    for extension in as_list(resource.get("extension")):
        if as_dict(extension).get("url") == BIRTH_SEX_URL:
            return text(as_dict(extension).get("valueCode"))
    return None


def _sex(entry: Entry, ctx: Context) -> None:
    """R4 gender; only when gender is absent, US Core birth sex (reported as such)."""
    ref, gender = entry.reference, entry.resource.get("gender")
    if gender in SEXES:
        ctx.use("sex", SEXES[str(gender)], ref)
        return
    birth_sex = _birth_sex(entry.resource) if gender is None else None
    if birth_sex in BIRTH_SEXES:
        ctx.use("sex", BIRTH_SEXES[str(birth_sex)], ref)
        ctx.use("sex_from_us_core_birthsex", birth_sex, ref, contract=False)
        return
    why = f"gender {gender!r}" if gender is not None else f"no gender and US Core birth sex {birth_sex!r}"
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
    died = first_date(resource, "deceasedDateTime")
    if resource.get("deceasedBoolean") is True or (died is not None and died <= ctx.assessment_date):
        ctx.report.problems.append(f"{ref}: the patient is deceased")
    _names(entry, ctx)
