"""The one seam between the CDS service and the FHIR mapping (``api.fhir``): mapping and drug codes."""

from __future__ import annotations

from typing import Any

from api.fhir.mapping import MappingResult, map_bundle
from api.fhir.mapping.common import known_code, months_before
from risk.contract import CURRENT_TREATMENTS

__all__ = ["MappingResult", "is_anti_osteoporosis", "map_bundle", "months_before"]

# Contract treatment classes (api.fhir.terminology meanings) that count as anti-osteoporosis therapy.
THERAPY_MEANINGS = frozenset(CURRENT_TREATMENTS) - {"none"}
# Draft orders are often uncoded or coded at product level the code table does not hold: names too.
THERAPY_NAMES = (
    "alendron", "risedron", "ibandron", "zoledron", "denosumab", "teriparatide",
    "abaloparatide", "romosozumab", "raloxifene",
)  # fmt: skip


def is_anti_osteoporosis(resource: dict[str, Any]) -> bool:
    """Whether a MedicationRequest orders an anti-osteoporosis drug (by code, else by name)."""
    concept = resource.get("medicationCodeableConcept") or {}
    code = known_code(concept)
    if code is not None and code.meaning in THERAPY_MEANINGS:
        return True
    texts = [concept.get("text") or ""] + [c.get("display") or "" for c in concept.get("coding") or []]
    return any(name in text.lower() for text in texts for name in THERAPY_NAMES)
