"""The one seam between the CDS service and the FHIR mapping (``api.fhir``): mapping and drug resolution."""

from __future__ import annotations

from typing import Any

from api.fhir.mapping import MappingResult, map_bundle
from api.fhir.mapping.bundle import reference_index
from api.fhir.mapping.common import months_before
from api.fhir.mapping.medication_source import classify, concept_of, route_status
from api.fhir.mapping.validation import READ_FIELDS
from api.fhir.terminology import DXA, LABS, LOINC
from risk.contract import CURRENT_TREATMENTS

__all__ = [
    "ACCEPTED_OBSERVATION_CODES", "READ_FIELDS", "MappingResult", "is_anti_osteoporosis", "map_bundle",
    "months_before", "reference_index",
]  # fmt: skip

# (system, code) of every Observation code the mapping reads (DXA T-scores, forearm included to be
# reported, and labs): the CDS Observation prefetch asks for exactly these.
ACCEPTED_OBSERVATION_CODES: tuple[tuple[str, str], ...] = tuple(
    (c.system, c.code) for c in (*DXA, *LABS) if c.system == LOINC
)

# Contract treatment classes (api.fhir drug-table meanings) that count as anti-osteoporosis therapy.
THERAPY_MEANINGS = frozenset(CURRENT_TREATMENTS) - {"none"}


def is_anti_osteoporosis(resource: dict[str, Any], bundle: dict[str, Any] | None = None) -> bool:
    """Whether a MedicationRequest orders an anti-osteoporosis drug, by resolved ingredient.

    The Medication may be inline, ``#contained`` or another entry of ``bundle`` (the draft orders);
    the drug is found by table code, else by generic or brand name.
    """
    resolve = reference_index(bundle or {})
    found = concept_of(resource, resolve)
    if isinstance(found, str):
        return False
    match = classify(*found)
    if match is None or match.drug.meaning not in THERAPY_MEANINGS:
        return False
    return route_status(resource, *found, match) == "systemic"  # vaginal oestrogen is no bone therapy
