"""map_bundle: a FHIR R4 Bundle (document, collection, searchset, transaction, batch) → record + report."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from api.fhir.bindings import binding_problems
from api.fhir.mapping.common import JSON, Entry, as_dict, as_list, reference_of, text
from api.fhir.mapping.conditions import map_conditions
from api.fhir.mapping.context import Context
from api.fhir.mapping.fractures import map_fractures
from api.fhir.mapping.medications import map_medications
from api.fhir.mapping.observations import map_observations
from api.fhir.mapping.patient import map_patient
from api.fhir.mapping.procedures import map_procedures
from api.fhir.mapping.record import build_record
from api.fhir.mapping.report import MappingResult
from api.fhir.mapping.validation import check_read_resource
from risk.errors import FieldError, InvalidInput

if TYPE_CHECKING:
    from fhir.resources.R4B.bundle import Bundle

DEFAULT_LOOKBACK_MONTHS = 24  # the service passes settings.fhir_lookback_months

ACCEPTED_TYPES = frozenset({"document", "collection", "searchset", "transaction", "batch"})
MEDICATION_TYPES = (
    "MedicationRequest", "MedicationStatement", "MedicationAdministration", "MedicationDispense",
)  # fmt: skip
READ_TYPES = frozenset({"Observation", "Condition", "Procedure", *MEDICATION_TYPES})
# Read only through a reference (Medication) or as the subject (Patient).
REFERENCED_TYPES = frozenset({"Patient", "Medication"})


def bundle_json(bundle: JSON | Bundle) -> JSON:
    """The Bundle as JSON; InvalidInput (→ 422) if it is no Bundle, or of a type we do not read."""
    # A parsed fhir.resources model is read as its JSON (without importing the models to ask
    # whether it is a Bundle: ``api.fhir.r4b``); a model of another resource fails below.
    raw: object = bundle.model_dump(mode="json") if isinstance(bundle, BaseModel) else bundle
    if not (isinstance(raw, dict) and raw.get("resourceType") == "Bundle"):
        got = raw.get("resourceType") if isinstance(raw, dict) else type(raw).__name__
        raise InvalidInput("body is not a FHIR Bundle", [FieldError("resourceType", got, "must be Bundle")])
    data: JSON = raw
    if data.get("type") not in ACCEPTED_TYPES:
        rule = f"one of {', '.join(sorted(ACCEPTED_TYPES))}"
        raise InvalidInput(f"Bundle.type must be {rule}", [FieldError("type", data.get("type"), rule)])
    if "entry" in data and not isinstance(data["entry"], list):
        raise InvalidInput("Bundle.entry must be a list", [FieldError("entry", None, "a JSON array")])
    return data


def _entries(data: JSON, ctx: Context) -> list[Entry]:
    entries = []
    for index, raw in enumerate(as_list(data.get("entry"))):
        entry = as_dict(raw)
        resource = as_dict(entry.get("resource"))
        if not resource or as_dict(entry.get("search")).get("mode") == "outcome":
            continue
        rid, full_url = text(resource.get("id")), text(entry.get("fullUrl"))
        rtype = str(resource.get("resourceType"))
        reference = f"{rtype}/{rid}" if rid else full_url or f"{rtype}/entry-{index}"
        if rtype not in READ_TYPES | REFERENCED_TYPES:
            ctx.report.ignore(reference, f"resource type {rtype} is not read by the mapping")
            continue
        for name in check_read_resource(index, resource):
            ctx.report.ignore(reference, f"{rtype}.{name} is malformed but not read by the mapping")
        entries.append(Entry(resource, reference, full_url))
    return entries


def _absolute(entries: list[Entry]) -> dict[str, str]:
    """reference → the entry's absolute RESTful fullUrl, where it has one (urn:uuid ones do not resolve)."""
    return {
        e.reference: e.full_url
        for e in entries
        if e.full_url and e.full_url.startswith(("http://", "https://"))
    }


def _aliases(data: JSON) -> dict[str, Entry]:
    """Every way a reference may name an entry: its fullUrl and its Type/id."""
    index: dict[str, Entry] = {}
    for raw in as_list(data.get("entry")):
        full_url, resource = text(as_dict(raw).get("fullUrl")), as_dict(as_dict(raw).get("resource"))
        rid = text(resource.get("id"))
        type_id = f"{resource.get('resourceType')}/{rid}" if rid else None
        entry = Entry(resource, type_id or full_url or "")
        for key in filter(None, (full_url, type_id)):
            index[key] = entry
    return index


def reference_index(data: JSON) -> Any:
    """A resolver of references (fullUrl, Type/id, absolute URL) to the resources of a Bundle."""
    return _resolver(_aliases(data))


def _resolver(aliases: dict[str, Entry]) -> Any:
    def resolve(reference: str) -> JSON | None:
        key = reference if reference in aliases else "/".join(reference.rsplit("/", 2)[-2:])
        found = aliases.get(key)
        return found.resource if found else None

    return resolve


def _belongs(entry: Entry, patient: Entry | None, aliases: dict[str, Entry]) -> bool:
    subject = reference_of(entry.resource.get("subject"))
    if subject is None or patient is None:
        return True
    target = aliases.get(subject) or aliases.get("/".join(subject.rsplit("/", 2)[-2:]))
    return target is not None and target.resource is patient.resource


def _usable(
    entries: list[Entry], patient: Entry | None, aliases: dict[str, Entry], ctx: Context
) -> list[Entry]:
    usable = []
    for entry in entries:
        if entry.type not in READ_TYPES:
            continue
        problems = binding_problems(entry.resource)
        if problems:
            ctx.report.ignore(entry.reference, "invalid code: " + "; ".join(problems))
        elif not _belongs(entry, patient, aliases):
            ctx.report.ignore(entry.reference, "subject is not the bundle's Patient")
        else:
            usable.append(entry)
    return usable


def _patient(entries: list[Entry], ctx: Context) -> Entry | None:
    patients = [e for e in entries if e.type == "Patient"]
    if len(patients) != 1:
        ctx.report.problems.append(
            f"the Bundle holds {len(patients)} Patient resources; exactly one is needed"
        )
        return None
    problems = binding_problems(patients[0].resource)
    if problems:
        ctx.report.problems.extend(problems)
    map_patient(patients[0], ctx)
    return patients[0]


def map_bundle(
    bundle: JSON | Bundle, *, assessment_date: dt.date, lookback_months: int = DEFAULT_LOOKBACK_MONTHS
) -> MappingResult:
    """Map a Bundle to a PatientRecord (None when not buildable or not applicable) and its report."""
    data = bundle_json(bundle)
    ctx = Context(assessment_date, lookback_months)
    entries, aliases = _entries(data, ctx), _aliases(data)
    patient = _patient(entries, ctx)
    usable = _usable(entries, patient, aliases, ctx)
    by_type = {t: [e for e in usable if e.type == t] for t in READ_TYPES}
    earlier = map_procedures(by_type["Procedure"], ctx)
    map_fractures(map_conditions(by_type["Condition"], ctx), earlier, ctx)
    map_observations(by_type["Observation"], ctx)
    meds = [e for t in MEDICATION_TYPES for e in by_type[t]]
    map_medications(meds, _resolver(aliases), ctx)
    record = build_record(ctx)
    return MappingResult(
        record=record,
        report=ctx.report,
        patient_reference=patient.reference if patient else None,
        absolute_urls=_absolute(entries),
        basis=[ref for ref in ctx.basis if patient is None or ref != patient.reference],
    )
